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
