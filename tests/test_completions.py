from __future__ import annotations

from typing import Any

import pytest

from medreward import completion_text


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("plain text", "plain text"),
        ([{"role": "assistant", "content": "msg"}], "msg"),
        (
            [
                {
                    "role": "assistant",
                    "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
                }
            ],
            "ab",
        ),
        ({"role": "assistant", "content": "single dict"}, "single dict"),
        ([{"content": "no role"}], "no role"),
        (
            [
                {"role": "assistant", "content": "a"},
                {"role": "tool", "content": "t"},
                {"role": "assistant", "content": "b"},
            ],
            "a\nb",
        ),
        (
            [
                {
                    "role": "assistant",
                    "content": [{"type": "image", "image": None}, {"type": "text", "text": "x"}],
                }
            ],
            "x",
        ),
    ],
)
def test_completion_text_reads_every_trl_form(completion: Any, expected: str) -> None:
    assert completion_text(completion) == expected


@pytest.mark.parametrize(
    "completion",
    [
        None,
        42,
        3.5,
        [],
        [None],
        [{"role": "assistant"}],
        [{"role": "assistant", "content": None}],
        [{"role": "assistant", "content": 7}],
        [{"role": "assistant", "content": [{"type": "text", "text": None}]}],
        b"bytes",
        object(),
    ],
)
def test_unusable_completions_give_empty_text(completion: Any) -> None:
    assert completion_text(completion) == ""


def test_lone_surrogates_are_replaced() -> None:
    text = completion_text("a\ud800b")
    text.encode("utf-8")  # would raise if the surrogate survived
    assert text.startswith("a") and text.endswith("b")
