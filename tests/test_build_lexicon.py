"""scripts/build_lexicon.py: the rules that read forms off source text (no source package needed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "build_lexicon.py"


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_lexicon", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_lexicon", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("title", "synonym"), [
    ("Varicella [chickenpox]", "chickenpox"),
    ("Zoster [herpes zoster]", "herpes zoster"),
    ("Leprosy [Hansen's disease]", "Hansen's disease"),
    ("Niacin deficiency [pellagra]", "pellagra"),
    ("Sleep terrors [night terrors]", "night terrors"),
])  # fmt: skip
def test_a_short_title_gives_its_bracketed_second_name(build: ModuleType, title: str, synonym: str) -> None:
    assert build._bracket_synonym(title) == synonym


@pytest.mark.parametrize("title", [
    "Hypereosinophilic syndrome [HES]",  # an abbreviation
    "Neuromyelitis optica [Devic]",  # an eponym alone
    "Familial dysautonomia [Riley-Day]",
    "Ehrlichiosis chaffeensis [E. chaffeensis]",  # an abbreviated name
    "Dentofacial anomalies [including malocclusion]",  # a qualifier
    "Acquired absence of lung [part of]",  # more than two words before the bracket
    "Adverse effect of other nonsteroidal anti-inflammatory drugs [NSAID]",
    "Estrogen receptor positive status [ER+]",
    "Varicella",  # no bracket
    "Zoster [herpes zoster] with encephalitis",  # the bracket does not end the title
])  # fmt: skip
def test_other_brackets_give_no_second_name(build: ModuleType, title: str) -> None:
    assert build._bracket_synonym(title) is None


# Three synsets in WordNet's data.noun layout: offset, lexicographer file, pos, lemma count (hex),
# lemmas with lex ids, pointer count, pointers (symbol, offset, pos, source/target), gloss.
_DATA_NOUN = """\
  1 This software and database is being provided to you, the LICENSEE, by
00000001 26 n 01 disease 0 000 | an impairment of health
00000002 26 n 02 whooping_cough 0 pertussis 0 001 @ 00000001 n 0000 | a disease
00000003 26 n 03 Bordetella_pertussis_infection 0 BPI 0 bpi 0 002 @ 00000002 n 0000 ~ 00000001 n 0000 | a case
00000004 06 n 01 table 0 000 | furniture
"""


def test_wordnet_noun_synsets_and_hypernyms_are_read(build: ModuleType) -> None:
    synsets, hypernyms = build._wordnet_nouns(_DATA_NOUN)
    assert synsets["00000002"] == ["whooping_cough", "pertussis"]
    assert synsets["00000003"] == ["Bordetella_pertussis_infection", "BPI", "bpi"]
    # "@" is a hypernym; "~" (a hyponym pointer) is not.
    assert hypernyms == {"00000001": [], "00000002": ["00000001"], "00000003": ["00000002"], "00000004": []}
    assert build._descendants({"00000001"}, hypernyms) == {"00000001", "00000002", "00000003"}
    assert build._descendants({"00000004"}, hypernyms) == {"00000004"}
