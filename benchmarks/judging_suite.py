"""The answer-judging suite: groups of accepted and rejected answers, tune and test halves per kind.

A *group* is one reference, answers a clinician accepts and near-miss answers a clinician rejects.
A judge **wins** a group when every accepted answer scores strictly above every rejected one. Each
kind's groups are split into a *tune* and a *test* half by a fixed hash of the group's id: tune the
judge on the tune half only, and read the test half to report.

Sources (each group records its own):

- ``judging_suite/vocabulary.jsonl``: HPO synonyms against siblings, HPO children against cousins,
  ICD-10-CM second names against sibling codes (``scripts/build_judging_suite.py``);
- ``judging_suite/handwritten/*.jsonl``: groups written from clinical knowledge (abbreviations, lay
  terms, drugs, spelling, eponyms, anatomy, organisms, opposites, negation, numbers, sentences, more
  and less specific answers, procedures), never from a judge's output;
- built here from ``../shared/data/medical_o1_dev.jsonl`` (development data, never copied into the
  repository): metamorphic variants of every short ``Ground-True Answer`` (``meta_*``) against the
  row's wrong options, its refusals and its lists, and ``long_response``: the long ``Response`` as
  the reference, the question's last sentence (the echo a GRPO policy learns) among the rejects.

Every judge runs on the same groups in one run: ``check_answer`` (called as TRL calls it, with the
group's question as the prompt where it has one), rapidfuzz ``token_set_ratio`` and ``WRatio``, and
difflib's ratio.

Run from the repository root::

    python benchmarks/judging_suite.py                  # both halves, writes results/judging_suite.json
    python benchmarks/judging_suite.py --split tune     # the tune half only, while tuning
    python benchmarks/judging_suite.py --ids hw-d- hw-e-    # only the groups written after a version
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from dev_rows import DEFAULT_DATA, endorses_answer, load_labels, read_rows, wrong_options
from rapidfuzz import fuzz, utils

import medreward
from medreward import DEFAULT_TAGS, check_answer
from medreward.medical.questions import question_ask

REPO = Path(__file__).resolve().parent.parent
SUITE = REPO / "benchmarks" / "judging_suite"
DEFAULT_OUTPUT = REPO / "benchmarks" / "results" / "judging_suite.json"
# The split: a group is in the test half when this salted hash of its id is odd.
SPLIT_SALT = "medreward-judging-suite-v1"
REASONING = "The findings were reviewed step by step and weighed against the alternatives."

Group = dict[str, Any]
# (solutions, references, questions) -> one score per solution
Scorer = Callable[[Sequence[str], Sequence[str], Sequence[str | None]], list[float]]


def split_of(group_id: str) -> str:
    """``"tune"`` or ``"test"``, fixed by the group's id."""
    digest = hashlib.sha1(f"{SPLIT_SALT}:{group_id}".encode()).digest()
    return "test" if digest[0] % 2 else "tune"


# --------------------------------------------------------------------------------------------------
# Groups built from the development rows
# --------------------------------------------------------------------------------------------------

_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V", "6": "VI", "7": "VII", "8": "VIII", "9": "IX"}
_NUMBER_WORDS = {"1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six", "7": "seven"}
# US -> UK spellings, written from the spelling rules (not read from the judge's tables).
_UK = (
    ("hemo", "haemo"), ("hema", "haema"), ("anemia", "anaemia"), ("edema", "oedema"), ("esoph", "oesoph"),
    ("estro", "oestro"), ("tumor", "tumour"), ("leukemia", "leukaemia"), ("pediatric", "paediatric"),
    ("fetal", "foetal"), ("diarrhea", "diarrhoea"), ("ischemi", "ischaemi"), ("behavior", "behaviour"),
    ("color", "colour"), ("center", "centre"), ("orthopedic", "orthopaedic"), ("cesarean", "caesarean"),
)  # fmt: skip


def _group(gid: str, kind: str, reference: str, accept: list[str], reject: list[str], **extra: Any) -> Group:
    accept = list(dict.fromkeys(a for a in accept if a.strip()))
    reject = list(dict.fromkeys(r for r in reject if r.strip() and r not in accept))
    return {"id": gid, "kind": kind, "reference": reference, "accept": accept, "reject": reject, **extra}


def _uk(text: str) -> str:
    for us, uk in _UK:
        text = text.replace(us, uk).replace(us.capitalize(), uk.capitalize())
    return text


def _lower_first(text: str) -> str:
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def dev_groups(rows: list[dict[str, Any]], labels: dict[int, dict[str, Any]]) -> Iterator[Group]:
    """Metamorphic groups of every short answer, and long-reference groups of the endorsing rows."""
    for line, row in enumerate(rows):
        answer = str(row["Ground-True Answer"]).strip().rstrip(".")
        wrong = wrong_options(row)
        base = f"dev-{line}"
        if answer and wrong and len(answer.split()) <= 12:
            dotted = re.sub(r"\b([A-Z]{2,5})\b", lambda m: ".".join(m.group(1)) + ".", answer)
            numerals = [
                re.sub(r"\b([1-9])\b", lambda m: _ROMAN[m.group(1)], answer),
                re.sub(r"\b([1-7])\b", lambda m: _NUMBER_WORDS[m.group(1)], answer),
            ]
            variants = {
                "meta_case": [answer.lower(), answer.upper()],
                "meta_punctuation": [f"{answer}.", f'"{answer}"', f"{answer} !"],
                "meta_sentence": [
                    f"The most likely answer is {_lower_first(answer)}.",
                    f"{answer} is the best answer here.",
                ],
                "meta_spelling": [_uk(answer)],
                "meta_numeral": numerals,
                "meta_abbreviation": [dotted],
            }
            for kind, accept in variants.items():
                accept = [a for a in accept if a != answer]
                if accept:
                    yield _group(f"{base}-{kind}", kind, answer, [answer, *accept], wrong, source="dev")
            refusals = [
                f"Not {_lower_first(answer)}",
                f"{answer} is ruled out",
                f"{answer} is incorrect",
                f"Cannot be {_lower_first(answer)}",
                f"Anything but {_lower_first(answer)}",
            ]
            yield _group(f"{base}-meta_refusal", "meta_refusal", answer, [answer], refusals, source="dev")
            lists = [f"{answer} or {wrong[0]}", f"{wrong[0]} or {_lower_first(answer)}"]
            yield _group(f"{base}-meta_list", "meta_list", answer, [answer], lists, source="dev")
        if endorses_answer(labels.get(line)) and answer and wrong:
            echo = question_ask(str(row["Question"]))
            yield _group(
                f"{base}-long", "long_response", str(row["Response"]), [answer], [*wrong, echo],
                question=str(row["Question"]), source="dev",
            )  # fmt: skip


def load_groups(data: Path) -> list[Group]:
    """Every group of the suite: the files under judging_suite/ and those built from ``data``."""
    groups: list[Group] = []
    for path in sorted(SUITE.glob("*.jsonl")) + sorted(SUITE.glob("handwritten/*.jsonl")):
        source = path.relative_to(SUITE).as_posix()
        groups += [
            {"file": source, **json.loads(line)} for line in path.read_text().splitlines() if line.strip()
        ]
    if data.exists():
        rows = read_rows(data)
        labels = load_labels()
        groups += [{"file": "dev", **g} for g in dev_groups(rows, labels)]
    else:
        print(f"{data} not found: the metamorphic and long-reference groups are left out", file=sys.stderr)
    return [g for g in groups if g["accept"] and g["reject"]]


# --------------------------------------------------------------------------------------------------
# Judges
# --------------------------------------------------------------------------------------------------


def _check_answer(
    solutions: Sequence[str], references: Sequence[str], questions: Sequence[str | None]
) -> list[float]:
    completions = [DEFAULT_TAGS.wrap(REASONING, s) for s in solutions]
    prompts = [q or "" for q in questions]
    scores = check_answer(prompts=prompts, completions=completions, answer=list(references))
    return [float("nan") if s is None else s for s in scores]


def _pairwise(score: Callable[[str, str], float]) -> Scorer:
    def judge(
        solutions: Sequence[str], references: Sequence[str], questions: Sequence[str | None]
    ) -> list[float]:
        return [float(score(s, r)) for s, r in zip(solutions, references)]

    return judge


def _processed(scorer: Callable[..., float]) -> Callable[[str, str], float]:
    return lambda a, b: scorer(a, b, processor=utils.default_process)


JUDGES: dict[str, Scorer] = {
    "check_answer": _check_answer,
    "token_set_ratio": _pairwise(_processed(fuzz.token_set_ratio)),
    "WRatio": _pairwise(_processed(fuzz.WRatio)),
    "difflib": _pairwise(lambda a, b: difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()),
}


def evaluate(groups: list[Group], scorer: Scorer) -> list[tuple[bool, list[float], list[float]]]:
    """For each group: won, the accepted answers' scores, the rejected answers' scores."""
    solutions: list[str] = []
    references: list[str] = []
    questions: list[str | None] = []
    for g in groups:
        for answer in [*g["accept"], *g["reject"]]:
            solutions.append(answer)
            references.append(g["reference"])
            questions.append(g.get("question"))
    scores = iter(scorer(solutions, references, questions))
    outcomes = []
    for g in groups:
        accepted = [next(scores) for _ in g["accept"]]
        rejected = [next(scores) for _ in g["reject"]]
        outcomes.append((min(accepted) > max(rejected), accepted, rejected))
    return outcomes


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=("tune", "test", "both"), default="both")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--failures", type=int, default=0, help="print this many lost check_answer groups a kind"
    )
    parser.add_argument("--kind", default=None, help="only groups of this kind")
    parser.add_argument(
        "--ids",
        nargs="+",
        default=None,
        metavar="PREFIX",
        help="only groups whose id starts with one of these (hw-d- hw-e-: written after a version)",
    )
    args = parser.parse_args(argv)
    groups = load_groups(args.data)
    if args.kind:
        groups = [g for g in groups if g["kind"] == args.kind]
    if args.ids:
        groups = [g for g in groups if g["id"].startswith(tuple(args.ids))]
    splits = ("tune", "test") if args.split == "both" else (args.split,)
    groups = [g for g in groups if split_of(g["id"]) in splits]
    results: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    for name, scorer in JUDGES.items():
        start = time.perf_counter()
        results[name] = evaluate(groups, scorer)
        seconds[name] = time.perf_counter() - start
    kinds = sorted({g["kind"] for g in groups})
    table: dict[str, dict[str, dict[str, float | int]]] = {}
    for split in splits:
        table[split] = {}
        for kind in [*kinds, "ALL"]:
            index = [
                i for i, g in enumerate(groups) if split_of(g["id"]) == split and kind in ("ALL", g["kind"])
            ]
            if not index:
                continue
            row: dict[str, float | int] = {"groups": len(index)}
            for name in JUDGES:
                row[name] = sum(results[name][i][0] for i in index) / len(index)
            table[split][kind] = row
    # A wrong answer that check_answer pays (scores above 0) is what a GRPO policy can learn to
    # write, whether or not its group is won.
    paid: dict[str, dict[str, int]] = {}
    for split in splits:
        rejected = [
            score
            for g, (_, _, scores) in zip(groups, results["check_answer"])
            if split_of(g["id"]) == split
            for score in scores
        ]
        paid[split] = {"rejected": len(rejected), "above_zero": sum(score > 0 for score in rejected)}
    names = list(JUDGES)
    for split in splits:
        print(f"\n## {split} half: share of groups won")
        print(f"| kind | groups | {' | '.join(names)} |")
        print(f"|---|---:|{'---:|' * len(names)}")
        for kind, row in table[split].items():
            print(f"| {kind} | {row['groups']} | " + " | ".join(f"{row[n]:.3f}" for n in names) + " |")
    for split, counts in paid.items():
        above, rejected = counts["above_zero"], counts["rejected"]
        print(f"\n{split} half: {above} of {rejected} rejected answers score above 0 with check_answer")
    if args.failures:
        lost: dict[str, int] = defaultdict(int)
        for g, (won, accepted, rejected) in zip(groups, results["check_answer"]):
            if not won and lost[g["kind"]] < args.failures:
                lost[g["kind"]] += 1
                ref = g["reference"] if len(g["reference"]) < 120 else g["reference"][:117] + "..."
                print(f"\n[{g['kind']}] {g['id']} ref={ref!r}")
                for a, s in zip(g["accept"], accepted):
                    print(f"   + {s:5.2f} {a!r}")
                for r, s in zip(g["reject"], rejected):
                    print(f"   - {s:5.2f} {r!r}")
    document = {
        "about": "Share of groups won (every accepted answer strictly above every rejected one) per kind and "
        "half; python benchmarks/judging_suite.py",
        "medreward_version": medreward.__version__,
        "python_version": sys.version.split()[0],
        "groups": len(groups),
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "results": table,
        "check_answer_rejected_above_zero": paid,
    }
    if args.split == "both" and not args.kind and not args.ids:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(document, indent=1) + "\n")
    return document


if __name__ == "__main__":
    main()
