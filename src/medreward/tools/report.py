"""A picture of a scored file: each reward's distribution, the answer verdicts and score against length.

:func:`write_report` draws one histogram per reward (its mean marked), the count of each
``check_answer`` verdict, and a scatter of ``check_answer`` against the completion's length in
characters on a logarithmic axis (a reward that pays for length, or a checkpoint that rambles,
shows up as a slope; one runaway completion of megabytes does not squash the others into a line),
and saves them as one PNG. It needs matplotlib (``pip install "medreward[cli]"``), imported only
when a report is drawn; the Agg backend needs no display.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

__all__ = ["ANSWER_REWARD", "draw_report", "write_report"]

# The reward plotted against completion length.
ANSWER_REWARD = "check_answer"
_BAR_COLOR = "#3b6ea5"
_MEAN_COLOR = "#d1495b"
# Rewards with at most this many distinct scores get one bar per score rather than bins.
_MAX_DISCRETE_VALUES = 12
# check_answer's verdicts, best first, with one colour each (green to red, grey for no answer).
_VERDICT_COLORS = {
    "exact": "#1a9850",
    "equivalent": "#66bd63",
    "partial": "#fdae61",
    "mismatch": "#d73027",
    "missing": "#888888",
}


def _label(value: float) -> str:
    """A score as a tick or label: at most 3 decimals, no float noise (``1.0000000000000004`` -> ``1``)."""
    return f"{round(value, 3) + 0.0:g}"


def _integer_counts(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _distribution(ax: Any, name: str, values: Sequence[float | None]) -> None:
    present = [float(v) for v in values if v is not None]
    missing = len(values) - len(present)
    ax.set_title(name + (f" ({missing} without reference)" if missing else ""))
    ax.set_xlabel("score")
    ax.set_ylabel("completions")
    _integer_counts(ax)
    if not present:
        ax.text(0.5, 0.5, "no scores", transform=ax.transAxes, ha="center", va="center", color="grey")
        return
    counts = Counter(present)
    if len(counts) <= _MAX_DISCRETE_VALUES:
        # Format rewards take a handful of values: one bar per value reads better than bins.
        values_seen = sorted(counts)
        gaps = [b - a for a, b in pairwise(values_seen)]
        span = values_seen[-1] - values_seen[0]
        width = min(0.5, 0.8 * min(gaps)) if gaps else 0.25
        ax.bar(values_seen, [counts[v] for v in values_seen], width=width, color=_BAR_COLOR)
        ax.set_xticks(values_seen, [_label(v) for v in values_seen])
        # One value (or values close together) would otherwise fill the whole panel as one block.
        pad = max(1.0, 0.15 * span)
        ax.set_xlim(values_seen[0] - pad, values_seen[-1] + pad)
        if len(counts) == 1:
            ax.text(
                0.02,
                0.95,
                f"every score is {_label(values_seen[0])}",
                transform=ax.transAxes,
                va="top",
                fontsize=9,
            )
            return  # the mean is that value: a line through the bar would only hide it
    else:
        ax.hist(present, bins=30, color=_BAR_COLOR, edgecolor="white")
    mean = statistics.fmean(present)
    ax.axvline(mean, color=_MEAN_COLOR, linestyle="--", linewidth=1.5, label=f"mean {_label(mean)}")
    ax.legend(loc="upper right", fontsize=9, frameon=False)
    ax.set_ylim(top=ax.get_ylim()[1] * 1.15)  # room for the legend above the tallest bar


def _verdict_breakdown(ax: Any, verdicts: Sequence[str | None]) -> None:
    judged = [v for v in verdicts if v is not None]
    counts = Counter(judged)
    names = [*_VERDICT_COLORS, *sorted(set(counts) - set(_VERDICT_COLORS))]
    positions = range(len(names))
    ax.barh(
        positions,
        [counts[n] for n in names],
        color=[_VERDICT_COLORS.get(n, _BAR_COLOR) for n in names],
    )
    ax.set_yticks(positions, names)
    ax.invert_yaxis()  # best verdict on top
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    total = len(judged)
    for position, name in zip(positions, names):
        share = f"{counts[name]} ({counts[name] / total:.0%})" if total else "0"
        ax.text(counts[name], position, f" {share}", va="center", fontsize=9)
    ax.set_xlim(0, max(1, max(counts.values(), default=0)) * 1.3)
    ax.set_title(f"{ANSWER_REWARD} verdicts ({total} judged)")
    ax.set_xlabel("completions")


def _score_against_length(
    ax: Any, scores: Sequence[float | None], lengths: Sequence[int], verdicts: Sequence[str | None] | None
) -> None:
    points = [
        (max(1, n), float(v), verdicts[i] if verdicts is not None else None)
        for i, (n, v) in enumerate(zip(lengths, scores))
        if v is not None
    ]
    ax.set_title(f"{ANSWER_REWARD} vs completion length")
    ax.set_xlabel("completion length (characters, log scale)")
    ax.set_ylabel("score")
    ax.set_xscale("log")
    if not points:
        ax.text(0.5, 0.5, "no scores", transform=ax.transAxes, ha="center", va="center", color="grey")
        return
    groups: dict[str | None, list[tuple[int, float]]] = {}
    for n, v, verdict in points:
        groups.setdefault(verdict, []).append((n, v))
    order = [*_VERDICT_COLORS, None]
    for verdict, group in sorted(groups.items(), key=lambda g: order.index(g[0]) if g[0] in order else 99):
        ax.scatter(
            [p[0] for p in group],
            [p[1] for p in group],
            s=10,
            alpha=0.5,
            color=_VERDICT_COLORS.get(verdict or "", "#a53b3b"),
            label=verdict,
        )
    mean = statistics.fmean(v for _, v, _ in points)
    ax.axhline(mean, color=_MEAN_COLOR, linestyle="--", linewidth=1.2, label=f"mean {_label(mean)}")
    ax.legend(loc="best", fontsize=8, frameon=False, markerscale=1.5)


def draw_report(
    scores: Mapping[str, Sequence[float | None]],
    lengths: Sequence[int],
    *,
    title: str = "",
    verdicts: Mapping[str, Sequence[str | None]] | None = None,
) -> Any:
    """The report's matplotlib figure (what :func:`write_report` saves); close it when done.

    ``verdicts`` holds each row's ``check_answer`` verdict (see
    :func:`medreward.tools.scoring.score_rows_with_verdicts`); with it the report counts the verdicts and
    colours the length scatter by verdict.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    answer_verdicts = (verdicts or {}).get(ANSWER_REWARD)
    names = list(scores)
    panels = len(names) + (ANSWER_REWARD in scores) + (answer_verdicts is not None)
    columns = min(panels, 2)
    rows = (panels + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(6.4 * columns, 3.8 * rows), squeeze=False)
    flat = list(axes.flat)
    for ax, name in zip(flat, names):
        _distribution(ax, name, scores[name])
    used = len(names)
    if answer_verdicts is not None:
        _verdict_breakdown(flat[used], answer_verdicts)
        used += 1
    if ANSWER_REWARD in scores:
        _score_against_length(flat[used], scores[ANSWER_REWARD], lengths, answer_verdicts)
        used += 1
    for ax in flat[used:]:
        ax.set_visible(False)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def write_report(
    scores: Mapping[str, Sequence[float | None]],
    lengths: Sequence[int],
    path: Path,
    *,
    title: str = "",
    verdicts: Mapping[str, Sequence[str | None]] | None = None,
) -> None:
    """Save the report of ``scores`` (by reward name) and completion ``lengths`` to the PNG ``path``
    (see :func:`draw_report`)."""
    figure = draw_report(scores, lengths, title=title, verdicts=verdicts)  # selects the Agg backend
    import matplotlib.pyplot as plt

    try:
        figure.savefig(path, dpi=100, format="png")
    finally:
        plt.close(figure)
