"""The system prompt that asks for the format the rewards score, built from the same tags.

>>> print(SYSTEM_PROMPT.splitlines()[2])
Place your reasoning between <start_reasoning> and <end_reasoning>.
"""

from __future__ import annotations

from medreward.format import DEFAULT_TAGS, FormatTags

__all__ = ["SYSTEM_PROMPT", "system_prompt"]


def system_prompt(tags: FormatTags = DEFAULT_TAGS) -> str:
    """The seed model's system prompt for ``tags`` (the published text for the default tags)."""
    return (
        "You are a medical reasoning assistant.\n"
        "Analyze the medical problem carefully and provide your step-by-step reasoning.\n"
        f"Place your reasoning between {tags.reasoning_start} and {tags.reasoning_end}.\n"
        f"Then, provide your final medical conclusion between {tags.solution_start} and {tags.solution_end}."
    )


SYSTEM_PROMPT = system_prompt()
