"""examples/train_gemma_grpo.py really runs: plain TRL + PEFT on the CPU with a tiny offline model."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("trl")

from medreward.training.data import load_training_dataset
from medreward.training.recipe import GEMMA3_1B_ARCHITECTURE, Recipe, grpo_config_kwargs
from medreward.training.tiny import build_tiny_tokenizer

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "train_gemma_grpo.py"
REWARD_NAMES = ("match_format_exactly", "match_format_approximately", "check_answer")


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_gemma_grpo", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dry_run_prints_the_recipe(example: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert example.main(["--dry-run"]) == 0
    resolved = json.loads(capsys.readouterr().out)
    assert resolved["model"] == "unsloth/gemma-3-1b-it"
    assert resolved["backend"] == "unsloth"
    assert resolved["max_seq_length"] == 1024
    assert resolved["max_prompt_length"] == 768
    assert resolved["load_in_4bit"] is True
    assert resolved["lora"] | {"target_modules": None} == {
        "r": 8,
        "lora_alpha": 8,
        "lora_dropout": 0.0,
        "bias": "none",
        "target_modules": None,
    }
    grpo = resolved["grpo"]
    assert (
        grpo["learning_rate"],
        grpo["per_device_train_batch_size"],
        grpo["gradient_accumulation_steps"],
    ) == (3e-6, 6, 4)
    assert (grpo["num_generations"], grpo["max_completion_length"], grpo["max_steps"]) == (6, 256, 300)
    assert grpo["optim"] == "adamw_torch_fused"
    assert (grpo["temperature"], grpo["top_p"], grpo["top_k"]) == (1.0, 0.95, 64)
    assert resolved["rewards"] == list(REWARD_NAMES)
    assert resolved["dataset_source"]["path"] == "FreedomIntelligence/medical-o1-reasoning-SFT"
    assert "You are a medical reasoning assistant." in resolved["system_prompt"]


def test_dry_run_verifiable_dataset(example: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert example.main(["--dry-run", "--dataset", "verifiable", "--backend", "trl"]) == 0
    resolved = json.loads(capsys.readouterr().out)
    assert resolved["dataset_source"]["answer"] == "Ground-True Answer"
    assert resolved["backend"] == "trl"


def test_unsloth_without_cuda_fails_fast(example: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present")
    assert example.main(["--tiny", "--max-steps", "1"]) == 2
    assert "--backend trl" in capsys.readouterr().err


def test_tiny_trl_run_saves_adapter_and_logs_rewards(example: ModuleType, tmp_path: Path) -> None:
    assert (
        example.main(["--backend", "trl", "--tiny", "--max-steps", "2", "--output-dir", str(tmp_path)]) == 0
    )
    adapter = json.loads((tmp_path / "adapter" / "adapter_config.json").read_text())
    assert (adapter["r"], adapter["lora_alpha"], adapter["lora_dropout"]) == (8, 8, 0.0)
    assert (tmp_path / "adapter" / "adapter_model.safetensors").stat().st_size > 0
    history = json.loads((tmp_path / "log_history.json").read_text())
    steps = [entry for entry in history if "loss" in entry]
    assert len(steps) == 2
    for name in REWARD_NAMES:
        assert all(f"rewards/{name}/mean" in entry for entry in steps), name


def test_max_prompt_length_only_where_trl_accepts_it() -> None:
    from trl import GRPOConfig

    kwargs = grpo_config_kwargs(Recipe(), GRPOConfig)
    has_field = "max_prompt_length" in {f.name for f in dataclasses.fields(GRPOConfig)}
    assert ("max_prompt_length" in kwargs) == has_field
    assert kwargs["num_generations"] == 6

    @dataclasses.dataclass
    class OldConfig:  # the TRL < 0.28 shape
        output_dir: str = ""
        max_prompt_length: int = 512
        learning_rate: float = 0.0

    assert grpo_config_kwargs(Recipe(), OldConfig) == {
        "output_dir": Recipe().output_dir,
        "max_prompt_length": 768,
        "learning_rate": 3e-6,
    }


def test_local_jsonl_dataset_is_mapped_and_long_prompts_dropped(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [
        {"Question": "Short question?", "Response": "Short answer."},
        {"Question": "word " * 400, "Response": "Too long."},
    ]
    path = tmp_path / "data.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    data = load_training_dataset(str(path), build_tiny_tokenizer(), "System.", max_prompt_tokens=200)
    assert len(data) == 1
    assert data[0]["answer"] == "Short answer."
    assert data[0]["prompt"] == [
        {"role": "system", "content": "System."},
        {"role": "user", "content": "Short question?"},
    ]


def test_local_dataset_without_answer_column_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text(json.dumps({"Question": "q", "other": "x"}))
    with pytest.raises(ValueError, match="no reference answer column"):
        load_training_dataset(str(path), build_tiny_tokenizer(), "S", 100)


def test_recipe_validation() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="multiple of num_generations"):
        Recipe.model_validate({"grpo": {"per_device_train_batch_size": 5, "gradient_accumulation_steps": 1}})
    with pytest.raises(ValidationError, match="exceeds max_seq_length"):
        Recipe(max_prompt_length=1000)


def test_gemma_1b_architecture_matches_the_release() -> None:
    arch = GEMMA3_1B_ARCHITECTURE
    assert arch["layer_types"].count("full_attention") == 4
    assert arch["layer_types"][5] == "full_attention"
    assert (arch["hidden_size"], arch["num_hidden_layers"], arch["vocab_size"]) == (1152, 26, 262_144)


# --------------------------------------------------------------------------------------------------
# What a new user meets: help, missing extras, offline loading, --tiny's fixed model and data.
# --------------------------------------------------------------------------------------------------


def _run_example(*args: str, env: dict[str, str] | None = None, code: str | None = None) -> Any:
    import os
    import subprocess
    import sys

    command = [sys.executable, str(EXAMPLE), *args] if code is None else [sys.executable, "-c", code, *args]
    return subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300
    )


def test_help_keeps_the_accelerate_command_lines() -> None:
    result = _run_example("--help")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    launches = [i for i, line in enumerate(lines) if line.strip().startswith("accelerate launch")]
    assert len(launches) == 2
    for i in launches:
        assert lines[i].endswith("\\")  # the continuation stays on its own line
        assert lines[i + 1].strip().startswith("examples/train_gemma_grpo.py --backend trl")


@pytest.mark.parametrize(
    ("extra", "named"),
    [(["--model", "some/model"], "--model"), (["--dataset", "verifiable"], "--dataset")],
)
def test_tiny_refuses_a_model_or_dataset_it_would_ignore(extra: list[str], named: str) -> None:
    result = _run_example("--tiny", "--backend", "trl", "--dry-run", *extra)
    assert result.returncode == 2
    assert "--tiny" in result.stderr and named in result.stderr and "Traceback" not in result.stderr


def test_tiny_accepts_the_samples_it_uses(example: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert example.main(["--tiny", "--dataset", "samples", "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["dataset"] == "samples"


def test_without_the_train_extra_it_says_what_to_install(tmp_path: Path) -> None:
    # The core install: importing torch fails as it does where torch is absent.
    code = (
        "import runpy, sys; sys.modules['torch'] = None; sys.argv = [sys.argv[0], *sys.argv[1:]]; "
        f"runpy.run_path({str(EXAMPLE)!r}, run_name='__main__')"
    )
    result = _run_example("--backend", "trl", "--tiny", "--output-dir", str(tmp_path), code=code)
    assert result.returncode == 2, result.stderr
    assert 'pip install "medreward[train]"' in result.stderr and "torch" in result.stderr
    assert "Traceback" not in result.stderr


def test_offline_model_load_failure_is_explained(tmp_path: Path) -> None:
    args = ["--backend", "trl", "--model", "medreward-tests/no-such-model", "--dataset", "samples"]
    result = _run_example(*args, "--output-dir", str(tmp_path), env={"HF_HUB_OFFLINE": "1"})
    assert result.returncode == 2, result.stderr
    err = result.stderr
    assert "cannot load the model 'medreward-tests/no-such-model'" in err and "Traceback" not in err
    assert "--tiny" in err and "--model PATH" in err


def test_summary_names_the_distribution_in_words(example: ModuleType) -> None:
    from accelerate.utils import DistributedType

    assert example.describe_distribution(DistributedType.NO) == "no distribution"
    assert example.describe_distribution(DistributedType.MULTI_GPU) == "DDP on GPUs"
    assert example.describe_distribution("SOMETHING_NEW") == "something new"


def test_tiny_trl_run_with_a_format_warm_start(
    example: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "--backend",
        "trl",
        "--tiny",
        "--format-warmup",
        "3",
        "--max-steps",
        "1",
        "--output-dir",
        str(tmp_path),
    ]
    assert example.main(argv) == 0
    out = capsys.readouterr().out
    assert "format warm start: 3 steps on 8 examples" in out  # the 8 sample questions
    # The warm start added the LoRA adapter itself; GRPO trained and saved that same adapter.
    adapter = json.loads((tmp_path / "adapter" / "adapter_config.json").read_text())
    assert adapter["r"] == 8
    assert len([e for e in json.loads((tmp_path / "log_history.json").read_text()) if "loss" in e]) == 1


def test_dry_run_shows_the_warm_start_and_gguf_needs_trl(
    example: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert example.main(["--dry-run", "--format-warmup", "40"]) == 0
    assert json.loads(capsys.readouterr().out)["format_warmup_steps"] == 40
    assert example.main(["--model", "smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", "--max-steps", "1"]) == 2
    assert "use --backend trl" in capsys.readouterr().err


def test_a_gguf_model_loads_through_the_gguf_loader_with_lora(
    example: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("peft")
    import medreward.training.gguf as gguf

    loaded: list[str] = []

    def fake_loader(path: str) -> tuple[str, str]:
        loaded.append(path)
        return "model", "tokenizer"

    monkeypatch.setattr(gguf, "load_gguf_model", fake_loader)
    recipe = Recipe(backend="trl", model="x.gguf")
    model, tokenizer, lora = example.load_trl(recipe, "/models/SmolLM2.gguf", "bf16")
    assert (model, tokenizer, loaded) == ("model", "tokenizer", ["/models/SmolLM2.gguf"])
    assert (lora.r, sorted(lora.target_modules)) == (8, sorted(recipe.lora.target_modules))
