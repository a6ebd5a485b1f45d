"""Reward throughput on GRPO-shaped batches: medreward's rewards against notebook-style baselines.

A batch is what one GRPO step hands a reward function: 24 completions, 4 prompts x 6 generations,
each completion about 1,000 characters in the seed format (a reasoning block cut from the shared
data's ``Complex_CoT`` and a solution that is the row's answer or one of its wrong options), judged
against the long ``Response`` reference. Batches are built deterministically (``random.Random(0)``)
from ``../shared/data/medical_o1_dev.jsonl``, or from ``medreward.samples.load_samples()`` when the
shared data is absent.

Timed side by side in one run, on one core (the process is pinned to one CPU where the OS allows):

* medreward: ``match_format_exactly``, ``match_format_approximately``, ``check_answer`` and their
  sum ``combined(...)``, each called as TRL calls it (``reward(prompts=..., completions=..., answer=...)``);
* the Unsloth GRPO notebook's implementation: one ``re.compile`` (MULTILINE | DOTALL) for the exact
  format, tag counts for the approximate format, regex extraction plus string equality for the
  answer, and their sum;
* a naive fuzzy judge: regex extraction, then ``rapidfuzz.fuzz.token_set_ratio(solution, reference)``.

Each measurement repeats whole batches for at least ``--min-seconds`` (``time.perf_counter``); the
table reports the median completions/second of ``--repeats`` measurements. ``import medreward`` time
(median of 5 fresh interpreters) and peak RSS after the first ``check_answer`` call (in a fresh
subprocess, ``resource.getrusage``) are measured too.

Run from the repository root::

    python benchmarks/reward_throughput.py [--output benchmarks/results/reward_throughput.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

import medreward
from medreward import (
    DEFAULT_TAGS,
    check_answer,
    combined,
    match_format_approximately,
    match_format_exactly,
)
from medreward.samples import load_samples

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "medical_o1_dev.jsonl"
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "reward_throughput.json"

PROMPTS_PER_BATCH = 4
GENERATIONS = 6
COMPLETION_CHARS = 1000

RewardFunction = Callable[..., list[Any]]

# --------------------------------------------------------------------------------------------------
# The Unsloth GRPO notebook's rewards (string completions instead of message lists).
# --------------------------------------------------------------------------------------------------

_T = DEFAULT_TAGS
UNSLOTH_MATCH_FORMAT = re.compile(
    rf"^[\s]{{0,}}{re.escape(_T.reasoning_start)}.+?{re.escape(_T.reasoning_end)}.*?"
    rf"{re.escape(_T.solution_start)}(.+?){re.escape(_T.solution_end)}[\s]{{0,}}$",
    flags=re.MULTILINE | re.DOTALL,
)


def unsloth_match_format_exactly(completions: Sequence[str], **kwargs: Any) -> list[float]:
    return [3.0 if UNSLOTH_MATCH_FORMAT.search(c) is not None else 0.0 for c in completions]


def unsloth_match_format_approximately(completions: Sequence[str], **kwargs: Any) -> list[float]:
    scores = []
    for c in completions:
        score = 0.0
        for tag in _T.ordered:
            score += 0.5 if c.count(tag) == 1 else -0.5
        scores.append(score)
    return scores


def unsloth_check_answer(completions: Sequence[str], answer: Sequence[str], **kwargs: Any) -> list[float]:
    scores = []
    for c, reference in zip(completions, answer):
        guess = UNSLOTH_MATCH_FORMAT.search(c)
        if guess is None:
            scores.append(0.0)
        elif guess.group(1) == reference:
            scores.append(3.0)
        elif guess.group(1).strip() == reference.strip():
            scores.append(1.5)
        else:
            scores.append(-0.5)
    return scores


def unsloth_sum(completions: Sequence[str], answer: Sequence[str], **kwargs: Any) -> list[float]:
    parts = (
        unsloth_match_format_exactly(completions),
        unsloth_match_format_approximately(completions),
        unsloth_check_answer(completions, answer),
    )
    return [sum(scores) for scores in zip(*parts)]


def naive_token_set(completions: Sequence[str], answer: Sequence[str], **kwargs: Any) -> list[float]:
    scores = []
    for c, reference in zip(completions, answer):
        guess = UNSLOTH_MATCH_FORMAT.search(c)
        scores.append(0.0 if guess is None else fuzz.token_set_ratio(guess.group(1), reference))
    return scores


medreward_sum = combined(match_format_exactly, match_format_approximately, check_answer, name="medreward_sum")

# (reward, implementation, function): the rows of the table, in order.
CONTENDERS: tuple[tuple[str, str, RewardFunction], ...] = (
    ("match_format_exactly", "medreward", match_format_exactly),
    ("match_format_exactly", "unsloth notebook", unsloth_match_format_exactly),
    ("match_format_approximately", "medreward", match_format_approximately),
    ("match_format_approximately", "unsloth notebook", unsloth_match_format_approximately),
    ("check_answer", "medreward", check_answer),
    ("check_answer", "unsloth notebook", unsloth_check_answer),
    ("check_answer", "naive token_set_ratio", naive_token_set),
    ("sum of the three", "medreward combined", medreward_sum),
    ("sum of the three", "unsloth notebook", unsloth_sum),
)

# --------------------------------------------------------------------------------------------------
# Batches
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    question: str
    reasoning_text: str
    reference: str
    solutions: tuple[str, ...]  # the answer first, then wrong options


@dataclass(frozen=True)
class Batch:
    prompts: list[str]
    completions: list[str]
    answer: list[str]


def load_sources(data: Path) -> tuple[list[Source], str]:
    if data.is_file():
        sources = []
        with data.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                row = json.loads(line)
                right = str(row["Ground-True Answer"]).strip()
                wrong = [str(v).strip() for k, v in row["options"].items() if k != row["answer_idx"]]
                sources.append(Source(row["Question"], row["Complex_CoT"], row["Response"], (right, *wrong)))
        return sources, str(data)
    print(f"reward_throughput: {data} not found; using medreward.samples.load_samples()", file=sys.stderr)
    return [
        Source(row["Question"], row["Response"], row["Response"], (row["answer"], *row["distractors"]))
        for row in load_samples()
    ], "medreward.samples.load_samples()"


def _reasoning(rng: random.Random, text: str, chars: int) -> str:
    """``chars`` characters of ``text`` from a random start, wrapping around (repeating short texts)."""
    text = " ".join(text.split())
    while len(text) < 2 * chars:
        text = f"{text} {text}"
    start = rng.randrange(len(text) - chars)
    return text[start : start + chars].strip()


def build_batches(sources: Sequence[Source], count: int, seed: int = 0) -> list[Batch]:
    rng = random.Random(seed)
    overhead = sum(len(tag) for tag in _T.ordered) + 1
    batches = []
    for _ in range(count):
        picked = rng.sample(list(sources), PROMPTS_PER_BATCH)
        prompts: list[str] = []
        completions: list[str] = []
        answer: list[str] = []
        for source in picked:
            for _ in range(GENERATIONS):
                solution = rng.choice(source.solutions)
                reasoning = _reasoning(
                    rng, source.reasoning_text, COMPLETION_CHARS - overhead - len(solution)
                )
                completions.append(_T.wrap(reasoning, solution))
                prompts.append(source.question)
                answer.append(source.reference)
        batches.append(Batch(prompts, completions, answer))
    return batches


# --------------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------------


def _run(function: RewardFunction, batches: Sequence[Batch], calls: int) -> float:
    n = len(batches)
    started = time.perf_counter()
    for i in range(calls):
        b = batches[i % n]
        function(prompts=b.prompts, completions=b.completions, answer=b.answer)
    return time.perf_counter() - started


def calibrate(function: RewardFunction, batches: Sequence[Batch], min_seconds: float) -> int:
    """The number of batch calls that takes at least ``min_seconds`` (after a warm-up pass)."""
    _run(function, batches, len(batches))
    calls = 1
    while (elapsed := _run(function, batches, calls)) < min_seconds / 4:
        calls *= 2
    return max(calls, int(calls * min_seconds / elapsed) + 1)


def throughput(
    contenders: Sequence[RewardFunction], batches: Sequence[Batch], min_seconds: float, repeats: int
) -> list[dict[str, Any]]:
    """Completions/second of every contender, median of ``repeats`` runs of >= ``min_seconds`` each.

    The runs are interleaved (contender 1, 2, ..., n, then again) so that a burst of load from
    elsewhere on the machine spreads over all contenders instead of skewing one.
    """
    calls = [calibrate(f, batches, min_seconds) for f in contenders]
    per_batch = len(batches[0].completions)
    rates: list[list[float]] = [[] for _ in contenders]
    for _ in range(repeats):
        for i, function in enumerate(contenders):
            rates[i].append(calls[i] * per_batch / _run(function, batches, calls[i]))
    return [
        {
            "completions_per_second": statistics.median(r),
            "min": min(r),
            "max": max(r),
            "runs": r,
            "batches_per_run": n,
        }
        for r, n in zip(rates, calls)
    ]


def _subprocess_value(code: str, stdin: str = "") -> float:
    done = subprocess.run(
        [sys.executable, "-c", code], input=stdin, capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    return float(done.stdout.strip().splitlines()[-1])


_IMPORT_CODE = """
import time
t = time.perf_counter()
import medreward
elapsed = time.perf_counter() - t
import sys
heavy = [m for m in ("torch", "transformers", "trl") if m in sys.modules]
assert not heavy, heavy
print(elapsed)
"""

_RSS_CODE = """
import json, resource, sys
batch = json.load(sys.stdin)
{body}
hwm = -1.0
try:
    with open("/proc/self/status") as status:
        hwm = float(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
except (OSError, StopIteration):
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, hwm)
"""

# On Linux a child's ru_maxrss starts from the high-water mark of the process that forked it (the
# forked copy of its memory is accounted at exec), so a child of this benchmark process would report
# at least this process's RSS. A bare launcher in between keeps the inherited mark to a bare
# interpreter's.
_LAUNCHER = """
import subprocess, sys
done = subprocess.run([sys.executable, "-c", sys.argv[1]], stdin=sys.stdin, capture_output=True, text=True)
sys.stdout.write(done.stdout); sys.stderr.write(done.stderr); sys.exit(done.returncode)
"""


def import_seconds(repeats: int = 5) -> list[float]:
    return [_subprocess_value(_IMPORT_CODE) for _ in range(repeats)]


# The first check_answer call of a process loads the lexicon: timed from a fresh import.
_FIRST_CALL_CODE = """
import json, sys, time
batch = json.load(sys.stdin)
t = time.perf_counter()
from medreward import check_answer
check_answer(**batch)
print(time.perf_counter() - t)
"""


def first_call_seconds(batch: Batch, repeats: int = 5) -> list[float]:
    """Import plus the first ``check_answer`` call (lexicon load included), in fresh interpreters."""
    payload = json.dumps({"prompts": batch.prompts, "completions": batch.completions, "answer": batch.answer})
    return [_subprocess_value(_FIRST_CALL_CODE, payload) for _ in range(repeats)]


def peak_rss_kib(batch: Batch) -> dict[str, dict[str, float]]:
    """Peak RSS (KiB) of fresh interpreters: bare, after the import, after one check_answer call.

    ``ru_maxrss`` from ``resource.getrusage`` in the measured process (started through a bare
    launcher, see ``_LAUNCHER``), and ``VmHWM`` from ``/proc/self/status`` where it exists (-1 if not).
    """
    payload = json.dumps({"prompts": batch.prompts, "completions": batch.completions, "answer": batch.answer})
    bodies = {
        "python_only": "",
        "after_import": "import medreward",
        "after_first_check_answer": "from medreward import check_answer\ncheck_answer(**batch)",
    }
    result = {}
    for name, body in bodies.items():
        done = subprocess.run(
            [sys.executable, "-c", _LAUNCHER, _RSS_CODE.format(body=body)],
            input=payload,
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO_ROOT,
        )
        maxrss, hwm = (float(x) for x in done.stdout.split())
        result[name] = {"ru_maxrss": maxrss, "vm_hwm": hwm}
    return result


def _load(value: tuple[float, float, float] | None) -> str:
    return "n/a" if value is None else f"{value[0]:.2f}"


def _pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity); single-threaded"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"JSONL rows (default: {DEFAULT_DATA})"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON results")
    parser.add_argument(
        "--batches", type=int, default=16, help="distinct batches cycled through (default 16)"
    )
    parser.add_argument("--min-seconds", type=float, default=1.0, help="least duration of one measurement")
    parser.add_argument("--repeats", type=int, default=5, help="measurements per contender (median reported)")
    args = parser.parse_args(argv)

    sources, source_name = load_sources(args.data)
    batches = build_batches(sources, args.batches)
    chars = [len(c) for b in batches for c in b.completions]
    pinning = _pin_to_one_core()

    # Every contender must score the batch: a crash here is a finding, not a timing.
    for _, _, function in CONTENDERS:
        b = batches[0]
        scores = function(prompts=b.prompts, completions=b.completions, answer=b.answer)
        assert len(scores) == len(b.completions)

    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    measured = throughput([f for _, _, f in CONTENDERS], batches, args.min_seconds, args.repeats)
    results = [
        {"reward": reward, "implementation": implementation, **m}
        for (reward, implementation, _), m in zip(CONTENDERS, measured)
    ]
    load_after = os.getloadavg() if hasattr(os, "getloadavg") else None

    def rate(reward: str, implementation: str) -> float:
        row = next(r for r in results if r["reward"] == reward and r["implementation"] == implementation)
        return float(row["completions_per_second"])

    ratio = rate("check_answer", "medreward") / rate("check_answer", "naive token_set_ratio")
    imports = import_seconds()
    first_calls = first_call_seconds(batches[0])
    rss = peak_rss_kib(batches[0])

    reference_chars = statistics.median(len(a) for b in batches for a in b.answer)
    print(f"medreward {medreward.__version__}, Python {platform.python_version()}, {platform.machine()}")
    print(f"one core: {pinning}")
    print(
        f"source {source_name}: {len(batches)} batches of {PROMPTS_PER_BATCH} prompts"
        f" x {GENERATIONS} generations = {len(batches[0].completions)} completions,"
        f" {min(chars)}-{max(chars)} chars each,"
        f" long references (Response, median {reference_chars:.0f} chars)"
    )
    print(
        f"median of {args.repeats} interleaved runs, each >= {args.min_seconds:g} s;"
        f" load average before/after {_load(load_before)} / {_load(load_after)} on {os.cpu_count()} CPUs\n"
    )
    header = ["reward", "implementation", "completions/s", "min-max", "us/completion"]
    body = [
        [
            r["reward"],
            r["implementation"],
            f"{r['completions_per_second']:,.0f}",
            f"{r['min']:,.0f}-{r['max']:,.0f}",
            f"{1e6 / r['completions_per_second']:.1f}",
        ]
        for r in results
    ]
    widths = [max(len(x) for x in column) for column in zip(header, *body)]
    for i, line in enumerate([header, *body]):
        print("  ".join(c.ljust(w) if j < 2 else c.rjust(w) for j, (c, w) in enumerate(zip(line, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print(f"\ncheck_answer / naive token_set_ratio throughput: {ratio:.2f}x")
    import_ms = statistics.median(imports) * 1e3
    print(f"import medreward (fresh interpreter, median of {len(imports)}): {import_ms:.1f} ms")
    print(
        f"import + first check_answer, lexicon load included (median of {len(first_calls)}):"
        f" {statistics.median(first_calls) * 1000:.1f} ms"
    )
    for name, peak in rss.items():
        print(
            f"peak RSS, {name.replace('_', ' ')}: ru_maxrss {peak['ru_maxrss'] / 1024:.1f} MiB,"
            f" VmHWM {peak['vm_hwm'] / 1024:.1f} MiB"
        )

    output = {
        "benchmark": "reward_throughput",
        "medreward_version": medreward.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        "cpu": pinning,
        "cpu_count": os.cpu_count(),
        "load_average_before_after": [load_before, load_after],
        "source": source_name,
        "batch": {
            "batches": len(batches),
            "prompts": PROMPTS_PER_BATCH,
            "generations": GENERATIONS,
            "completions": len(batches[0].completions),
            "completion_chars": {"min": min(chars), "max": max(chars), "median": statistics.median(chars)},
            "reference": "Response",
        },
        "method": {"min_seconds": args.min_seconds, "repeats": args.repeats, "statistic": "median"},
        "throughput": results,
        "check_answer_over_naive_token_set": ratio,
        "import_seconds": {"median": statistics.median(imports), "runs": imports},
        "import_and_first_check_answer_seconds": {
            "median": statistics.median(first_calls),
            "runs": first_calls,
        },
        "peak_rss_kib": rss,
    }
    path: Path = args.output
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(output, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
