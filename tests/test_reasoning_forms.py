"""Reasoning blocks that chat templates write differently: a prefilled opening tag, a reasoning field."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from medreward import (
    ApproximateFormatConfig,
    CheckAnswer,
    CheckAnswerConfig,
    ExactFormatConfig,
    FormatTags,
    MatchFormatApproximately,
    MatchFormatExactly,
    check_answer,
    completion_reasoning,
    match_format_approximately,
    match_format_exactly,
    parse_completion,
)
from tests.conftest import formatted

QWEN3 = FormatTags(
    reasoning_start="<think>",
    reasoning_end="</think>",
    solution_start="<answer>",
    solution_end="</answer>",
    reasoning_prefilled=True,
)
PLAIN_QWEN3 = QWEN3.model_copy(update={"reasoning_prefilled": False})


def rewards(tags: FormatTags) -> tuple[MatchFormatExactly, MatchFormatApproximately, CheckAnswer]:
    return (
        MatchFormatExactly(ExactFormatConfig(tags=tags)),
        MatchFormatApproximately(ApproximateFormatConfig(tags=tags)),
        CheckAnswer(CheckAnswerConfig(tags=tags)),
    )


def scores(tags: FormatTags, completion: Any, answer: str = "asthma") -> list[float | None]:
    return [r(completions=[completion], answer=[answer])[0] for r in rewards(tags)]


class TestPrefilled:
    def test_completion_without_opening_tag_scores_like_a_complete_one(self) -> None:
        complete = scores(PLAIN_QWEN3, "<think>r</think>\n<answer>Asthma</answer>")
        assert complete == [3.0, 2.0, 3.0]
        assert scores(QWEN3, "r</think>\n<answer>Asthma</answer>") == complete
        # Qwen3's template ends the prompt with "<think>\n": the completion starts with the reasoning.
        assert scores(QWEN3, "\nr\n</think>\n\n<answer>Asthma</answer>") == complete

    def test_without_prefill_the_same_completion_misses_its_opening_tag(self) -> None:
        assert scores(PLAIN_QWEN3, "r</think>\n<answer>Asthma</answer>") == [0.0, 1.0, 3.0]

    def test_opening_tag_written_again_is_repeated(self) -> None:
        exact, approx, answer = scores(QWEN3, "<think>r</think>\n<answer>Asthma</answer>")
        assert exact == 0.0
        assert approx == 1.0  # repeated reasoning start: -0.5 instead of +0.5
        assert answer == 3.0  # check_answer still finds the solution

    def test_check_answer_finds_the_solution(self) -> None:
        assert scores(QWEN3, "r</think><answer>Hypokalemia</answer>", "Hyperkalemia")[2] == -0.5
        assert parse_completion("r</think><answer> x </answer>", QWEN3).solution == "x"

    def test_default_tags_prefilled(self) -> None:
        tags = FormatTags(reasoning_prefilled=True)
        assert tags.wrap("r", "s") == "r<end_reasoning>\n<SOLUTION>s</SOLUTION>"
        assert scores(tags, tags.wrap("r", "Asthma")) == [3.0, 2.0, 3.0]
        assert scores(tags, formatted(solution="Asthma"))[:2] == [0.0, 1.0]

    def test_prefill_is_part_of_the_tags_and_validated(self) -> None:
        assert FormatTags(reasoning_prefilled=True) != FormatTags()
        with pytest.raises(ValidationError):
            FormatTags(reasoning_prefilled="sometimes")  # type: ignore[arg-type]


def message(content: Any, **fields: Any) -> list[dict[str, Any]]:
    return [{"role": "assistant", "content": content, **fields}]


class TestReasoningField:
    @pytest.mark.parametrize("field", ["reasoning_content", "reasoning", "thinking"])
    def test_field_is_the_reasoning_block_and_content_the_solution(self, field: str) -> None:
        with_tags = message("<SOLUTION>Asthma</SOLUTION>", **{field: "Wheeze, reversible."})
        without_tags = message("Asthma", **{field: "Wheeze, reversible."})
        for completion in (with_tags, without_tags):
            assert [r(completions=[completion], answer=["asthma"])[0] for r in _DEFAULT] == [3.0, 2.0, 3.0]

    def test_field_with_other_tags(self) -> None:
        # TRL's Qwen3 response schema: reasoning_content holds the <think> block, content the rest.
        completion = message("<answer>Asthma</answer>", reasoning_content="r")
        assert scores(PLAIN_QWEN3, completion) == [3.0, 2.0, 3.0]
        # A prefilled tag is part of the field, never counted again.
        assert scores(QWEN3, completion) == [3.0, 2.0, 3.0]

    def test_content_that_repeats_the_reasoning_tags(self) -> None:
        completion = message(formatted(solution="Asthma"), reasoning_content="r")
        assert match_format_exactly(completions=[completion]) == [0.0]
        assert match_format_approximately(completions=[completion]) == [0.0]  # reasoning tags twice
        # Two reasoning ends: as in a string completion, no solution block is trusted.
        assert check_answer(completions=[completion], answer=["asthma"]) == [-1.0]

    def test_wrong_or_empty_content(self) -> None:
        assert check_answer(completions=[message("Hypokalemia", reasoning="r")], answer=["hyperkalemia"]) == [
            -0.5
        ]
        assert [r(completions=[message("  ", reasoning="r")], answer=["x"])[0] for r in _DEFAULT] == [
            0.0,
            2.0,
            -1.0,
        ]
        # An unclosed solution in content stays unclosed.
        assert check_answer(completions=[message("<SOLUTION>Asthma", reasoning="r")], answer=["asthma"]) == [
            -1.0
        ]

    @pytest.mark.parametrize("value", [None, "", "  \n", 3, ["r"]])
    def test_blank_or_non_text_field_is_no_reasoning(self, value: Any) -> None:
        completion = message("Asthma", reasoning_content=value)
        assert completion_reasoning(completion) is None
        assert match_format_exactly(completions=[completion]) == [0.0]

    def test_field_lookup_order_and_roles(self) -> None:
        assert completion_reasoning(message("x", reasoning_content="a", reasoning="b")) == "a"
        assert completion_reasoning(message("x", reasoning_content=" ", thinking="c")) == "c"
        assert completion_reasoning([{"role": "user", "content": "q", "reasoning": "no"}]) is None
        assert completion_reasoning({"role": "assistant", "thinking": "t"}) == "t"
        assert completion_reasoning(None) is None

    def test_strings_have_no_field(self) -> None:
        assert match_format_exactly(completions=["Asthma"]) == [0.0]


_DEFAULT = (match_format_exactly, match_format_approximately, check_answer)


_PARTS = st.lists(
    st.sampled_from(["<think>", "</think>", "<answer>", "</answer>", "x", " ", "\n"]), max_size=12
)


@given(_PARTS)
def test_prefilled_reads_as_the_opening_tag_put_back(parts: list[str]) -> None:
    text = "".join(parts)
    assert parse_completion(text, QWEN3) == parse_completion("<think>" + text, PLAIN_QWEN3)


@given(_PARTS, st.text(alphabet="r <>/", min_size=1, max_size=6).filter(str.strip))
def test_reasoning_field_reads_as_a_reasoning_block(parts: list[str], reasoning: str) -> None:
    content = "".join(parts)
    solution = content if "<answer>" not in content and "</answer>" not in content else None
    text = f"<think>{reasoning}</think>\n" + (content if solution is None else f"<answer>{content}</answer>")
    assert parse_completion(content, PLAIN_QWEN3, reasoning) == parse_completion(text, PLAIN_QWEN3)
    assert parse_completion(content, QWEN3, reasoning) == parse_completion(text, PLAIN_QWEN3)
