"""The built wheel and sdist carry the Apache-2.0 licence text and declare it in their metadata."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_license_file_is_the_apache_2_text() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX: How to apply the Apache License" in text


def test_wheel_and_sdist_contain_the_license(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hatchling.build import build_sdist, build_wheel

    monkeypatch.chdir(ROOT)  # the PEP 517 hooks build the project in the working directory
    wheel = tmp_path / build_wheel(str(tmp_path))
    sdist = tmp_path / build_sdist(str(tmp_path))

    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert "medreward-0.1.0.dist-info/licenses/LICENSE" in names
        metadata = archive.read("medreward-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert "License-File: LICENSE" in metadata
    assert "medreward/py.typed" in names and "medreward/data/lexicon-v2.json.gz" in names

    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    assert "medreward-0.1.0/LICENSE" in members
    assert "medreward-0.1.0/pyproject.toml" in members
