"""``medreward demo``: score a built-in set of completions with every reward, offline.

For each sample question the demo writes completions of several kinds - an honest right answer, a
well-formed wrong one, malformed ones and reward hacks - and prints each reward's mean per kind,
judged against the short answer and against the long free-text reference.

>>> table = demo_table()
>>> table["right"]["total"] > max(row["total"] for kind, row in table.items() if kind != "right")
True
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from medreward.answer import check_answer
from medreward.format import DEFAULT_TAGS
from medreward.format_rewards import match_format_approximately, match_format_exactly
from medreward.samples import load_samples
from medreward.tools.gauntlet import case

__all__ = ["COMPLETION_KINDS", "demo_completions", "demo_table", "format_table"]

_T = DEFAULT_TAGS


def _reasoning(row: dict[str, Any]) -> str:
    return f"The findings must be weighed against the alternatives, such as {row['distractors'][0]}."


# The honest answer every other kind must score below in total, a well-formed wrong one, two
# malformed ones, then reward hacks taken from the gauntlet (medreward.tools.gauntlet), not rewritten.
COMPLETION_KINDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "right": lambda r: _T.wrap(_reasoning(r), r["answer"]),
    "wrong": lambda r: _T.wrap(_reasoning(r), r["distractors"][0]),
    "unformatted": lambda r: f"I think the answer is {r['answer']}.",
    "unclosed": lambda r: _T.wrap(_reasoning(r), r["answer"]).removesuffix(_T.solution_end),
    **{
        name: partial(case(name).completion, tags=_T)
        for name in (
            "answer_only_in_reasoning",
            "hedge_all_options",
            "several_solution_blocks",
            "negated_answer",
            "repeated_answer",
            "tag_spam",
        )
    },
}


def demo_completions() -> tuple[list[str], list[str], list[str], list[str]]:
    """Completions of every kind for every sample, with their kinds and short and long references."""
    kinds, completions, answers, responses = [], [], [], []
    for row in load_samples():
        for kind, write in COMPLETION_KINDS.items():
            kinds.append(kind)
            completions.append(write(row))
            answers.append(row["answer"])
            responses.append(row["Response"])
    return kinds, completions, answers, responses


def demo_table() -> dict[str, dict[str, float]]:
    """Mean score per completion kind: each default reward, and ``total`` (their sum, short reference)."""
    kinds, completions, answers, responses = demo_completions()
    columns = {
        "match_format_exactly": match_format_exactly(completions=completions),
        "match_format_approximately": match_format_approximately(completions=completions),
        "check_answer": check_answer(completions=completions, answer=answers),
        "check_answer_long_ref": check_answer(completions=completions, answer=responses),
    }
    table: dict[str, dict[str, float]] = {}
    for kind in COMPLETION_KINDS:
        rows = [i for i, k in enumerate(kinds) if k == kind]
        means = {
            name: sum(float(scores[i] or 0.0) for i in rows) / len(rows) for name, scores in columns.items()
        }
        means["total"] = (
            means["match_format_exactly"] + means["match_format_approximately"] + means["check_answer"]
        )
        table[kind] = means
    return table


def format_table(table: dict[str, dict[str, float]]) -> str:
    """``table`` as aligned plain text."""
    names = list(next(iter(table.values())))
    header = ["kind", *names]
    rows = [[kind, *(f"{row[n]:+.2f}" for n in names)] for kind, row in table.items()]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(r, widths)))
        for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
