"""A tiny, randomly initialised Gemma-3 model and tokenizer, built offline.

Tests and ``examples/train_gemma_grpo.py --tiny`` need a real model and a real tokenizer without
the Hugging Face Hub. :func:`build_tiny_gemma` trains a small byte-level BPE tokenizer on the
package's sample questions, gives it a Gemma-style chat template, and saves it with a random
``Gemma3ForCausalLM`` of the same architecture family as Gemma-3-1B (sliding and global attention
layers), small enough to train on a CPU in seconds.

>>> path = build_tiny_gemma("/tmp/tiny-gemma")  # doctest: +SKIP
>>> AutoModelForCausalLM.from_pretrained(path)  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medreward.prompts import SYSTEM_PROMPT
from medreward.samples import load_samples

__all__ = ["GEMMA_CHAT_TEMPLATE", "build_tiny_gemma", "build_tiny_tokenizer"]

# Gemma's chat template, reduced to what GRPO uses: a system turn folded into the first user turn,
# then alternating turns, and the generation prompt.
GEMMA_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{%- if messages[0]['role'] == 'system' -%}"
    "{%- set first_user_prefix = messages[0]['content'] + '\n\n' -%}"
    "{%- set loop_messages = messages[1:] -%}"
    "{%- else -%}{%- set first_user_prefix = '' -%}{%- set loop_messages = messages -%}{%- endif -%}"
    "{%- for message in loop_messages -%}"
    "{%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}"
    "{{ '<start_of_turn>' + role + '\n' + (first_user_prefix if loop.first else '') }}"
    "{{ message['content'] | trim }}{{ '<end_of_turn>\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<start_of_turn>model\n' }}{%- endif -%}"
)

_SPECIAL_TOKENS = ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"]


def build_tiny_tokenizer(vocab_size: int = 512, pad_vocab_to: int | None = None) -> Any:
    """A byte-level BPE ``PreTrainedTokenizerFast`` trained on the sample data, with a chat template.

    ``pad_vocab_to`` fills the vocabulary with ``<unusedN>`` entries up to that size, so that a
    model with a real vocabulary size (262,144 for Gemma 3) can decode every id it samples.
    """
    import json

    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    corpus = [SYSTEM_PROMPT]
    for row in load_samples():
        corpus += [row["Question"], row["Response"], row["answer"], *row["distractors"]]
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=_SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(corpus, trainer)
    if pad_vocab_to is not None and pad_vocab_to > tokenizer.get_vocab_size():
        spec = json.loads(tokenizer.to_str())
        vocab = spec["model"]["vocab"]
        vocab.update({f"<unused{i}>": i for i in range(len(vocab), pad_vocab_to)})
        tokenizer = Tokenizer.from_str(json.dumps(spec))
    fast = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call,unused-ignore]
        tokenizer_object=tokenizer,
        bos_token="<bos>",
        eos_token="<eos>",
        pad_token="<pad>",
        unk_token="<unk>",
        additional_special_tokens=["<start_of_turn>", "<end_of_turn>"],
    )
    fast.chat_template = GEMMA_CHAT_TEMPLATE
    return fast


def build_tiny_gemma(
    output_dir: str | Path, *, seed: int = 0, dtype: str | None = None, **config_overrides: Any
) -> Path:
    """Save a random tiny ``Gemma3ForCausalLM`` and its tokenizer to ``output_dir``; return the path.

    ``config_overrides`` replace ``Gemma3TextConfig`` fields: pass
    :data:`~medreward.training.recipe.GEMMA3_1B_ARCHITECTURE` for a random model with Gemma-3-1B's
    exact shapes (the tokenizer's vocabulary is then padded to match). ``dtype`` (``"float16"``,
    ``"bfloat16"``) saves the weights in that precision.
    """
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    output = Path(output_dir)
    tokenizer = build_tiny_tokenizer(pad_vocab_to=config_overrides.get("vocab_size"))
    settings: dict[str, Any] = {
        "vocab_size": len(tokenizer),
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "num_key_value_heads": 1,
        "head_dim": 32,
        "sliding_window": 64,
        "layer_types": ["sliding_attention", "full_attention"],
        "max_position_embeddings": 2048,
        "pad_token_id": tokenizer.pad_token_id,
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
    }
    settings.update(config_overrides)
    torch.manual_seed(seed)
    model = Gemma3ForCausalLM(Gemma3TextConfig(**settings))
    if dtype is not None:
        model = model.to(getattr(torch, dtype))
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    output.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(output)
    tokenizer.save_pretrained(output)
    return output
