"""What a paragraph reference pays for: mean check_answer score of answer shapes a GRPO policy finds.

On the development rows whose long ``Response`` endorses the keyed answer
(``benchmarks/labels/response_endorses.json``), each row's Response is the reference and its
``Question`` the prompt, as in a GRPO run against the recipe's data. For each shape of solution the
table gives the mean ``check_answer`` score and the share of rows where it is positive:

- ``honest``: the ``Ground-True Answer``;
- ``wrong_option``: each wrong multiple-choice option;
- ``question_echo``: the question's last sentence (what a policy trained against Responses learned);
- ``echo_plus_paragraph_word``: "The <end of the ask> is likely <W>", W the first word of six or more
  letters of the Response that the question lacks (a topical word, as a policy's reasoning yields);
- ``head_noun``: the last word of the answer alone (a vague answer);
- ``answer_plus_question_keywords``: the answer followed by the question's four longest words.

A reward a policy cannot game keeps every shape but ``honest`` well below it, and the echo shapes
below ``wrong_option``.

It also measures ``medreward.extract_answer`` on the same data: coverage over all rows, and on the
endorsing rows the share whose extracted text ``check_answer`` judges at least partial against the
Ground-True Answer, and the ranking (right option strictly above every wrong one) with the
extracted text as the reference (the Response where extraction abstains), next to the Response;
for all rows and for each half of them split by a hash of the Question (``dev_rows.question_half``:
extraction was tuned on ``tune`` and only measured on ``held_out``), with the extractions by
confidence.
Run from the repository root::

    python benchmarks/long_reference_probes.py [--data PATH] [--output PATH.json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

from dev_rows import DEFAULT_DATA, endorses_answer, load_labels, question_half, read_rows, wrong_options

import medreward
from medreward import DEFAULT_TAGS, ExtractedAnswer, check_answer, extract_answer
from medreward.medical.questions import question_ask
from medreward.tools.gauntlet import question_keywords

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO / "benchmarks" / "results" / "long_reference_probes.json"


def _score(solution: str, reference: str, question: str) -> float:
    scores = check_answer(
        prompts=[question], completions=[DEFAULT_TAGS.wrap("r", solution)], answer=[reference]
    )
    return float(scores[0] or 0.0)


def probes(row: dict[str, object]) -> dict[str, list[str]]:
    """The solutions of each shape for one row."""
    question, response = str(row["Question"]), str(row["Response"])
    answer = str(row["Ground-True Answer"])
    ask = question_ask(question)
    asked = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}
    topical = [w for w in re.findall(r"[A-Za-z]{6,}", response) if w.lower() not in asked]
    keywords = " ".join(question_keywords(question))
    return {
        "honest": [answer],
        "wrong_option": wrong_options(row),
        "question_echo": [ask],
        "echo_plus_paragraph_word": [
            f"The {ask.split(' ', 3)[-1]} is likely {topical[0] if topical else 'issues'}"
        ],
        "head_noun": [answer.split()[-1]],
        "answer_plus_question_keywords": [f"{answer} {keywords}"],
    }


def _ranks_first(row: dict[str, object], reference: str) -> bool:
    shapes = probes(row)
    right = _score(shapes["honest"][0], reference, str(row["Question"]))
    return all(right > _score(w, reference, str(row["Question"])) for w in shapes["wrong_option"])


def measure_extraction(
    rows: list[dict[str, object]], labels: dict[int, dict[str, object]]
) -> dict[str, object]:
    """Coverage of extract_answer, its agreement with the short answers, and ranking with it: over
    all rows, for each half, and by confidence."""
    found = [extract_answer(str(r["Response"]), str(r["Question"])) for r in rows]
    lines = list(range(len(rows)))
    result: dict[str, object] = dict(_measure(rows, labels, found, lines))
    for half in ("tune", "held_out"):
        result[half] = _measure(rows, labels, found, [i for i in lines if question_half(rows[i]) == half])
    # Calibration: every extraction on the endorsing rows, abstentions included, by confidence.
    every = [extract_answer(str(r["Response"]), str(r["Question"]), min_confidence=0.0) for r in rows]
    bins: dict[str, dict[str, int]] = {}
    for line, hit in enumerate(every):
        if hit is None or not endorses_answer(labels.get(line)):
            continue
        row = rows[line]
        low = min(int(hit.confidence * 5), 4) / 5
        cell = bins.setdefault(f"{low:.1f}-{low + 0.2:.1f}", {"extractions": 0, "agree": 0, "ranked": 0})
        cell["extractions"] += 1
        cell["agree"] += _score(hit.text, str(row["Ground-True Answer"]), str(row["Question"])) >= 0.5
        cell["ranked"] += _ranks_first(row, hit.text)
    result["by_confidence"] = dict(sorted(bins.items()))
    return result


def _measure(
    rows: list[dict[str, object]],
    labels: dict[int, dict[str, object]],
    found: list[ExtractedAnswer | None],
    lines: list[int],
) -> dict[str, float]:
    endorsing = [(rows[i], found[i]) for i in lines if endorses_answer(labels.get(i))]
    agree = sum(
        hit is not None and _score(hit.text, str(row["Ground-True Answer"]), str(row["Question"])) >= 0.5
        for row, hit in endorsing
    )
    ranked_extracted = sum(
        _ranks_first(row, str(row["Response"]) if hit is None else hit.text) for row, hit in endorsing
    )
    ranked_response = sum(_ranks_first(row, str(row["Response"])) for row, _ in endorsing)
    n = max(1, len(endorsing))
    return {
        "rows": len(lines),
        "coverage": round(sum(found[i] is not None for i in lines) / max(1, len(lines)), 4),
        "endorsing_rows": len(endorsing),
        "extracted_on_endorsing": round(sum(hit is not None for _, hit in endorsing) / n, 4),
        "agrees_with_ground_truth": round(agree / n, 4),
        "ranking_extracted": round(ranked_extracted / n, 4),
        "ranking_response": round(ranked_response / n, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"{args.data} not found (see ../shared/data/README.md); pass --data", file=sys.stderr)
        return 2
    rows = read_rows(args.data)
    labels = load_labels()
    scores: dict[str, list[float]] = {}
    used = 0
    for line, row in enumerate(rows):
        label = labels.get(line, {})
        if not endorses_answer(label):
            continue
        used += 1
        for shape, solutions in probes(row).items():
            for solution in solutions:
                scores.setdefault(shape, []).append(_score(solution, row["Response"], row["Question"]))
    extraction = measure_extraction(rows, labels)
    table = {
        shape: {
            "solutions": len(values),
            "mean": round(statistics.fmean(values), 4),
            "share_positive": round(sum(v > 0 for v in values) / len(values), 4),
        }
        for shape, values in scores.items()
    }
    print(f"{used} development rows whose Response endorses the answer; check_answer against the Response")
    print(f"{'shape':30} {'solutions':>9} {'mean':>7} {'share > 0':>9}")
    for shape, row in table.items():
        print(f"{shape:30} {row['solutions']:>9} {row['mean']:>+7.3f} {row['share_positive']:>9.2f}")
    for name, part in (
        ("all", extraction),
        ("tune", extraction["tune"]),
        ("held_out", extraction["held_out"]),
    ):
        assert isinstance(part, dict)
        print(
            f"extract_answer ({name} rows): a short answer for {part['coverage']:.0%} of {part['rows']} "
            f"Responses; on the {part['endorsing_rows']} endorsing rows, extracted "
            f"{part['extracted_on_endorsing']:.0%}, judged >= partial against the Ground-True Answer "
            f"{part['agrees_with_ground_truth']:.0%}; ranking "
            f"with it as the reference {part['ranking_extracted']:.1%} (the Response itself: "
            f"{part['ranking_response']:.1%})"
        )
    print("extractions on endorsing rows by confidence (abstentions included): agree / ranked / extractions")
    by_confidence = extraction["by_confidence"]
    assert isinstance(by_confidence, dict)
    for low_high, cell in by_confidence.items():
        print(f"  {low_high}: {cell['agree']:>3} / {cell['ranked']:>3} / {cell['extractions']:>3}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "extraction": extraction,
        "medreward_version": medreward.__version__,
        "python_version": sys.version.split()[0],
        "rows": used,
        "shapes": table,
    }
    args.output.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
