"""The ``medreward`` command line: ``demo``, ``score``, ``explain`` and ``extract``.

``demo`` needs only the core install; ``score`` and ``explain`` print with rich and ``score
--report`` draws with matplotlib (``pip install "medreward[cli]"``). Both are imported only by the
commands that use them, so ``import medreward.tools.cli`` stays as light as ``import medreward``.

Every problem with the user's input (a missing file, bad JSON, a missing column) ends the command
with exit status 2 and a one-line message naming the file and line, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from medreward.tools.explain import Explanation
    from medreward.tools.scoring import RewardSummary

__all__ = ["main"]

# Files with at least this many rows get a progress bar (on a terminal).
PROGRESS_MIN_ROWS = 1000
# Exit status for bad input or a missing optional dependency, as argparse uses for bad arguments.
USAGE_ERROR = 2
_PIPED_WIDTH = 120


class CommandError(Exception):
    """A user-facing failure: printed as ``medreward <command>: error: <message>``, exit status 2."""


def _require(module: str, feature: str) -> None:
    from importlib.util import find_spec

    if find_spec(module) is None:
        raise CommandError(f'{feature} needs {module}: pip install "medreward[cli]"')


def _console(*, stderr: bool = False) -> Console:
    from rich.console import Console

    # Created per command (not at import) so that it writes to the sys.stdout/sys.stderr of the call.
    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:
        # Piped or captured output has no width to fit: do not truncate the tables to rich's 80.
        console = Console(stderr=stderr, highlight=False, width=_PIPED_WIDTH)
    return console


def _without_float_noise(value: Any) -> Any:
    """``value`` (JSON data) with every float through :func:`medreward.tools.scoring.clean_score`.

    >>> _without_float_noise({"a": [0.1 + 0.2, None, "x", 3]})
    {'a': [0.3, None, 'x', 3]}
    """
    from medreward.tools.scoring import clean_score

    if isinstance(value, float):
        return clean_score(value)
    if isinstance(value, dict):
        return {k: _without_float_noise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_float_noise(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------------------


def _demo(args: argparse.Namespace) -> int:
    from medreward.samples import load_samples
    from medreward.tools.demo import demo_table, format_table

    table = demo_table()
    if args.json:
        print(json.dumps(_without_float_noise(table), indent=2))
        return 0
    print(f"medreward demo: mean reward per completion kind over {len(load_samples())} built-in questions")
    print("(check_answer against the short answer; check_answer_long_ref against the long reference;")
    print(" total = the three default rewards against the short answer)\n")
    print(format_table(table))
    return 0


# --------------------------------------------------------------------------------------------------
# score
# --------------------------------------------------------------------------------------------------


def _number(value: float, *, signed: bool = True) -> str:
    """A score for people: at most 4 decimals, trailing zeros dropped (``1.0000000000000004`` -> ``+1.0``).

    >>> _number(1.0000000000000004), _number(-0.5), _number(2 / 3, signed=False), _number(-0.0)
    ('+1.0', '-0.5', '0.6667', '+0.0')
    """
    text = f"{round(value, 4) + 0.0:{'+' if signed else ''}.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _summary_table(summary: Mapping[str, RewardSummary]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )
    table.add_column("reward", no_wrap=True)
    for column in ("scored", "null", "mean", "std", "min", "max", "zeros"):
        table.add_column(column, justify="right")
    for name, s in summary.items():
        if s.scored:
            numbers = [
                _number(s.mean),
                _number(s.std, signed=False),
                _number(s.min),
                _number(s.max),
                # A judging reward (check_answer) never scores 0: its verdicts are counted below.
                "-" if s.verdicts is not None else f"{s.zero_share:.1%}",
            ]
        else:
            numbers = ["-"] * 5
        table.add_row(name, str(s.scored), str(s.missing), *numbers)
    return table


def _verdict_table(name: str, verdicts: Mapping[str, int]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(
        title=f"{name} verdicts",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        collapse_padding=True,
    )
    total = sum(verdicts.values())
    for verdict in verdicts:
        table.add_column(verdict, justify="right")
    table.add_row(*(f"{n} ({n / total:.1%})" if total else "0" for n in verdicts.values()))
    return table


def _open_output(path: Path) -> Any:
    """The text file to write scored rows to: gzip-compressed when its name ends in ``.gz``."""
    import gzip

    if path.suffix == ".gz":
        return gzip.open(path, "wt", encoding="utf-8")
    return path.open("w", encoding="utf-8")


def _score(args: argparse.Namespace) -> int:
    from medreward.completions import completion_text
    from medreward.tools.scoring import STDIN, read_rows, score_rows_with_verdicts, summarize, write_rows

    _require("rich", "medreward score")
    if args.report is not None:
        _require("matplotlib", "medreward score --report")
    if args.workers < 1:
        raise CommandError(f"--workers must be at least 1, got {args.workers}")
    if args.batch_size < 1:
        raise CommandError(f"--batch-size must be at least 1, got {args.batch_size}")
    to_stdout = args.output is not None and str(args.output) == "-"
    for target in (None if to_stdout else args.output, args.report):
        if target is not None and not target.parent.is_dir():
            raise CommandError(f"{target}: the directory {target.parent} does not exist")

    if args.rewards is not None:
        from medreward import load_rewards

        try:
            load_rewards(args.rewards)
        except ValueError as error:
            raise CommandError(f"--rewards: {error}") from None
    rows = read_rows(args.input, args.answer_column)
    # With the rows on stdout, everything meant for people goes to stderr.
    console = _console(stderr=to_stdout)
    progress_console = _console(stderr=True)
    if len(rows) >= PROGRESS_MIN_ROWS and progress_console.is_terminal:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=progress_console,
            transient=True,
        ) as bar:
            task = bar.add_task("scoring", total=len(rows))
            scored = score_rows_with_verdicts(
                rows,
                reference_column=args.answer_column,
                batch_size=args.batch_size,
                workers=args.workers,
                progress=lambda n: bar.advance(task, n),
                rewards=args.rewards,
            )
    else:
        scored = score_rows_with_verdicts(
            rows,
            reference_column=args.answer_column,
            batch_size=args.batch_size,
            workers=args.workers,
            rewards=args.rewards,
        )
    scores = scored.scores

    if to_stdout:
        write_rows(rows, scores, sys.stdout)
        sys.stdout.flush()
    elif args.output is not None:
        try:
            with _open_output(args.output) as handle:
                write_rows(rows, scores, handle)
        except OSError as error:
            raise CommandError(f"{args.output}: cannot write ({error.strerror})") from None
    source = "<stdin>" if str(args.input) == STDIN else str(args.input)
    console.print(f"{source}: {len(rows)} rows", soft_wrap=True)
    summary = summarize(scores, scored.verdicts)
    console.print(_summary_table(summary))
    for name, s in summary.items():
        if s.verdicts is not None:
            console.print(_verdict_table(name, s.verdicts))
    if args.output is not None and not to_stdout:
        console.print(f"scored rows written to {args.output}")
    if args.report is not None:
        from medreward.tools.report import write_report

        lengths = [len(completion_text(row["completion"])) for row in rows]
        try:
            title = f"{Path(source).name}: {len(rows)} rows"
            write_report(scores, lengths, args.report, title=title, verdicts=scored.verdicts)
        except OSError as error:
            raise CommandError(f"{args.report}: cannot write ({error.strerror})") from None
        console.print(f"report written to {args.report}")
    return 0


# --------------------------------------------------------------------------------------------------
# explain
# --------------------------------------------------------------------------------------------------


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{what} file {path}: no such file") from None
    except UnicodeDecodeError as error:
        raise CommandError(f"{what} file {path}: not UTF-8 ({error.reason})") from None
    except OSError as error:
        raise CommandError(f"{what} file {path}: cannot read ({error.strerror})") from None


def _terms(terms: Sequence[str]) -> str:
    return " ".join(terms) if terms else "(none)"


def _render_explanation(e: Explanation, console: Console) -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    def block(value: str | None) -> Text:
        return Text(value) if value is not None else Text("(none)", style="italic")

    tags = "  ".join(f"{tag} x{count}" for tag, count in e.tag_counts.items())
    console.print(Panel(block(e.reasoning), title="reasoning (extracted)", title_align="left"))
    console.print(Panel(block(e.solution), title="solution (extracted)", title_align="left"))
    console.print(Text(f"tags: {tags}; exact format: {'yes' if e.is_exact_format else 'no'}"))

    terms = Table(title="normalized terms", title_justify="left", show_header=True)
    terms.add_column("")
    terms.add_column("solution")
    terms.add_column("reference")
    terms.add_row("terms", _terms(e.solution_terms), _terms(e.reference_terms))
    terms.add_row("negations", _terms(e.solution_negations), _terms(e.reference_negations))
    if e.concepts is not None or e.reference_concepts is not None:
        terms.add_row(
            "concepts",
            _terms(e.concept_names or tuple(sorted(map(str, e.concepts or ())))),
            _terms(e.reference_concept_names or tuple(sorted(map(str, e.reference_concepts or ())))),
        )
    console.print(terms)

    match = Table(title="answer match", title_justify="left", show_header=False)
    match.add_column("")
    match.add_column("")
    if e.verdict is None:
        match.add_row("verdict", "(no reference: check_answer does not apply)")
    else:
        kind = {True: "long (a paragraph)", False: "short (a term or phrase)", None: "?"}[e.reference_is_long]
        match.add_row("reference", kind)
        if e.exception_question:
            match.add_row(
                "question", "asks for the exception ('which is NOT ...'): negations state the answer"
            )
        match.add_row("verdict", e.verdict)
        match.add_row("similarity", f"{e.similarity:.3f}")
        match.add_row("matched terms", _terms(e.matched_terms))
        match.add_row("unmatched terms", _terms(e.unmatched_terms))
        match.add_row("guard", e.guard or "(none fired)")
        if e.decision is not None:
            match.add_row("decided by", e.decision)
    console.print(match)

    scores = Table(title="scores", title_justify="left")
    scores.add_column("reward")
    scores.add_column("score", justify="right")
    for name, score in e.scores.items():
        scores.add_row(name, "null" if score is None else f"{score:+.3f}")
    scores.add_row("total", "null" if e.total is None else f"{e.total:+.3f}", style="bold")
    console.print(scores)


def _explain(args: argparse.Namespace) -> int:
    from medreward.tools.explain import explain

    if not args.json:
        _require("rich", "medreward explain")
    completion = (
        args.completion if args.completion is not None else _read_text(args.completion_file, "completion")
    )
    reference = args.reference if args.reference is not None else _read_text(args.reference_file, "reference")
    explanation = explain(completion, reference, args.question)
    if args.json:
        print(json.dumps(_without_float_noise(explanation.as_dict()), indent=2, ensure_ascii=False))
    else:
        _render_explanation(explanation, _console())
    return 0


# --------------------------------------------------------------------------------------------------
# extract
# --------------------------------------------------------------------------------------------------

# Confidence bins of the histogram that ``extract`` prints.
_CONFIDENCE_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def _extract(args: argparse.Namespace) -> int:
    from medreward.medical.extraction import extract_answer
    from medreward.tools.scoring import InputError, read_json_lines

    def check(row: Any, number: int) -> dict[str, Any]:
        if not isinstance(row, dict):
            raise InputError(f"line {number}: expected a JSON object, got {type(row).__name__}")
        response = row.get(args.response_column)
        if not isinstance(response, str):
            raise InputError(
                f"line {number}: the response column {args.response_column!r} must be a string "
                f"(the row has {sorted(row)}); name it with --response-column"
            )
        question = row.get(args.question_column)
        if question is not None and not isinstance(question, str):
            raise InputError(f"line {number}: the question column {args.question_column!r} must be a string")
        return row

    to_stdout = str(args.output) == "-"
    if not to_stdout and not args.output.parent.is_dir():
        raise CommandError(f"{args.output}: the directory {args.output.parent} does not exist")
    rows = read_json_lines(args.input, check)
    confidences: list[float] = []
    with _open_output(args.output) if not to_stdout else _Stdout() as handle:
        for row in rows:
            found = extract_answer(row[args.response_column], row.get(args.question_column))
            out = dict(row)
            out["answer_short"] = None if found is None else found.text
            out["answer_confidence"] = None if found is None else found.confidence
            handle.write(json.dumps(out, ensure_ascii=False) + "\n")
            if found is not None:
                confidences.append(found.confidence)
    report = sys.stderr if to_stdout else sys.stdout
    print(
        f"extracted a short answer from {len(confidences)} of {len(rows)} responses "
        f"({len(confidences) / len(rows):.0%}); the others abstain (answer_short null)",
        file=report,
    )
    print("confidence  responses", file=report)
    for low, high in pairwise(_CONFIDENCE_BINS):
        count = sum(low <= c < high or (high == 1.0 and c == 1.0) for c in confidences)
        print(
            f"{low:.1f}-{high:.1f}    {count:>9}  {'#' * round(40 * count / max(1, len(rows)))}", file=report
        )
    return 0


class _Stdout:
    """Standard output as a context manager that leaves it open."""

    def __enter__(self) -> Any:
        return sys.stdout

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()


# --------------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    from medreward import __version__

    parser = argparse.ArgumentParser(prog="medreward", description="Medical reasoning rewards for GRPO.")
    parser.add_argument("--version", action="version", version=f"medreward {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="score built-in completions with every reward (offline)")
    demo.add_argument("--json", action="store_true", help="print the table as JSON")
    demo.set_defaults(run=_demo)

    score = commands.add_parser(
        "score",
        help="score a JSONL file of completions with every default reward",
        description=(
            "Score every row of a JSONL file (fields: completion, a string or message list; "
            "optional prompt; the reference, null where there is none) with the default rewards, "
            "called as TRL calls them, and print a summary per reward. The file may be gzip-compressed "
            "(.jsonl.gz); '-' reads standard input."
        ),
    )
    score.add_argument("input", type=Path, help="the JSONL file to score (.jsonl.gz: compressed; '-': stdin)")
    score.add_argument(
        "--output",
        type=Path,
        help="write each row with one field per reward to this JSONL file (.gz: compressed; '-': stdout)",
    )
    score.add_argument("--report", type=Path, help="draw the score distributions to this PNG file")
    score.add_argument(
        "--answer-column", default="answer", metavar="NAME", help="the reference column (default: answer)"
    )
    score.add_argument(
        "--workers", type=int, default=1, metavar="N", help="worker processes (same scores; default: 1)"
    )
    score.add_argument("--batch-size", type=int, default=256, metavar="N", help="rows per reward call (256)")
    score.add_argument(
        "--rewards",
        type=Path,
        metavar="FILE",
        help="score with the reward set of this TOML, JSON or YAML file instead of the default rewards",
    )
    score.set_defaults(run=_score)

    explain = commands.add_parser(
        "explain",
        help="show how one completion is parsed, matched and scored",
        description="Show every step behind one completion's scores against one reference.",
    )
    given = explain.add_mutually_exclusive_group(required=True)
    given.add_argument("--completion", metavar="TEXT", help="the completion text")
    given.add_argument("--completion-file", type=Path, metavar="FILE", help="read the completion from FILE")
    reference = explain.add_mutually_exclusive_group(required=True)
    reference.add_argument("--reference", metavar="TEXT", help="the reference answer")
    reference.add_argument("--reference-file", type=Path, metavar="FILE", help="read the reference from FILE")
    explain.add_argument(
        "--question",
        metavar="TEXT",
        help="the question asked (check_answer reads 'which is NOT ...' from it)",
    )
    explain.add_argument("--json", action="store_true", help="print the explanation as JSON")
    explain.set_defaults(run=_explain)

    extract = commands.add_parser(
        "extract",
        help="distil long responses into short answers (answer_short, answer_confidence)",
        description=(
            "Read a JSONL file of long free-text responses (medical-o1-reasoning-SFT's Response), add "
            "answer_short (null where the response commits to no single answer) and answer_confidence "
            "to every row, and print the coverage and a confidence histogram: read what you will "
            "train against. The file may be gzip-compressed; '-' reads standard input."
        ),
    )
    extract.add_argument("input", type=Path, help="the JSONL file (.jsonl.gz: compressed; '-': stdin)")
    extract.add_argument("--output", type=Path, required=True, help="the JSONL file to write ('-': stdout)")
    extract.add_argument("--response-column", default="Response", metavar="NAME", help="default: Response")
    extract.add_argument("--question-column", default="Question", metavar="NAME", help="default: Question")
    extract.set_defaults(run=_extract)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``medreward`` command."""
    from medreward.tools.scoring import InputError

    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except (CommandError, InputError) as error:
        print(f"medreward {args.command}: error: {error}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print(f"medreward {args.command}: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
