"""The tree shows the architecture: the library never imports the tools, medical text processing
never imports the TRL side, and no reward imports another reward's module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "medreward"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _modules(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*.py"))


@pytest.mark.parametrize(
    "path", [p for p in _modules(PACKAGE) if "tools" not in p.relative_to(PACKAGE).parts], ids=str
)
def test_the_library_never_imports_the_tools(path: Path) -> None:
    assert not {m for m in _imports(path) if m.startswith("medreward.tools")}, path


@pytest.mark.parametrize("path", _modules(PACKAGE / "medical"), ids=lambda p: p.name)
def test_medical_text_processing_knows_nothing_of_trl(path: Path) -> None:
    imported = _imports(path)
    assert not {m for m in imported if m.split(".")[0] in {"trl", "transformers", "torch"}}, path
    outside = {m for m in imported if m.startswith("medreward.") and not m.startswith("medreward.medical")}
    assert not outside, f"{path.name} imports {outside}"


REWARD_MODULES = ("format_rewards", "answer", "shaping", "judge")


@pytest.mark.parametrize("name", REWARD_MODULES)
def test_no_reward_imports_another_rewards_module(name: str) -> None:
    others = {f"medreward.{other}" for other in REWARD_MODULES if other != name}
    # The judge wraps check_answer by design: it is a fallback for check_answer's verdicts.
    allowed = {"medreward.answer"} if name == "judge" else set()
    assert not (_imports(PACKAGE / f"{name}.py") & (others - allowed))
