"""The package's own sample questions (written for medreward; see ``data/README.md``).

>>> rows = load_samples()
>>> len(rows) >= 8 and {"Question", "Response", "answer", "distractors"} <= rows[0].keys()
True
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["load_samples"]


@lru_cache(maxsize=1)
def _read_samples() -> tuple[dict[str, Any], ...]:
    text = resources.files("medreward").joinpath("data/samples.jsonl").read_text(encoding="utf-8")
    return tuple(json.loads(line) for line in text.splitlines() if line.strip())


def load_samples() -> list[dict[str, Any]]:
    """The sample rows: ``id``, ``Question``, ``Response`` (long reference), ``answer``, ``distractors``."""
    return [dict(row) for row in _read_samples()]
