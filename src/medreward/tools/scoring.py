"""Scoring a JSONL file of completions outside training: what ``medreward score`` runs.

Rows are read and checked first (:func:`read_rows`: every problem is an :class:`InputError` that
names its line, so nothing is written for a malformed file), then scored the way
``trl.GRPOTrainer`` calls rewards: each reward of :func:`medreward.default_rewards` once per batch of
``batch_size`` rows, with ``prompts=``, ``completions=`` and the references as ``answer=``. Batches
are independent, so spreading them over worker processes gives exactly the scores of one process.

The input is a JSONL file, a gzip-compressed one (``.jsonl.gz``, or any gzip data) or, for the path
``-``, standard input. :func:`score_rows_with_verdicts` also keeps each row's ``check_answer``
verdict (what TRL receives through ``log_extra``), so that the summary counts verdicts where a share
of zero scores would mean nothing (``check_answer`` never scores 0).

Scores are written with at most :data:`WRITTEN_DIGITS` significant digits: this removes the binary
noise of the score arithmetic (``1.0000000000000004`` is written ``1.0``) and changes no score by
more than one part in 10**12; the rewards themselves, as TRL receives them, are never rounded.

>>> rows = [{"completion": "<start_reasoning>r<end_reasoning><SOLUTION>Crohn disease</SOLUTION>",
...          "answer": "Crohn's disease"}, {"completion": "no tags", "answer": None}]
>>> scored = score_rows(rows)
>>> scored["check_answer"], scored["match_format_exactly"]
([3.0, None], [3.0, 0.0])
>>> summarize(scored)["check_answer"].scored
1
>>> score_rows_with_verdicts(rows).verdicts["check_answer"]
['exact', None]
"""

from __future__ import annotations

import functools
import gzip
import json
import math
import os
import statistics
import sys
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

__all__ = [
    "COMPLETION_COLUMN",
    "DEFAULT_BATCH_SIZE",
    "MAX_REPORTED_ERRORS",
    "PROMPT_COLUMN",
    "REFERENCE_COLUMN",
    "STDIN",
    "VERDICTS",
    "WRITTEN_DIGITS",
    "InputError",
    "RewardSummary",
    "ScoredRows",
    "clean_score",
    "read_json_lines",
    "read_rows",
    "score_rows",
    "score_rows_with_verdicts",
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
# The path that means standard input.
STDIN = "-"
# A file with many bad lines reports this many (each with its line number), then how many more.
MAX_REPORTED_ERRORS = 20
# Significant digits of the written scores: enough for any score, few enough to drop float noise.
WRITTEN_DIGITS = 12
# check_answer's verdicts, best first (medreward.answer's table); the summary counts them in this order.
VERDICTS = ("exact", "equivalent", "partial", "mismatch", "missing")
_GZIP_MAGIC = b"\x1f\x8b"

Score = float | None
Scores = dict[str, list[Score]]
Verdicts = dict[str, list[str | None]]


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


def _display_name(path: Path) -> str:
    return "<stdin>" if str(path) == STDIN else str(path)


def _read_bytes(path: Path) -> bytes:
    if str(path) == STDIN:
        return sys.stdin.buffer.read()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a JSONL file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None


def _decompressed(data: bytes, name: str) -> bytes:
    """``data`` itself, or its gzip decompression where it is gzip data (or named ``*.gz``)."""
    if not (data.startswith(_GZIP_MAGIC) or name.endswith(".gz")):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(f"{name}: not a readable gzip file ({error})") from None


def _parse_line(
    raw: bytes, number: int, check: Callable[[Any, int], dict[str, Any]]
) -> dict[str, Any] | None:
    """The checked row of one line, ``None`` for a blank line; an :class:`InputError` naming the line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"line {number}: not UTF-8 ({error.reason})") from None
    if not text.strip():
        return None
    try:
        row = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"line {number}: invalid JSON ({error.msg} at column {error.colno})") from None
    return check(row, number)


def read_rows(
    path: Path, reference_column: str = REFERENCE_COLUMN, *, max_errors: int = MAX_REPORTED_ERRORS
) -> list[dict[str, Any]]:
    """Every row of the JSONL file ``path``, checked; blank lines are skipped.

    ``path`` may be gzip-compressed (``.jsonl.gz``), or ``-`` for standard input. Raises
    :class:`InputError` for a missing, unreadable or empty file, and for bad lines: invalid UTF-8,
    invalid JSON, a row that is not an object, a missing ``completion`` or reference column, or a
    value of the wrong type. Every bad line is found: the message lists the first ``max_errors``,
    each with its line number, then how many more there are.
    """
    return read_json_lines(
        path, lambda row, number: _check_row(row, number, reference_column), max_errors=max_errors
    )


def _is_object(row: Any, number: int) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise InputError(f"line {number}: expected a JSON object, got {type(row).__name__}")
    return row


def read_json_lines(
    path: Path,
    check: Callable[[Any, int], dict[str, Any]] = _is_object,
    *,
    max_errors: int = MAX_REPORTED_ERRORS,
) -> list[dict[str, Any]]:
    """Every JSON object of the JSONL file ``path`` (gzip or ``-`` for standard input), each passed
    through ``check(row, line)``, which returns the row or raises :class:`InputError`; every bad line
    is reported as :func:`read_rows` describes."""
    name = _display_name(path)
    data = _decompressed(_read_bytes(path), name)
    rows: list[dict[str, Any]] = []
    errors: list[str] = []
    bad = 0
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            row = _parse_line(raw, number, check)
        except InputError as error:
            bad += 1
            if len(errors) < max_errors:
                errors.append(str(error))
            continue
        if row is not None:
            rows.append(row)
    if bad == 1:
        raise InputError(f"{name}: {errors[0]}")
    if bad:
        more = [f"  ... and {bad - len(errors)} more"] if bad > len(errors) else []
        lines = "\n".join([*(f"  {e}" for e in errors), *more])
        raise InputError(f"{name}: {bad} bad lines (of {len(rows) + bad} rows)\n{lines}")
    if not rows:
        raise InputError(f"{name}: no rows (the file is empty)")
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


@dataclass(frozen=True)
class ScoredRows:
    """Each reward's score for every row and, for rewards that judge (``check_answer``), each row's
    verdict (``None`` where the row has no reference), by reward name, in row order."""

    scores: Scores
    verdicts: Verdicts = field(default_factory=dict)


def _score_batch(batch: _Batch) -> ScoredRows:
    """Every reward's scores for one batch: module level, so that worker processes can run it."""
    extras: dict[str, list[Any]] = {}

    def log_extra(column: str, values: Sequence[Any]) -> None:
        # TRL's per-completion log: check_answer reports its verdicts as "check_answer/verdict".
        extras[column] = list(values)

    scores: Scores = {}
    verdicts: Verdicts = {}
    for name, reward in _reward_set(batch.rewards):
        extras.clear()
        scores[name] = list(
            reward(
                prompts=batch.prompts,
                completions=batch.completions,
                log_extra=log_extra,
                **{REFERENCE_COLUMN: batch.references},
            )
        )
        if f"{name}/verdict" in extras:
            verdicts[name] = extras[f"{name}/verdict"]
    return ScoredRows(scores, verdicts)


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


def _scored_in_order(batches: Iterator[_Batch], workers: int) -> Iterator[ScoredRows]:
    """Each batch's scores, in input order; at most ``4 * workers`` batches in flight."""
    if workers <= 1:
        yield from map(_score_batch, batches)
        return
    # "spawn": a fresh interpreter per worker, safe whatever threads the parent runs (rich's
    # progress bar refreshes from one) and the same on Linux, macOS and Windows.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        pending: list[Future[ScoredRows]] = []
        for batch in batches:
            pending.append(pool.submit(_score_batch, batch))
            if len(pending) >= 4 * workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def score_rows_with_verdicts(
    rows: Sequence[Mapping[str, Any]],
    *,
    reference_column: str = REFERENCE_COLUMN,
    batch_size: int = DEFAULT_BATCH_SIZE,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    rewards: str | os.PathLike[str] | None = None,
) -> ScoredRows:
    """Each reward's score for every row, and check_answer's verdicts, in row order.

    ``progress`` is called with the number of rows of each batch once it is scored. ``rewards`` is a
    reward set file (:func:`medreward.load_rewards`) to score with instead of the default rewards;
    the references reach its rewards as the ``answer`` column.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    source = None if rewards is None else str(Path(rewards).resolve())
    scores: Scores = {name: [] for name, _ in _reward_set(source)}
    verdicts: Verdicts = {}
    for batch in _scored_in_order(_batches(rows, reference_column, batch_size, source), workers):
        for name, values in batch.scores.items():
            scores.setdefault(name, []).extend(values)
        for name, judged in batch.verdicts.items():
            verdicts.setdefault(name, []).extend(judged)
        if progress is not None:
            progress(len(next(iter(batch.scores.values()))))
    return ScoredRows(scores, verdicts)


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
    return score_rows_with_verdicts(
        rows,
        reference_column=reference_column,
        batch_size=batch_size,
        workers=workers,
        progress=progress,
        rewards=rewards,
    ).scores


def clean_score(score: Score) -> Score:
    """``score`` with at most :data:`WRITTEN_DIGITS` significant digits: no float noise when written.

    >>> clean_score(0.1 + 0.2), clean_score(1.0000000000000004), clean_score(-0.5), clean_score(None)
    (0.3, 1.0, -0.5, None)
    """
    if score is None or not math.isfinite(score):
        return score
    return float(f"{score:.{WRITTEN_DIGITS}g}")


def write_rows(rows: Sequence[Mapping[str, Any]], scores: Scores, handle: Any) -> None:
    """Write each row as JSON with one field per reward added (``null`` where a reward gives ``None``).

    Scores are written through :func:`clean_score`.
    """
    names = list(scores)
    for i, row in enumerate(rows):
        out = dict(row)
        for name in names:
            out[name] = clean_score(scores[name][i])
        handle.write(json.dumps(out, ensure_ascii=False) + "\n")


@dataclass(frozen=True)
class RewardSummary:
    """Statistics of one reward's scores over a file; ``None`` scores are counted, not averaged.

    ``verdicts`` counts each verdict (in :data:`VERDICTS` order) for a reward that judges
    (``check_answer``), and is ``None`` for the others; for such a reward ``zero_share`` says
    nothing (no verdict scores 0) and the verdicts say what its scores mean.
    """

    scored: int
    missing: int
    mean: float
    std: float
    min: float
    max: float
    zero_share: float
    verdicts: dict[str, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (for JSON)."""
        return asdict(self)


def _count_verdicts(verdicts: Sequence[str | None]) -> dict[str, int]:
    judged = [v for v in verdicts if v is not None]
    counts = dict.fromkeys(VERDICTS, 0)
    for verdict in judged:
        counts[verdict] = counts.get(verdict, 0) + 1
    return counts


def summarize(
    scores: Mapping[str, Sequence[Score]], verdicts: Mapping[str, Sequence[str | None]] | None = None
) -> dict[str, RewardSummary]:
    """Mean, population standard deviation, min, max and share of zeros of every reward's scores,
    and the count of each verdict of the rewards in ``verdicts``.

    >>> summarize({"check_answer": [3.0, -0.5, None]}, {"check_answer": ["exact", "mismatch", None]})[
    ...     "check_answer"].verdicts
    {'exact': 1, 'equivalent': 0, 'partial': 0, 'mismatch': 1, 'missing': 0}
    """
    verdicts = verdicts or {}
    summary: dict[str, RewardSummary] = {}
    for name, values in scores.items():
        present = [float(v) for v in values if v is not None]
        counts = _count_verdicts(verdicts[name]) if name in verdicts else None
        if present:
            summary[name] = RewardSummary(
                scored=len(present),
                missing=len(values) - len(present),
                mean=statistics.fmean(present),
                std=statistics.pstdev(present),
                min=min(present),
                max=max(present),
                zero_share=sum(v == 0.0 for v in present) / len(present),
                verdicts=counts,
            )
        else:
            nan = math.nan
            summary[name] = RewardSummary(0, len(values), nan, nan, nan, nan, nan, counts)
    return summary
