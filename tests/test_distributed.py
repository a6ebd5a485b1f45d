"""Multi-GPU readiness on a CPU: TRL's generation-batch rule, the accelerate configs, real launches.

The launches run ``accelerate launch`` on ``examples/train_gemma_grpo.py --backend trl --tiny``: one
process, then two processes (gloo on the CPU, the only multi-process check CI can do).
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError

from medreward.training.distributed import (
    LaunchEnvironment,
    generation_batch,
    resolve_precision,
)
from medreward.training.recipe import GrpoSettings, Recipe

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "train_gemma_grpo.py"
DDP = ROOT / "examples" / "accelerate" / "ddp.yaml"
ZERO2 = ROOT / "examples" / "accelerate" / "zero2.yaml"
BENCHMARK = ROOT / "benchmarks" / "multi_gpu_step.py"
REWARD_NAMES = ("match_format_exactly", "match_format_approximately", "check_answer")
LAUNCH_VARIABLES = (
    "WORLD_SIZE",
    "RANK",
    "LOCAL_RANK",
    "ACCELERATE_MIXED_PRECISION",
    "ACCELERATE_USE_DEEPSPEED",
)


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def clean_launch(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No launcher variables from the environment the tests run in."""
    for name in LAUNCH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# --- the generation-batch rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_device", "processes", "accumulation", "generations", "size"),
    [
        (6, 1, 4, 6, 24),  # the recipe on one GPU
        (6, 2, 4, 6, 48),
        (6, 8, 1, 6, 48),
        (6, 2, 1, 6, 12),  # --tiny on two processes
        (3, 2, 1, 6, 6),  # a group straddles the two processes: allowed
        (1, 3, 2, 6, 6),
        (2, 4, 1, 8, 8),
    ],
)
def test_generation_batch_accepts_whole_groups(
    per_device: int, processes: int, accumulation: int, generations: int, size: int
) -> None:
    batch = generation_batch(
        per_device_train_batch_size=per_device,
        num_processes=processes,
        num_generations=generations,
        gradient_accumulation_steps=accumulation,
    )
    assert batch.size == size
    assert batch.prompts == size // generations
    assert batch.per_process == per_device * accumulation
    assert batch.as_dict()["size"] == size


def test_generation_batch_rejects_partial_groups_with_the_numbers() -> None:
    with pytest.raises(ValueError, match="not a multiple of num_generations") as caught:
        generation_batch(
            per_device_train_batch_size=2,
            num_processes=2,
            num_generations=6,
            gradient_accumulation_steps=1,
        )
    message = str(caught.value)
    for part in (
        "per_device_train_batch_size (2)",
        "num_processes (2)",
        "steps_per_generation (1)",
        "= 4",
        "num_generations (6)",
        "steps_per_generation is gradient_accumulation_steps",
        "per_device_train_batch_size 3",  # the smallest per-device batch that fits
    ):
        assert part in message, part


def test_steps_per_generation_overrides_accumulation() -> None:
    batch = generation_batch(
        per_device_train_batch_size=4,
        num_processes=2,
        num_generations=6,
        gradient_accumulation_steps=2,
        steps_per_generation=3,
    )
    assert (batch.steps_per_generation, batch.size) == (3, 24)
    with pytest.raises(ValueError, match=r"steps_per_generation \(2\) = 16") as caught:
        generation_batch(
            per_device_train_batch_size=4,
            num_processes=2,
            num_generations=6,
            gradient_accumulation_steps=3,
            steps_per_generation=2,
        )
    assert "is gradient_accumulation_steps" not in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("per_device_train_batch_size", 0, "per_device_train_batch_size must be at least 1"),
        ("num_processes", 0, "num_processes must be at least 1"),
        ("gradient_accumulation_steps", 0, "gradient_accumulation_steps must be at least 1"),
        ("num_generations", 1, "num_generations must be at least 2"),
    ],
)
def test_generation_batch_rejects_impossible_factors(field: str, value: int, expected: str) -> None:
    kwargs = {
        "per_device_train_batch_size": 6,
        "num_processes": 1,
        "num_generations": 6,
        "gradient_accumulation_steps": 1,
    } | {field: value}
    with pytest.raises(ValueError, match=expected):
        generation_batch(**kwargs)


@pytest.mark.parametrize(
    ("per_device", "processes", "accumulation", "generations"),
    [(6, 2, 4, 6), (3, 2, 1, 6), (2, 2, 1, 6), (4, 3, 1, 6), (2, 4, 1, 8), (5, 2, 2, 4)],
)
def test_rule_agrees_with_trl(
    monkeypatch: pytest.MonkeyPatch, per_device: int, processes: int, accumulation: int, generations: int
) -> None:
    """TRL's own GRPOConfig check, with its process count set to ``processes``."""
    trl = pytest.importorskip("trl")
    monkeypatch.setattr(trl.GRPOConfig, "world_size", property(lambda self: processes))
    kwargs: dict[str, Any] = {
        "per_device_train_batch_size": per_device,
        "num_generations": generations,
        "gradient_accumulation_steps": accumulation,
    }
    try:
        ours = generation_batch(num_processes=processes, **kwargs).size
    except ValueError:
        ours = None
    try:
        config = trl.GRPOConfig(output_dir="unused", use_cpu=True, report_to="none", **kwargs)
        theirs = config.generation_batch_size
    except ValueError:
        theirs = None
    assert ours == theirs


def test_recipe_validates_for_its_process_count() -> None:
    grpo = GrpoSettings(per_device_train_batch_size=3, gradient_accumulation_steps=1)
    assert Recipe(num_processes=2, grpo=grpo).generation_batch().size == 6
    with pytest.raises(ValidationError, match=r"num_processes \(1\) x steps_per_generation \(1\) = 3"):
        Recipe(num_processes=1, grpo=grpo)
    resolved = Recipe(num_processes=4).resolved()
    assert resolved["num_processes"] == 4
    assert resolved["generation_batch"] == {
        "per_device_train_batch_size": 6,
        "num_processes": 4,
        "steps_per_generation": 4,
        "num_generations": 6,
        "size": 96,
        "per_process": 24,
        "prompts": 16,
    }


# --- the launch environment and precision -------------------------------------------------------


def test_launch_environment_from_torchrun_and_mpi_variables() -> None:
    plain = LaunchEnvironment.from_env({})
    assert (plain.num_processes, plain.process_index, plain.is_main_process, plain.is_distributed) == (
        1,
        0,
        True,
        False,
    )
    torchrun = LaunchEnvironment.from_env(
        {
            "WORLD_SIZE": "4",
            "RANK": "2",
            "LOCAL_RANK": "2",
            "ACCELERATE_MIXED_PRECISION": "bf16",
            "ACCELERATE_USE_DEEPSPEED": "true",
        }
    )
    assert torchrun == LaunchEnvironment(4, 2, 2, "bf16", True)
    assert not torchrun.is_main_process and torchrun.is_distributed
    mpi = LaunchEnvironment.from_env({"PMI_SIZE": "2", "PMI_RANK": "0"})
    assert (mpi.num_processes, mpi.is_main_process) == (2, True)
    with pytest.raises(ValueError, match="rank 3 of 2"):
        LaunchEnvironment.from_env({"WORLD_SIZE": "2", "RANK": "3"})
    with pytest.raises(ValueError, match="WORLD_SIZE='two'"):
        LaunchEnvironment.from_env({"WORLD_SIZE": "two"})


@pytest.mark.parametrize(
    ("requested", "cuda", "bf16", "launcher", "expected"),
    [
        ("auto", False, False, "bf16", "fp32"),  # a CPU trains in fp32, whatever the launcher says
        ("fp16", False, False, None, "fp32"),
        ("auto", True, True, None, "bf16"),
        ("auto", True, False, None, "fp16"),  # the T4
        ("auto", True, True, "fp16", "fp16"),  # accelerate launch --mixed_precision fp16
        ("auto", True, False, "bf16", "fp16"),  # bf16 asked on a GPU without it
        ("auto", True, True, "no", "bf16"),
        ("fp32", True, True, "bf16", "fp32"),  # an explicit --precision wins
        ("fp16", True, True, "bf16", "fp16"),
    ],
)
def test_resolve_precision(
    requested: str, cuda: bool, bf16: bool, launcher: str | None, expected: str
) -> None:
    assert resolve_precision(requested, cuda=cuda, bf16_supported=bf16, launcher=launcher) == expected


# --- the accelerate configs ---------------------------------------------------------------------


def test_configs_load_through_accelerate() -> None:
    config_args = pytest.importorskip("accelerate.commands.config.config_args")
    from accelerate.utils import DistributedType

    ddp = config_args.load_config_from_file(str(DDP))
    zero2 = config_args.load_config_from_file(str(ZERO2))
    for config in (ddp, zero2):
        assert isinstance(config, config_args.ClusterConfig)
        assert (config.num_processes, config.num_machines, config.mixed_precision) == (2, 1, "bf16")
        assert config.use_cpu is False
    assert ddp.distributed_type == DistributedType.MULTI_GPU
    assert ddp.deepspeed_config == {}
    assert zero2.distributed_type == DistributedType.DEEPSPEED
    assert zero2.deepspeed_config["zero_stage"] == 2
    assert zero2.deepspeed_config["offload_optimizer_device"] == "none"
    assert zero2.deepspeed_config["offload_param_device"] == "none"
    # Left to the script's GRPOConfig ("auto"): a value here could contradict it.
    assert "gradient_accumulation_steps" not in zero2.deepspeed_config
    assert "gradient_clipping" not in zero2.deepspeed_config
    for path in (DDP, ZERO2):
        assert "--num_processes N" in path.read_text()


@pytest.mark.parametrize(("path", "deepspeed"), [(DDP, False), (ZERO2, True)])
def test_num_processes_on_the_command_line_overrides_the_config(path: Path, deepspeed: bool) -> None:
    launch = pytest.importorskip("accelerate.commands.launch")
    parser = launch.launch_command_parser()
    args = parser.parse_args(["--config_file", str(path), "--num_processes", "8", "train.py"])
    args, _, _ = launch._validate_launch_command(args)
    assert args.num_processes == 8
    assert (args.use_deepspeed, args.multi_gpu) == (deepspeed, not deepspeed)
    assert args.mixed_precision == "bf16"
    if deepspeed:
        assert args.zero_stage == 2


# --- the example under a launcher's environment, in this process --------------------------------


@pytest.fixture(scope="module")
def example() -> ModuleType:
    return _load("train_gemma_grpo", EXAMPLE)


def test_dry_run_prints_process_count_and_generation_batch(
    example: ModuleType, clean_launch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_launch.setenv("WORLD_SIZE", "4")
    clean_launch.setenv("RANK", "0")
    argv = ["--dry-run", "--backend", "trl", "--gradient-accumulation-steps", "1"]
    assert example.main(argv) == 0
    resolved = json.loads(capsys.readouterr().out)
    assert resolved["num_processes"] == 4
    # 6 x 4 processes x 1: as many completions as one GPU with accumulation 4
    assert resolved["generation_batch"]["size"] == 24
    assert resolved["grpo"]["gradient_accumulation_steps"] == 1
    # Every other process stays quiet.
    clean_launch.setenv("RANK", "3")
    assert example.main(argv) == 0
    assert capsys.readouterr().out == ""


def test_dry_run_on_one_process(
    example: ModuleType, clean_launch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert example.main(["--dry-run"]) == 0
    resolved = json.loads(capsys.readouterr().out)
    assert (resolved["num_processes"], resolved["generation_batch"]["size"]) == (1, 24)


def test_unsloth_on_several_processes_exits_at_once(
    example: ModuleType, clean_launch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_launch.setenv("WORLD_SIZE", "2")
    clean_launch.setenv("RANK", "0")
    assert example.main(["--tiny", "--max-steps", "1"]) == 2
    err = capsys.readouterr().err
    assert "--backend trl" in err and "2 processes" in err and "one GPU" in err


def test_bad_generation_batch_fails_before_loading(
    example: ModuleType, clean_launch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_launch.setenv("WORLD_SIZE", "2")
    clean_launch.setenv("RANK", "0")
    argv = ["--backend", "trl", "--tiny", "--per-device-train-batch-size", "2"]
    assert example.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the generation batch per_device_train_batch_size (2) x num_processes (2)")
    assert "= 4 is not a multiple of num_generations (6)" in err
    assert "validation error" not in err  # pydantic's wrapper is stripped


# --- real launches ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _accelerate_launch(launch_args: list[str], script: Path, script_args: list[str]) -> str:
    """Run ``accelerate launch`` as a user would; return its output, failing the test on error."""
    pytest.importorskip("trl")
    env = {k: v for k, v in os.environ.items() if k not in LAUNCH_VARIABLES}
    # One BLAS thread a process: two processes on a 2-core CI runner.
    env |= {"PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    command = [
        sys.executable, "-m", "accelerate.commands.launch",
        "--main_process_port", str(_free_port()), *launch_args, str(script), *script_args,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, cwd=ROOT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    return output


def _check_run(output_dir: Path) -> list[dict[str, Any]]:
    adapter = json.loads((output_dir / "adapter" / "adapter_config.json").read_text())
    assert (adapter["r"], adapter["lora_alpha"]) == (8, 8)
    assert (output_dir / "adapter" / "adapter_model.safetensors").stat().st_size > 0
    history: list[dict[str, Any]] = json.loads((output_dir / "log_history.json").read_text())
    steps = [entry for entry in history if "loss" in entry]
    assert len(steps) == 2
    for name in REWARD_NAMES:
        assert all(f"rewards/{name}/mean" in entry for entry in steps), name
    return steps


def test_accelerate_launch_one_process(tmp_path: Path) -> None:
    output = _accelerate_launch(
        ["--config_file", str(DDP), "--num_processes", "1", "--cpu"],
        EXAMPLE,
        ["--backend", "trl", "--tiny", "--max-steps", "2", "--output-dir", str(tmp_path)],
    )
    assert "1 process (no distribution), fp32: each generation samples 6 completions" in output
    steps = _check_run(tmp_path)
    assert steps[-1]["epoch"] == pytest.approx(2 / 8)  # 1 prompt a step out of 8


def test_accelerate_launch_two_processes_gloo(tmp_path: Path) -> None:
    """DDP over two CPU processes: torchrun starts them, gloo connects them."""
    output = _accelerate_launch(
        ["--config_file", str(DDP), "--num_processes", "2"],
        EXAMPLE,
        ["--backend", "trl", "--tiny", "--max-steps", "2", "--output-dir", str(tmp_path)],
    )
    # The main process alone prints and writes.
    assert output.count("2 processes (DDP on CPUs), fp32: each generation samples 12 completions") == 1
    assert output.count(f"saved the LoRA adapter to {tmp_path / 'adapter'}") == 1
    steps = _check_run(tmp_path)
    # Two processes each took their own prompt every step: twice the data of one process.
    assert steps[-1]["epoch"] == pytest.approx(4 / 8)


@pytest.mark.skipif(
    importlib.util.find_spec("deepspeed") is None, reason="deepspeed: pip install 'medreward[multigpu]'"
)
def test_accelerate_launch_zero2_two_processes(tmp_path: Path) -> None:
    """The ZeRO-2 config, as written, through DeepSpeed's CPU accelerator (gloo)."""
    output = _accelerate_launch(
        ["--config_file", str(ZERO2), "--num_processes", "2"],
        EXAMPLE,
        ["--backend", "trl", "--tiny", "--max-steps", "2", "--output-dir", str(tmp_path)],
    )
    assert output.count("2 processes (DeepSpeed), fp32: each generation samples 12") == 1
    steps = _check_run(tmp_path)
    assert steps[-1]["epoch"] == pytest.approx(4 / 8)


# --- the multi-GPU benchmark, on a CPU ----------------------------------------------------------


def test_multi_gpu_benchmark_records_and_reports(clean_launch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("trl")
    clean_launch.syspath_prepend(str(BENCHMARK.parent))  # as when it runs as a script
    benchmark = _load("multi_gpu_step", BENCHMARK)
    with pytest.raises(SystemExit):
        benchmark.parse_args(["--steps", "0"])
    results = tmp_path / "results.json"
    argv = ["--allow-cpu", "--shape", "tiny", "--steps", "1", "--output", str(results)]
    argv += ["--work-dir", str(tmp_path / "work"), "--num-generations", "2"]
    argv += ["--per-device-train-batch-size", "2", "--gradient-accumulation-steps", "1"]
    assert benchmark.main(argv) == 0
    (record,) = json.loads(results.read_text())
    assert (record["num_processes"], record["baseline"], record["distributed_type"]) == (1, True, "NO")
    assert record["precision"] == "fp32"
    assert record["generation_batch"]["size"] == 2
    assert record["batch_flags"] == {
        "per_device_train_batch_size": 2,
        "gradient_accumulation_steps": 1,
        "num_generations": 2,
    }
    (process,) = record["per_process"]
    assert process["rank"] == 0 and len(process["step_seconds"]) == 1
    assert process["peak_allocated_gib"] is None  # no GPU
    # A two-process record next to it is compared with the baseline of the same batch flags.
    two = record | {
        "num_processes": 2,
        "baseline": False,
        "distributed_type": "MULTI_GPU",
        "completions_per_second": record["completions_per_second"] * 1.5,
        "per_process": [process, process | {"rank": 1}],
    }
    lines = benchmark.report([record, two]).splitlines()
    assert "baseline" in lines[-2]
    assert "MULTI_GPU" in lines[-1] and "75%" in lines[-1]
    assert record["max_completion_length"] == 32  # the example's --tiny run
