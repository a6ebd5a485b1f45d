"""Scoring a JSONL file of completions outside training: what ``medreward score`` runs.

Rows are read and checked first (:func:`read_rows`: every problem is an :class:`InputError` that
names its line, so nothing is written for a malformed file), then scored the way
``trl.GRPOTrainer`` calls rewards: each reward of :func:`medreward.default_rewards` once per batch of
``batch_size`` rows, with ``prompts=``, ``completions=`` and the references as ``answer=``. Batches
are independent, so spreading them over worker processes gives exactly the scores of one process.

>>> rows = [{"completion": "<start_reasoning>r<end_reasoning><SOLUTION>Crohn disease</SOLUTION>",
...          "answer": "Crohn's disease"}, {"completion": "no tags", "answer": None}]
>>> scored = score_rows(rows)
>>> scored["check_answer"], scored["match_format_exactly"]
([3.0, None], [3.0, 0.0])
>>> summarize(scored)["check_answer"].scored
1
"""

from __future__ import annotations

import functools
import json
import math
import os
import statistics
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

__all__ = [
    "COMPLETION_COLUMN",
    "DEFAULT_BATCH_SIZE",
    "PROMPT_COLUMN",
    "REFERENCE_COLUMN",
    "InputError",
    "RewardSummary",
    "read_rows",
    "score_rows",
    "summarize",
    "write_rows",
]

COMPLETION_COLUMN = "completion"
PROMPT_COLUMN = "prompt"
# The keyword under which the default answer reward reads its references (CheckAnswerConfig's
# default ``answer_column``); the CLI maps the file's reference column onto it.
REFERENCE_COLUMN = "answer"
# Rows per reward call: the size of a large GRPO step, and large enough that the per-call overhead
# (and, with workers, the pickling of each batch) is negligible.
DEFAULT_BATCH_SIZE = 256

Score = float | None
Scores = dict[str, list[Score]]


class InputError(ValueError):
    """A problem with the input file, with a message meant for the user (it names the line)."""


def _check_row(row: Any, line: int, reference_column: str) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise InputError(f"line {line}: expected a JSON object, got {type(row).__name__}")
    if COMPLETION_COLUMN not in row:
        raise InputError(f"line {line}: no {COMPLETION_COLUMN!r} column (the row has {sorted(row)})")
    if not isinstance(row[COMPLETION_COLUMN], (str, list)):
        raise InputError(
            f"line {line}: {COMPLETION_COLUMN!r} must be a string or a list of messages, "
            f"got {type(row[COMPLETION_COLUMN]).__name__}"
        )
    if reference_column not in row:
        raise InputError(
            f"line {line}: no reference column {reference_column!r} (the row has {sorted(row)}); "
            "name the column with --answer-column, or give null where a row has no reference"
        )
    reference = row[reference_column]
    if reference is not None and (
        isinstance(reference, bool) or not isinstance(reference, (str, int, float))
    ):
        raise InputError(
            f"line {line}: the reference {reference_column!r} must be a string or null, "
            f"got {type(reference).__name__}"
        )
    return row


def read_rows(path: Path, reference_column: str = REFERENCE_COLUMN) -> list[dict[str, Any]]:
    """Every row of the JSONL file ``path``, checked; blank lines are skipped.

    Raises :class:`InputError` naming the line for invalid UTF-8, invalid JSON, a row that is not an
    object, a missing ``completion`` or reference column, or a value of the wrong type; and for a
    missing, unreadable or empty file.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a JSONL file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    rows: list[dict[str, Any]] = []
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(f"{path}: line {number}: not UTF-8 ({error.reason})") from None
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(
                f"{path}: line {number}: invalid JSON ({error.msg} at column {error.colno})"
            ) from None
        try:
            rows.append(_check_row(row, number, reference_column))
        except InputError as error:
            raise InputError(f"{path}: {error}") from None
    if not rows:
        raise InputError(f"{path}: no rows (the file is empty)")
    return rows


@dataclass(frozen=True)
class _Batch:
    """One reward call's worth of rows, as plain data (cheap to pickle to a worker)."""

    prompts: list[Any]
    completions: list[Any]
    references: list[Any]
    rewards: str | None = None  # a reward set file (`--rewards`); None: the default rewards


@functools.lru_cache(maxsize=8)
def _reward_set(source: str | None) -> tuple[tuple[str, Callable[..., Any]], ...]:
    """(name, reward) of the default rewards, or of the reward set file ``source``; once per process."""
    from medreward import default_rewards, load_rewards

    rewards: Sequence[Any] = default_rewards() if source is None else load_rewards(source).reward_funcs
    return tuple((str(reward.__name__), reward) for reward in rewards)


def _score_batch(batch: _Batch) -> Scores:
    """Every reward's scores for one batch: module level, so that worker processes can run it."""
    columns = {REFERENCE_COLUMN: batch.references}
    return {
        name: list(reward(prompts=batch.prompts, completions=batch.completions, **columns))
        for name, reward in _reward_set(batch.rewards)
    }


def _batches(
    rows: Sequence[Mapping[str, Any]], reference_column: str, size: int, rewards: str | None = None
) -> Iterator[_Batch]:
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        yield _Batch(
            prompts=[row.get(PROMPT_COLUMN) for row in chunk],
            completions=[row[COMPLETION_COLUMN] for row in chunk],
            references=[row[reference_column] for row in chunk],
            rewards=rewards,
        )


def _scored_in_order(batches: Iterator[_Batch], workers: int) -> Iterator[Scores]:
    """Each batch's scores, in input order; at most ``4 * workers`` batches in flight."""
    if workers <= 1:
        yield from map(_score_batch, batches)
        return
    # "spawn": a fresh interpreter per worker, safe whatever threads the parent runs (rich's
    # progress bar refreshes from one) and the same on Linux, macOS and Windows.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        pending: list[Future[Scores]] = []
        for batch in batches:
            pending.append(pool.submit(_score_batch, batch))
            if len(pending) >= 4 * workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def score_rows(
    rows: Sequence[Mapping[str, Any]],
    *,
    reference_column: str = REFERENCE_COLUMN,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    rewards: str | os.PathLike[str] | None = None,
) -> Scores:
    """Each default reward's score for every row, by reward name, in row order.

    ``progress`` is called with the number of rows of each batch once it is scored. ``rewards`` is a
    reward set file (:func:`medreward.load_rewards`) to score with instead of the default rewards;
    the references reach its rewards as the ``answer`` column.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    source = None if rewards is None else str(Path(rewards).resolve())
    scores: Scores = {name: [] for name, _ in _reward_set(source)}
    batches = _batches(rows, reference_column, batch_size, source)
    for batch_scores in _scored_in_order(batches, workers):
        for name, values in batch_scores.items():
            scores[name].extend(values)
        if progress is not None:
            progress(len(next(iter(batch_scores.values()))))
    return scores


def write_rows(rows: Sequence[Mapping[str, Any]], scores: Scores, handle: Any) -> None:
    """Write each row as JSON with one field per reward added (``null`` where a reward gives ``None``)."""
    names = list(scores)
    for i, row in enumerate(rows):
        out = dict(row)
        for name in names:
            out[name] = scores[name][i]
        handle.write(json.dumps(out, ensure_ascii=False) + "\n")


@dataclass(frozen=True)
class RewardSummary:
    """Statistics of one reward's scores over a file; ``None`` scores are counted, not averaged."""

    scored: int
    missing: int
    mean: float
    std: float
    min: float
    max: float
    zero_share: float

    def as_dict(self) -> dict[str, float | int]:
        """The fields as a plain dict (for JSON)."""
        return asdict(self)


def summarize(scores: Mapping[str, Sequence[Score]]) -> dict[str, RewardSummary]:
    """Mean, population standard deviation, min, max and share of zeros of every reward's scores."""
    summary: dict[str, RewardSummary] = {}
    for name, values in scores.items():
        present = [float(v) for v in values if v is not None]
        if present:
            summary[name] = RewardSummary(
                scored=len(present),
                missing=len(values) - len(present),
                mean=statistics.fmean(present),
                std=statistics.pstdev(present),
                min=min(present),
                max=max(present),
                zero_share=sum(v == 0.0 for v in present) / len(present),
            )
        else:
            nan = math.nan
            summary[name] = RewardSummary(0, len(values), nan, nan, nan, nan, nan)
    return summary
