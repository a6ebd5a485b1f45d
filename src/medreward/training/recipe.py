"""The published training recipe, as one typed value.

The seed model (Gemma-3-1B-it, medical reasoning) was trained with Unsloth GRPO on one Tesla T4 with
these settings; :class:`Recipe` holds them so that the example script, its ``--dry-run`` and the
benchmarks all read the same numbers.

>>> recipe = Recipe()
>>> recipe.lora.r, recipe.grpo.learning_rate, recipe.grpo.num_generations, recipe.max_prompt_length
(8, 3e-06, 6, 768)

On ``num_processes`` GPUs TRL generates ``per-device batch x processes x accumulation`` completions
at a time; that number must be a multiple of ``num_generations``:

>>> Recipe(num_processes=4).generation_batch().size
96
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medreward.prompts import SYSTEM_PROMPT
from medreward.training.distributed import GenerationBatch, generation_batch

__all__ = [
    "DATASETS",
    "GEMMA3_1B_ARCHITECTURE",
    "GrpoSettings",
    "LoraSettings",
    "Recipe",
    "grpo_config_kwargs",
]

# The data sets the example knows by name: Hugging Face id, config, split and the columns that hold
# the question and the reference answer.
DATASETS: dict[str, dict[str, str | None]] = {
    "reasoning": {
        "path": "FreedomIntelligence/medical-o1-reasoning-SFT",
        "name": "en",
        "split": "train",
        "question": "Question",
        "answer": "Response",
    },
    "verifiable": {
        "path": "FreedomIntelligence/medical-o1-verifiable-problem",
        "name": None,
        "split": "train",
        "question": "Open-ended Verifiable Question",
        "answer": "Ground-True Answer",
    },
}

# unsloth/gemma-3-1b-it's text architecture (its released config.json), for random-weight stand-ins
# that have the real model's shapes and memory footprint.
GEMMA3_1B_ARCHITECTURE: dict[str, Any] = {
    "vocab_size": 262_144,
    "hidden_size": 1152,
    "intermediate_size": 6912,
    "num_hidden_layers": 26,
    "num_attention_heads": 4,
    "num_key_value_heads": 1,
    "head_dim": 256,
    "sliding_window": 512,
    "query_pre_attn_scalar": 256,
    "max_position_embeddings": 32_768,
    "rope_parameters": {
        "sliding_attention": {"rope_type": "default", "rope_theta": 10_000.0},
        "full_attention": {"rope_type": "default", "rope_theta": 1_000_000.0},
    },
    # Five sliding-window layers, then one global layer, repeated.
    "layer_types": ["full_attention" if (i + 1) % 6 == 0 else "sliding_attention" for i in range(26)],
}


class LoraSettings(BaseModel):
    """LoRA on the language model's attention and MLP projections."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    r: int = Field(8, ge=1)
    lora_alpha: int = Field(8, ge=1)
    lora_dropout: float = Field(0.0, ge=0.0, lt=1.0)
    bias: Literal["none", "all", "lora_only"] = "none"
    target_modules: tuple[str, ...] = (
        "q_proj",
        "k_proj",
        "v_proj",
        "o_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
    )


class GrpoSettings(BaseModel):
    """The ``trl.GRPOConfig`` fields the recipe sets."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    learning_rate: float = Field(3e-6, gt=0.0)
    per_device_train_batch_size: int = Field(6, ge=1)
    gradient_accumulation_steps: int = Field(4, ge=1)
    num_generations: int = Field(6, ge=2)
    max_completion_length: int = Field(256, ge=1)
    max_steps: int = Field(300, ge=0)
    optim: str = "adamw_torch_fused"
    logging_steps: int = Field(1, ge=1)
    save_steps: int = Field(300, ge=1)
    seed: int = 3407
    report_to: str = "none"
    # The seed's sampling, also used for --infer.
    temperature: float = Field(1.0, gt=0.0)
    top_p: float = Field(0.95, gt=0.0, le=1.0)
    top_k: int = Field(64, ge=0)


class Recipe(BaseModel):
    """Everything the example trains with; ``--dry-run`` prints :meth:`resolved`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str = "unsloth/gemma-3-1b-it"
    backend: Literal["unsloth", "trl"] = "unsloth"
    max_seq_length: int = Field(1024, ge=16)
    load_in_4bit: bool = True
    max_prompt_length: int = Field(768, ge=1)
    dataset: str = "reasoning"
    system_prompt: str = SYSTEM_PROMPT
    output_dir: str = "outputs/gemma-3-1b-medical-grpo"
    save_merged: bool = False
    # Supervised steps in the format before GRPO (medreward.training.warmup), for models that never
    # write the tags by themselves; 0: none, as in the published recipe.
    format_warmup_steps: int = Field(0, ge=0)
    # Processes of the launch (`accelerate launch --num_processes N`): one per GPU; the generation
    # batch spans all of them (see medreward.training.distributed).
    num_processes: int = Field(1, ge=1)
    lora: LoraSettings = LoraSettings()
    grpo: GrpoSettings = GrpoSettings()
    rewards: tuple[str, ...] = ("match_format_exactly", "match_format_approximately", "check_answer")

    @model_validator(mode="after")
    def _generations_divide_batch(self) -> Recipe:
        self.generation_batch()  # raises ValueError with the numbers
        return self

    @model_validator(mode="after")
    def _lengths_fit(self) -> Recipe:
        if self.max_prompt_length + self.grpo.max_completion_length > self.max_seq_length:
            raise ValueError(
                f"max_prompt_length ({self.max_prompt_length}) + max_completion_length "
                f"({self.grpo.max_completion_length}) exceeds max_seq_length ({self.max_seq_length})"
            )
        return self

    def generation_batch(self) -> GenerationBatch:
        """TRL's generation batch for this recipe on ``num_processes`` processes."""
        return generation_batch(
            per_device_train_batch_size=self.grpo.per_device_train_batch_size,
            num_processes=self.num_processes,
            num_generations=self.grpo.num_generations,
            gradient_accumulation_steps=self.grpo.gradient_accumulation_steps,
        )

    def resolved(self) -> dict[str, Any]:
        """The whole configuration as plain JSON-ready data."""
        data = self.model_dump(mode="json")
        data["dataset_source"] = DATASETS.get(self.dataset, {"path": self.dataset})
        data["generation_batch"] = self.generation_batch().as_dict()
        return data


def grpo_config_kwargs(recipe: Recipe, config_class: type[Any], **extra: Any) -> dict[str, Any]:
    """Keyword arguments for ``config_class`` (``trl.GRPOConfig``), keeping only fields it accepts.

    TRL 0.28 removed ``max_prompt_length`` (prompts are limited in data preparation instead), so it is
    passed only where the installed TRL still has it.
    """
    fields = {f.name for f in dataclasses.fields(config_class)}
    grpo = recipe.grpo.model_dump()
    kwargs: dict[str, Any] = {
        **grpo,
        "output_dir": recipe.output_dir,
        "max_prompt_length": recipe.max_prompt_length,
        **extra,
    }
    return {k: v for k, v in kwargs.items() if k in fields}
