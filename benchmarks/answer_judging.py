"""Answer-judging accuracy: medreward's ``check_answer`` against string-similarity baselines.

Two parts, every judge side by side in one run:

1. **Ranking on real questions** (``../shared/data/medical_o1_dev.jsonl``, development data that is
   never copied into the package). For each row, a "right" completion whose solution is the row's
   ``Ground-True Answer`` and one "wrong" completion per wrong multiple-choice option are judged
   against two references: the long ``Response`` paragraph and the short ``Ground-True Answer``. A
   row counts as correct for a judge when the right completion scores strictly above every wrong
   one (a tie is a failure). Rows whose options are letter codes ("ad", "bc", ...) are skipped.
   Against the short reference the right solution *is* the reference, so exact match wins
   trivially there: it is reported anyway, as the floor every judge should reach. ``check_answer``
   gets the row's ``Question`` as the prompt, as TRL passes it (it reads "which is NOT ..."
   questions from it); ``check_answer_no_question`` is the same judge without it.

2. **Hand-labelled categories** (written for this benchmark, below): pairs ``(solution, reference,
   should_match)`` for the hard cases of medical answer judging. A judge "matches" a pair when its
   score reaches its threshold (``check_answer`` > 0, rapidfuzz >= 85, difflib >= 0.85, exact match
   equal); the table shows the share of pairs per category that each judge gets right.

Run from the repository root::

    python benchmarks/answer_judging.py [--data PATH] [--output benchmarks/results/answer_judging.json]
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dev_rows import DEFAULT_DATA, DEFAULT_LABELS, LETTER_CODE, load_labels
from rapidfuzz import fuzz

import medreward
from medreward import DEFAULT_TAGS, check_answer, parse_completion

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "answer_judging.json"

REASONING = "The findings were reviewed step by step and weighed against the alternatives."

# (completions, references, questions or None) -> scores; the question is the prompt TRL passes.
BatchJudge = Callable[[Sequence[str], Sequence[str], Sequence[str] | None], list[float]]


def completion(solution: str) -> str:
    """A completion in the seed format with a fixed, neutral reasoning block."""
    return DEFAULT_TAGS.wrap(REASONING, solution)


def extracted(text: str) -> str:
    """The solution the baselines compare: medreward's own extraction, stripped and lowercased."""
    solution = parse_completion(text, DEFAULT_TAGS).solution
    return (solution or "").strip().lower()


def _pairwise(score: Callable[[str, str], float]) -> BatchJudge:
    def judge(
        completions: Sequence[str], references: Sequence[str], questions: Sequence[str] | None
    ) -> list[float]:
        return [float(score(extracted(c), r.strip().lower())) for c, r in zip(completions, references)]

    return judge


def _check_answer(
    completions: Sequence[str], references: Sequence[str], questions: Sequence[str] | None
) -> list[float]:
    # Called exactly as TRL calls a reward function: keyword lists, one prompt and one reference per
    # completion (the prompt is the row's question, as a standard-format dataset gives it).
    prompts = list(questions) if questions is not None else None
    scores = check_answer(prompts=prompts, completions=list(completions), answer=list(references))
    return [float("nan") if s is None else s for s in scores]


def _check_answer_no_question(
    completions: Sequence[str], references: Sequence[str], questions: Sequence[str] | None
) -> list[float]:
    # The ablation: no prompt, so every reference is read as the answer to a positive question.
    return _check_answer(completions, references, None)


def _exact(solution: str, reference: str) -> float:
    return 1.0 if solution and solution == reference else 0.0


def _difflib(solution: str, reference: str) -> float:
    return difflib.SequenceMatcher(None, solution, reference).ratio()


@dataclass(frozen=True)
class Judge:
    name: str
    judge: BatchJudge
    threshold: float
    # check_answer must be strictly positive; the similarity baselines reach their threshold.
    strict: bool = False

    def matches(self, score: float) -> bool:
        return score > self.threshold if self.strict else score >= self.threshold

    @property
    def rule(self) -> str:
        return f"{'>' if self.strict else '>='} {self.threshold:g}"


JUDGES: tuple[Judge, ...] = (
    Judge("check_answer", _check_answer, 0.0, strict=True),
    Judge("check_answer_no_question", _check_answer_no_question, 0.0, strict=True),
    Judge("exact_match", _pairwise(_exact), 1.0),
    Judge("difflib_ratio", _pairwise(_difflib), 0.85),
    Judge("token_set_ratio", _pairwise(fuzz.token_set_ratio), 85.0),
    Judge("partial_ratio", _pairwise(fuzz.partial_ratio), 85.0),
    Judge("WRatio", _pairwise(fuzz.WRatio), 85.0),
)

# --------------------------------------------------------------------------------------------------
# Hand-labelled categories: (solution, reference, should_match). Written for this benchmark.
# --------------------------------------------------------------------------------------------------

Pair = tuple[str, str, bool]

CATEGORIES: dict[str, tuple[Pair, ...]] = {
    "abbreviations": (
        ("MI", "Myocardial infarction", True),
        ("COPD", "Chronic obstructive pulmonary disease", True),
        ("DVT", "Deep vein thrombosis", True),
        ("DKA", "Diabetic ketoacidosis", True),
        ("SLE", "Systemic lupus erythematosus", True),
        ("CML", "Chronic lymphocytic leukemia", False),
        ("ALL", "Acute myeloid leukemia", False),
    ),
    "ambiguous_abbreviations": (
        ("MS", "Multiple sclerosis", True),
        ("MS", "Mitral stenosis", True),
        ("PE", "Pulmonary embolism", True),
        ("ALL", "Acute lymphoblastic leukemia", True),
        ("MS", "Myasthenia gravis", False),
        ("PE", "Pleural effusion", False),
        ("ALL", "Acute myeloid leukemia", False),
    ),
    "in_text_definitions": (
        ("Myocardial infarction (MI)", "Myocardial infarction", True),
        ("Multiple sclerosis (MS)", "Multiple sclerosis", True),
        ("Deep vein thrombosis (DVT)", "DVT", True),
        ("Mitral stenosis (MS)", "Multiple sclerosis", False),
        ("Diabetic ketoacidosis (DKA)", "Hyperosmolar hyperglycemic state", False),
    ),
    "lay_synonyms": (
        ("Heart attack", "Myocardial infarction", True),
        ("Stroke", "Cerebrovascular accident", True),
        ("High blood pressure", "Hypertension", True),
        ("Whooping cough", "Pertussis", True),
        ("Shingles", "Herpes zoster", True),
        ("Low blood pressure", "Hypertension", False),
        ("Chickenpox", "Smallpox", False),
    ),
    "brand_generic": (
        ("Tylenol", "Acetaminophen", True),
        ("Paracetamol", "Acetaminophen", True),
        ("Lasix", "Furosemide", True),
        ("Coumadin", "Warfarin", True),
        ("Glucophage", "Metformin", True),
        ("Advil", "Acetaminophen", False),
        ("Coumadin", "Heparin", False),
    ),
    "british_american": (
        ("Haemorrhage", "Hemorrhage", True),
        ("Oesophageal varices", "Esophageal varices", True),
        ("Iron deficiency anaemia", "Iron deficiency anemia", True),
        ("Acute lymphoblastic leukaemia", "Acute lymphoblastic leukemia", True),
        ("Oedema", "Edema", True),
        ("Tumour lysis syndrome", "Tumor lysis syndrome", True),
        ("Anaemia", "Leukemia", False),
    ),
    "inflection": (
        ("Gallstones", "Gallstone", True),
        ("Vitamin B12 deficiencies", "Vitamin B12 deficiency", True),
        ("Kidney stones", "Kidney stone", True),
        ("Metastases to the liver", "Liver metastasis", True),
        ("Fractured femur", "Femur fracture", True),
        ("Ovarian cysts", "Ovarian cancer", False),
    ),
    "possessive_eponyms": (
        ("Crohn's disease", "Crohn disease", True),
        ("Hashimoto's thyroiditis", "Hashimoto thyroiditis", True),
        ("Bell's palsy", "Bell palsy", True),
        ("Graves' disease", "Graves disease", True),
        ("Addisons disease", "Addison's disease", True),
        ("Cushing's syndrome", "Cushing's disease", False),
        ("Addison's disease", "Alzheimer's disease", False),
    ),
    "word_order": (
        ("Deficiency of vitamin B12", "Vitamin B12 deficiency", True),
        ("Fracture of the scaphoid", "Scaphoid fracture", True),
        ("Stenosis of the aortic valve", "Aortic valve stenosis", True),
        ("Carcinoma of the lung, small cell", "Small cell lung carcinoma", True),
        ("Aortic regurgitation with mitral stenosis", "Mitral regurgitation with aortic stenosis", False),
        ("Gastric cancer metastatic to the ovary", "Ovarian cancer metastatic to the stomach", False),
    ),
    "opposites": (
        ("Hypothyroidism", "Hyperthyroidism", False),
        ("Hypokalemia", "Hyperkalemia", False),
        ("Left-sided heart failure", "Right-sided heart failure", False),
        ("Type 1 diabetes mellitus", "Type 2 diabetes mellitus", False),
        ("Increased intracranial pressure", "Decreased intracranial pressure", False),
        ("Acute pancreatitis", "Chronic pancreatitis", False),
        ("Upper gastrointestinal bleeding", "Lower gastrointestinal bleeding", False),
        ("Bradycardia", "Tachycardia", False),
        ("Raised intracranial pressure", "Increased intracranial pressure", True),
        ("Pancreatitis, acute", "Acute pancreatitis", True),
    ),
    "numbers_units": (
        ("5 mg", "50 mg", False),
        ("0.5 mg", "5 mg", False),
        ("Stage II", "Stage III", False),
        ("Trisomy 18", "Trisomy 21", False),
        ("Type IV hypersensitivity", "Type II hypersensitivity", False),
        ("500 mg", "0.5 g", True),
        ("1 week", "7 days", True),
        ("10 mg/kg", "10 mg per kg", True),
    ),
    "diabetes_vs_insipidus": (
        ("Diabetes", "Diabetes insipidus", False),
        ("Diabetes mellitus", "Diabetes insipidus", False),
        ("Central diabetes insipidus", "Nephrogenic diabetes insipidus", False),
        ("Diabetes insipidus, nephrogenic", "Nephrogenic diabetes insipidus", True),
        ("DI", "Diabetes insipidus", True),
    ),
    "hodgkin_vs_non_hodgkin": (
        ("Hodgkin lymphoma", "Non-Hodgkin lymphoma", False),
        ("Non-Hodgkin lymphoma", "Hodgkin lymphoma", False),
        ("Hodgkin's lymphoma", "Hodgkin lymphoma", True),
        ("Non-Hodgkin's lymphoma", "Non-Hodgkin lymphoma", True),
        ("Hodgkin disease", "Hodgkin lymphoma", True),
    ),
    "negation": (
        ("Not pneumonia", "Pneumonia", False),
        ("Pneumonia is ruled out", "Pneumonia", False),
        ("No evidence of malignancy", "Malignancy", False),
        ("Sarcoidosis is unlikely", "Sarcoidosis", False),
        ("Myocardial infarction excluded", "Myocardial infarction", False),
        ("Migraine without aura", "Migraine without aura", True),
        ("No treatment needed", "No treatment is required", True),
    ),
    "hedging": (
        ("Pneumonia, pulmonary embolism or heart failure", "Pulmonary embolism", False),
        ("Either Crohn disease or ulcerative colitis", "Crohn disease", False),
        ("Lupus, rheumatoid arthritis or sarcoidosis", "Rheumatoid arthritis", False),
        ("Hyperthyroidism, hypothyroidism or thyroiditis", "Hypothyroidism", False),
        ("Most likely Graves disease", "Graves disease", True),
    ),
}


# --------------------------------------------------------------------------------------------------
# Part 1: ranking on real rows
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    right: str
    wrong: tuple[str, ...]
    response: str
    line: int = -1
    # The row's Question: the prompt a GRPO run would pass with the completions.
    question: str = ""
    # The option letter the Response endorses, by the hand labels (None: no option, or unlabelled).
    endorsed: str | None = None
    # The endorsed option first, then the other options: the ranking the Response itself implies.
    endorsed_ranking: tuple[str, ...] = ()
    endorses_answer: bool = False

    @property
    def response_states_answer(self) -> bool:
        """Whether the long Response contains the short answer verbatim (case-insensitive).

        Many Responses of this data set answer an open-ended variant of the question and never name
        the multiple-choice answer; on those rows no judge can rank from the Response alone.
        """
        return self.right.rstrip(".").lower() in self.response.lower()


def load_rows(
    path: Path, labels: dict[int, dict[str, Any]] | None = None
) -> tuple[list[Row], dict[str, int]]:
    rows: list[Row] = []
    labels = labels or {}
    counts = {"rows_read": 0, "skipped_letter_code_options": 0, "skipped_no_wrong_option": 0}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if not line.strip():
                continue
            counts["rows_read"] += 1
            record: dict[str, Any] = json.loads(line)
            label = labels.get(number)
            if label is not None:
                digest = hashlib.sha1(str(record["Question"]).encode("utf-8")).hexdigest()[:12]
                if digest != label["question_sha1"]:
                    raise SystemExit(f"answer_judging: label of line {number} is for another question")
            options: dict[str, str] = {k: str(v) for k, v in record["options"].items()}
            if all(LETTER_CODE.match(v.strip()) for v in options.values()):
                counts["skipped_letter_code_options"] += 1
                continue
            right = str(record["Ground-True Answer"]).strip()
            wrong = tuple(
                text.strip()
                for letter, text in options.items()
                if letter != record["answer_idx"] and text.strip().lower() != right.lower()
            )
            if not wrong:
                counts["skipped_no_wrong_option"] += 1
                continue
            endorsed = label["endorses"] if label else None
            ranking: tuple[str, ...] = ()
            if endorsed is not None:
                chosen = options[endorsed].strip()
                others = {t.strip() for k, t in options.items() if k != endorsed}
                ranking = (chosen, *sorted(o for o in others if o.lower() != chosen.lower()))
            rows.append(
                Row(
                    right=right,
                    wrong=wrong,
                    response=str(record["Response"]),
                    line=number,
                    question=str(record["Question"]),
                    endorsed=endorsed,
                    endorsed_ranking=ranking,
                    endorses_answer=endorsed is not None and endorsed == record["answer_idx"],
                )
            )
    counts["rows_used"] = len(rows)
    counts["rows_labelled"] = sum(r.line in labels for r in rows)
    counts["rows_response_endorses_an_option"] = sum(r.endorsed is not None for r in rows)
    counts["rows_response_endorses_answer"] = sum(r.endorses_answer for r in rows)
    counts["rows_response_states_answer"] = sum(r.response_states_answer for r in rows)
    counts["wrong_completions"] = sum(len(r.wrong) for r in rows)
    return rows, counts


def rank_accuracy(
    judge: Judge,
    rows: Sequence[Row],
    reference_of: Callable[[Row], str],
    solutions_of: Callable[[Row], Sequence[str]] = lambda row: (row.right, *row.wrong),
) -> dict[str, Any]:
    """Share of rows whose first solution scores strictly above every other one."""
    correct = ties = 0
    started = time.perf_counter()
    for row in rows:
        solutions = list(solutions_of(row))
        reference = reference_of(row)
        scores = judge.judge(
            [completion(s) for s in solutions], [reference] * len(solutions), [row.question] * len(solutions)
        )
        right, best_wrong = scores[0], max(scores[1:])
        correct += right > best_wrong
        ties += right == best_wrong
    return {
        "accuracy": correct / len(rows) if rows else float("nan"),
        "correct": correct,
        "ties": ties,
        "seconds": time.perf_counter() - started,
    }


# --------------------------------------------------------------------------------------------------
# Part 2: categories
# --------------------------------------------------------------------------------------------------


def category_results(judge: Judge) -> dict[str, Any]:
    per_category: dict[str, Any] = {}
    total_right = total = 0
    for category, pairs in CATEGORIES.items():
        scores = judge.judge([completion(s) for s, _, _ in pairs], [r for _, r, _ in pairs], None)
        details = []
        right = 0
        for (solution, reference, should_match), score in zip(pairs, scores):
            ok = judge.matches(score) == should_match
            right += ok
            details.append(
                {
                    "solution": solution,
                    "reference": reference,
                    "should_match": should_match,
                    "score": score,
                    "correct": ok,
                }
            )
        per_category[category] = {"accuracy": right / len(pairs), "pairs": details}
        total_right += right
        total += len(pairs)
    return {"overall": total_right / total, "categories": per_category}


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------


def table(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *body)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths)))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
        for row in body
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help=f"JSONL rows (default: {DEFAULT_DATA})"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON results")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="hand labels of the Responses")
    args = parser.parse_args(argv)

    data: Path = args.data
    if not data.is_file():
        print(
            f"answer_judging: data file not found: {data}\n"
            "It is the shared development set (../shared/data/medical_o1_dev.jsonl next to the repository);"
            " pass --data PATH to point at a copy.",
            file=sys.stderr,
        )
        return 2

    labels = load_labels(args.labels)
    rows, counts = load_rows(data, labels)
    if not rows:
        print(f"answer_judging: no usable rows in {data}", file=sys.stderr)
        return 2
    stating = [r for r in rows if r.response_states_answer]
    agreeing = [r for r in rows if r.endorses_answer]
    endorsing = [r for r in rows if r.endorsed is not None]

    def response(row: Row) -> str:
        return row.response

    def answer(row: Row) -> str:
        return row.right

    def endorsed_first(row: Row) -> Sequence[str]:
        return row.endorsed_ranking

    # (rows, reference, solutions) per evaluation; the first solution must win. The long Response
    # on all rows; on the rows whose Response names the answer verbatim; on the rows whose Response
    # endorses the answer (hand labels: a judge can only follow the reference it is given); the
    # option each Response endorses, answer or not; the short Ground-True Answer on all rows.
    evaluations: dict[str, tuple[list[Row], Callable[[Row], str], Callable[[Row], Sequence[str]]]] = {
        "long_response": (rows, response, lambda row: (row.right, *row.wrong)),
        "long_response_states_answer": (stating, response, lambda row: (row.right, *row.wrong)),
        "long_response_endorses_answer": (agreeing, response, lambda row: (row.right, *row.wrong)),
        "long_response_endorsed_option": (endorsing, response, endorsed_first),
        "short_ground_truth": (rows, answer, lambda row: (row.right, *row.wrong)),
    }
    ranking = {
        judge.name: {
            kind: rank_accuracy(judge, subset, ref, sols) for kind, (subset, ref, sols) in evaluations.items()
        }
        for judge in JUDGES
    }
    categories = {judge.name: category_results(judge) for judge in JUDGES}

    print(f"medreward {medreward.__version__}, Python {platform.python_version()}, data {data}")
    print(
        f"rows read {counts['rows_read']}, used {counts['rows_used']}, skipped "
        f"{counts['skipped_letter_code_options']} with letter-code options ('ad', 'bc', ...) and "
        f"{counts['skipped_no_wrong_option']} without a wrong option; "
        f"{counts['wrong_completions']} wrong completions; "
        f"{counts['rows_response_states_answer']} Responses contain the Ground-True Answer verbatim\n"
    )
    print("Ranking accuracy: right solution scored strictly above every wrong option (ties in brackets)")
    body = [
        [
            judge.name,
            *(
                f"{ranking[judge.name][kind]['accuracy']:6.1%} ({ranking[judge.name][kind]['ties']:>3})"
                for kind in evaluations
            ),
        ]
        for judge in JUDGES
    ]
    header = [
        "judge",
        f"Response (n={len(rows)})",
        f"Response names answer (n={len(stating)})",
        f"Response endorses answer (n={len(agreeing)})",
        f"option Response endorses (n={len(endorsing)})",
        f"short Ground-True (n={len(rows)})",
    ]
    print(table(header, body))
    print(
        "  'endorses': hand labels in benchmarks/labels/response_endorses.json (which option each Response"
        " concludes,\n  read from the Response alone); the last-but-one column ranks that option first,"
        " right answer or not"
    )
    print("  (vs the short reference the right solution is the reference: exact match wins trivially)\n")

    print("Category suite: share of hand-labelled pairs judged correctly")
    print("  match rule: " + ", ".join(f"{j.name} {j.rule}" for j in JUDGES))
    header = ["category", "pairs", *(j.name for j in JUDGES)]
    body = [
        [
            category,
            str(len(pairs)),
            *(f"{categories[j.name]['categories'][category]['accuracy']:.0%}" for j in JUDGES),
        ]
        for category, pairs in CATEGORIES.items()
    ]
    n_pairs = sum(len(p) for p in CATEGORIES.values())
    body.append(["overall", str(n_pairs), *(f"{categories[j.name]['overall']:.0%}" for j in JUDGES)])
    print(table(header, body))

    result = {
        "benchmark": "answer_judging",
        "medreward_version": medreward.__version__,
        "python_version": platform.python_version(),
        "platform": platform.platform(),
        "data_path": str(data),
        "row_counts": counts,
        "labels_path": str(args.labels),
        "judges": {j.name: {"match_rule": j.rule} for j in JUDGES},
        "ranking": ranking,
        "categories": categories,
        "category_pairs": n_pairs,
    }
    output: Path = args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
