"""Shared helpers: completions in the seed format."""

from __future__ import annotations

from typing import Any

from medreward import DEFAULT_TAGS


def formatted(reasoning: str = "Reasoning.", solution: str = "Answer.") -> str:
    """A completion in exactly the default format."""
    t = DEFAULT_TAGS
    return f"{t.reasoning_start}{reasoning}{t.reasoning_end}\n{t.solution_start}{solution}{t.solution_end}"


def as_message(text: str) -> list[dict[str, Any]]:
    """``text`` as a TRL conversational completion."""
    return [{"role": "assistant", "content": text}]
