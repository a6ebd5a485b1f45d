"""The development rows, read once for every benchmark that uses them: one place for the data
path, the hand labels, and which options are wrong answers.

``../shared/data/medical_o1_dev.jsonl`` is development data: read from beside the repository and
never copied into it. ``benchmarks/labels/response_endorses.json`` records, per row, which option
its long ``Response`` endorses (benchmarks/labels/README.md).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "medical_o1_dev.jsonl"
DEFAULT_LABELS = REPO_ROOT / "benchmarks" / "labels" / "response_endorses.json"
# Options made of answer-letter codes ("ad", "bc", "ace"): the option text says nothing by itself.
LETTER_CODE = re.compile(r"^[a-eA-E]{1,3}$")

Row = dict[str, Any]


def read_rows(path: Path = DEFAULT_DATA) -> list[Row]:
    """Every row of the development JSONL file, in line order."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_labels(path: Path = DEFAULT_LABELS) -> dict[int, dict[str, Any]]:
    """Hand labels by 0-based line: which option each Response endorses (benchmarks/labels/README.md)."""
    if not path.is_file():
        return {}
    return {int(r["line"]): r for r in json.loads(path.read_text(encoding="utf-8"))["rows"]}


def endorses_answer(label: dict[str, Any] | None) -> bool:
    """Whether the row's Response endorses the keyed answer (the rows where a judge can follow it)."""
    return bool(label and label.get("agrees_with_answer_idx") and label.get("endorses"))


def wrong_options(row: Row) -> list[str]:
    """The row's wrong options as written: not the keyed one, no letter codes, none that reads as the
    Ground-True Answer itself."""
    answer = str(row["Ground-True Answer"]).strip().rstrip(".").lower()
    wrong = [str(v) for k, v in sorted(row["options"].items()) if k != row["answer_idx"]]
    return [w for w in wrong if not LETTER_CODE.match(w.strip()) and w.strip().rstrip(".").lower() != answer]


def question_half(row: Row) -> str:
    """Which half of the development rows a row is in, fixed by a hash of its Question: "tune" (the
    half rules were tuned on) or "held_out" (the half measured only)."""
    digest = hashlib.sha256(str(row["Question"]).encode("utf-8")).digest()
    return "tune" if digest[0] % 2 == 0 else "held_out"
