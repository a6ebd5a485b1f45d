"""The documentation site builds, renders the docstrings' reST roles as links and lists config fields."""

from __future__ import annotations

import html
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings")

ROOT = Path(__file__).resolve().parent.parent
ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|const|mod|obj|exc):")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    return out


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_no_literal_sphinx_roles(site: Path) -> None:
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        found = ROLE.findall(_text(page.read_text(encoding="utf-8")))
        assert not found, (page, found)
    assert not ROLE.search((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert not (site / "griffe_roles.py").exists()  # the extension is not published as a page


def test_roles_become_links(site: Path) -> None:
    reference = (site / "reference" / "index.html").read_text(encoding="utf-8")
    # ExactFormatConfig's docstring is "Scores of :class:`MatchFormatExactly`."
    assert re.search(
        r'<a class="autorefs autorefs-internal"[^>]*href="#medreward\.format_rewards\.MatchFormatExactly"'
        r"[^>]*><code>MatchFormatExactly</code></a>",
        reference,
    )


def test_config_fields_and_defaults_are_listed(site: Path) -> None:
    from pydantic import BaseModel

    reference = (site / "reference" / "index.html").read_text(encoding="utf-8")
    text = _text(reference)
    source = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    models = 0
    for path in re.findall(r"^::: (\S+)", source, re.MULTILINE):
        module, name = path.rsplit(".", 1)
        model = getattr(importlib.import_module(module), name)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        models += 1
        for field, info in model.model_fields.items():
            assert f'id="{path}.{field}"' in reference, (path, field)
            default = info.default
            if isinstance(default, (int, float, str)) and not isinstance(default, bool):
                assert re.search(rf"{field}: \S+ = {re.escape(repr(default))}", text), (path, field, default)
    assert models >= 5


def test_extra_css_is_linked(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="css/extra.css"' in index
    css = (site / "css" / "extra.css").read_text(encoding="utf-8")
    assert "overflow-wrap: normal" in css and "pre-wrap" in css
