from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from medreward import (
    ApproximateFormatConfig,
    ExactFormatConfig,
    FormatTags,
    MatchFormatApproximately,
    MatchFormatExactly,
    match_format_approximately,
    match_format_exactly,
    parse_completion,
)
from tests.conftest import formatted

R0, R1, S0, S1 = "<start_reasoning>", "<end_reasoning>", "<SOLUTION>", "</SOLUTION>"


def exact(text: str) -> float | None:
    return match_format_exactly(completions=[text])[0]


def approx(text: str) -> float | None:
    return match_format_approximately(completions=[text])[0]


class TestParse:
    def test_well_formed(self) -> None:
        parsed = parse_completion(f"  {R0} think {R1}\n{S0} Graves disease {S1}\n")
        assert parsed.is_exact
        assert parsed.reasoning == "think"
        assert parsed.solution == "Graves disease"
        assert parsed.counts == (1, 1, 1, 1)

    def test_solution_without_reasoning_is_extracted_but_not_exact(self) -> None:
        parsed = parse_completion(f"{S0}x{S1}")
        assert parsed.solution == "x"
        assert not parsed.is_exact

    def test_unclosed_solution_has_no_solution(self) -> None:
        assert parse_completion(f"{R0}r{R1}{S0}x").solution is None

    def test_solution_before_reasoning_end_is_not_a_solution(self) -> None:
        assert parse_completion(f"{R0}r {S0}x{S1} more{R1}").solution is None

    def test_two_solution_blocks_give_no_solution(self) -> None:
        parsed = parse_completion(f"{R0}r{R1}{S0}a{S1}{S0}b{S1}")
        assert parsed.solution is None
        assert parsed.counts[2] == 2


class TestMatchFormatExactly:
    def test_full_score_for_the_format(self) -> None:
        assert exact(formatted()) == 3.0

    @pytest.mark.parametrize(
        "text",
        [
            # Pitfalls of the notebook's re.MULTILINE regex:
            f"junk line\n{R0}r{R1}{S0}s{S1}",  # junk line before
            f"{R0}r{R1}{S0}s{S1}\njunk line",  # junk line after
            f"{R0}r{R1}{S0}a{S1}{S0}b{S1}",  # two solution blocks
            f"text {R0}r{R1}{S0}s{S1}",  # text before the opening tag
            f"{R0}   {R1}{S0}s{S1}",  # empty reasoning
            f"{R0}r{R1}{S0}  \n {S1}",  # empty solution
            f"{R0}r{R1} between {S0}s{S1}",  # text between the blocks
            f"{S0}s{S1}{R0}r{R1}",  # blocks in the wrong order
            f"{R0}r{R1}{S0}s",  # unclosed solution
            f"{R0}r{R0}r{R1}{S0}s{S1}",  # repeated tag
            "",
        ],
    )
    def test_no_score_for_anything_else(self, text: str) -> None:
        assert exact(text) == 0.0

    def test_configurable_tags_and_scores(self) -> None:
        tags = FormatTags(
            reasoning_start="<think>",
            reasoning_end="</think>",
            solution_start="<answer>",
            solution_end="</answer>",
        )
        reward = MatchFormatExactly(ExactFormatConfig(tags=tags, match=1.0, mismatch=-1.0))
        assert reward(completions=["<think>r</think><answer>a</answer>", formatted()]) == [1.0, -1.0]


class TestMatchFormatApproximately:
    def test_all_tags_once_in_order(self) -> None:
        assert approx(formatted()) == 2.0

    def test_no_tags(self) -> None:
        assert approx("just text") == -2.0

    def test_repeated_tags_cost(self) -> None:
        assert approx(f"{R0}{R0}r{R1}{S0}s{S1}") == 1.0

    def test_order_is_taken_into_account(self) -> None:
        # All four once, but the solution block comes first: two tags are out of order.
        assert approx(f"{S0}s{S1}{R0}r{R1}") == 1.0

    def test_partial_format_gets_partial_credit(self) -> None:
        assert approx(f"{R0}r{R1} answer") == 0.0
        assert approx(f"{R0}r{R1}{S0}answer") == 1.0

    def test_custom_score_table(self) -> None:
        reward = MatchFormatApproximately(ApproximateFormatConfig(present=1.0, missing=-1.0, repeated=-2.0))
        assert reward(completions=[f"{R0}{R0}{R1}"]) == [-2.0 + 1.0 - 1.0 - 1.0]


class TestConfigValidation:
    def test_identical_tags_are_rejected(self) -> None:
        with pytest.raises(ValidationError, match="occurs inside"):
            FormatTags(reasoning_start="<a>", reasoning_end="<a>")

    def test_nested_tags_are_rejected(self) -> None:
        with pytest.raises(ValidationError, match="occurs inside"):
            FormatTags(solution_start="<S>", solution_end="<S>>")

    def test_overlapping_tags_are_rejected(self) -> None:
        with pytest.raises(ValidationError, match="can overlap"):
            FormatTags(solution_start="ab", solution_end="bc")

    def test_empty_or_padded_tags_are_rejected(self) -> None:
        with pytest.raises(ValidationError, match="non-empty"):
            FormatTags(solution_start="")
        with pytest.raises(ValidationError, match="non-empty"):
            FormatTags(solution_start=" <S>")

    def test_unknown_fields_are_rejected(self) -> None:
        with pytest.raises(ValidationError):
            ExactFormatConfig(score=3.0)  # type: ignore[call-arg]

    def test_incoherent_score_table_is_rejected(self) -> None:
        with pytest.raises(ValidationError, match="present >= misordered"):
            ApproximateFormatConfig(present=-1.0)

    @pytest.mark.parametrize(("match", "mismatch"), [(-1.0, 0.0), (0.0, 0.0)])
    def test_match_must_pay_more_than_mismatch(self, match: float, mismatch: float) -> None:
        with pytest.raises(ValidationError, match="must be above mismatch"):
            ExactFormatConfig(match=match, mismatch=mismatch)

    def test_bounds_follow_the_score_tables(self) -> None:
        assert match_format_exactly.bounds == (0.0, 3.0)
        assert match_format_approximately.bounds == (-2.0, 2.0)
        table = ApproximateFormatConfig(present=1.0, missing=-1.0, repeated=-2.0)
        assert MatchFormatApproximately(table).bounds == (-8.0, 4.0)

    def test_configs_are_frozen(self) -> None:
        with pytest.raises(ValidationError):
            ExactFormatConfig().match = 5.0  # type: ignore[misc]


@given(st.lists(st.sampled_from([R0, R1, S0, S1, "x", " ", "\n", "<", "SOLUTION>"]), max_size=14))
def test_tag_counts_and_first_positions_are_exact(parts: list[str]) -> None:
    # The parser searches each tag from the one before and counts only the characters that start a
    # tag, or finds a tag that occurs once from whichever end is cheaper: the result must be the
    # true counts and first occurrences all the same.
    text = "".join(parts)
    parsed = parse_completion(text)
    assert parsed.counts == tuple(text.count(t) for t in (R0, R1, S0, S1))
    assert parsed.first == tuple(text.find(t) for t in (R0, R1, S0, S1))


_OTHER_TAGS = FormatTags(
    reasoning_start="<think>", reasoning_end="</think>", solution_start="[ANSWER]", solution_end="[/ANSWER]"
)


@given(st.lists(st.sampled_from([*_OTHER_TAGS.ordered, "x", "<", "[", "ANSWER]"]), max_size=14))
def test_counts_are_exact_for_tags_that_start_with_different_characters(parts: list[str]) -> None:
    text = "".join(parts)
    parsed = parse_completion(text, _OTHER_TAGS)
    assert parsed.counts == tuple(text.count(t) for t in _OTHER_TAGS.ordered)
    assert parsed.first == tuple(text.find(t) for t in _OTHER_TAGS.ordered)
