"""A picture of a scored file: each reward's distribution and the answer score against length.

:func:`write_report` draws one histogram per reward and a scatter of ``check_answer`` against the
completion's length in characters (a reward that pays for length, or a checkpoint that rambles,
shows up as a slope), and saves them as one PNG. It needs matplotlib (``pip install
"medreward[cli]"``), imported only when a report is drawn; the Agg backend needs no display.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path

__all__ = ["ANSWER_REWARD", "write_report"]

# The reward plotted against completion length.
ANSWER_REWARD = "check_answer"
_BAR_COLOR = "#3b6ea5"


def write_report(
    scores: Mapping[str, Sequence[float | None]], lengths: Sequence[int], path: Path, *, title: str = ""
) -> None:
    """Save the report of ``scores`` (by reward name) and completion ``lengths`` to the PNG ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(scores)
    panels = len(names) + (ANSWER_REWARD in scores)
    columns = min(panels, 2)
    rows = (panels + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(6 * columns, 3.6 * rows), squeeze=False)
    flat = list(axes.flat)
    for ax, name in zip(flat, names):
        present = [float(v) for v in scores[name] if v is not None]
        missing = len(scores[name]) - len(present)
        if present:
            counts = Counter(present)
            if len(counts) <= 12:
                # Format rewards take a handful of values: one bar per value reads better than bins.
                values = sorted(counts)
                gaps = [b - a for a, b in pairwise(values)]
                width = min(0.5, 0.8 * min(gaps)) if gaps else 0.5
                ax.bar(values, [counts[v] for v in values], width=width, color=_BAR_COLOR)
                ax.set_xticks(values)
            else:
                ax.hist(present, bins=30, color=_BAR_COLOR, edgecolor="white")
        ax.set_title(name + (f" ({missing} without reference)" if missing else ""))
        ax.set_xlabel("score")
        ax.set_ylabel("completions")
    if ANSWER_REWARD in scores:
        ax = flat[len(names)]
        pairs = [(n, float(v)) for n, v in zip(lengths, scores[ANSWER_REWARD]) if v is not None]
        if pairs:
            ax.scatter([p[0] for p in pairs], [p[1] for p in pairs], s=8, alpha=0.4, color="#a53b3b")
        ax.set_title(f"{ANSWER_REWARD} vs completion length")
        ax.set_xlabel("completion length (characters)")
        ax.set_ylabel("score")
    for ax in flat[panels:]:
        ax.set_visible(False)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100, format="png")
    plt.close(figure)
