from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medreward import completion_text
from medreward.completions import _clean, message_text


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


# --------------------------------------------------------------------------------------------------
# The fast paths (comprehensions over parts and messages that are all plain dicts) give exactly the
# text of the general loop: checked against the original implementation on every form around them.
# --------------------------------------------------------------------------------------------------


def _reference_message_text(content: Any) -> str:
    # The implementation before the fast paths (issue #6), kept as the definition of the result.
    if isinstance(content, str):
        return _clean(content)
    if isinstance(content, Sequence) and not isinstance(content, (bytes, bytearray)):
        parts: list[str] = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, Mapping) and part.get("type", "text") == "text":
                text = part.get("text")
                if isinstance(text, str):
                    parts.append(text)
        return _clean("".join(parts))
    return ""


def _reference_completion_text(completion: Any) -> str:
    if isinstance(completion, str):
        return _clean(completion)
    if isinstance(completion, Mapping):
        completion = [completion]
    if isinstance(completion, Sequence) and not isinstance(completion, (bytes, bytearray)):
        texts = [
            _reference_message_text(message.get("content"))
            for message in completion
            if isinstance(message, Mapping)
            and isinstance(role := message.get("role", "assistant"), str)
            and role in ("assistant", "model")
        ]
        return "\n".join(text for text in texts if text)
    return ""


class _Str(str):
    pass


class _Dict(dict):  # type: ignore[type-arg]
    pass


class _OddItems(dict):  # type: ignore[type-arg]
    """A dict whose ``[key]`` disagrees with its ``.get``: the general loop reads ``.get``."""

    def __getitem__(self, key: Any) -> Any:
        return "odd"


class _Subscriptable:
    """Answers ``["type"]`` and ``["text"]`` like a text part, but is not a Mapping: no text."""

    def __getitem__(self, key: str) -> str:
        return {"type": "text", "text": "not a part", "role": "assistant", "content": "not a message"}[key]


class _LooksLike:
    """Equal to (and hashed as) one string without being a str: a "text" type, but not a role."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return other == self.value

    def __hash__(self) -> int:
        return hash(self.value)


def _text_dict(text: Any = "ab", kind: Any = "text") -> dict[str, Any]:
    return {"type": kind, "text": text}


def _same(got: str, expected: str) -> None:
    assert got == expected
    assert type(got) is type(expected)


PART_LISTS = {
    "empty": [],
    "plain": [_text_dict("a"), _text_dict("b")],
    "plain_tuple": (_text_dict("a"), _text_dict("b")),
    "shared_dict": [_text_dict("ab")] * 1000,
    "one_image_last": [_text_dict("a")] * 100 + [{"type": "image", "image": None}],
    "no_type_key": [_text_dict("a"), {"text": "b"}],
    "no_text_key": [_text_dict("a"), {"type": "text"}],
    "text_not_str": [_text_dict("a"), _text_dict(None), _text_dict(7), _text_dict(b"x")],
    "text_str_subclass": [_text_dict(_Str("a")), _text_dict("b")],
    "type_str_subclass": [_text_dict("a", _Str("text")), _text_dict("b")],
    "type_unhashable": [_text_dict("a"), _text_dict("b", ["text"])],
    "type_looks_like_text": [_text_dict("a", _LooksLike("text")), _text_dict("b")],
    "type_not_text": [_text_dict("a", None), _text_dict("b", 1), _text_dict("c", "TEXT")],
    "str_parts": ["a", "b", _Str("c")],
    "str_and_dict_parts": ["a", _text_dict("b")],
    "dict_subclass": [_Dict(type="text", text="a"), _text_dict("b")],
    "dict_subclass_odd_items": [_OddItems(type="text", text="a"), _text_dict("b")],
    "defaultdict": [defaultdict(lambda: "text", text="a"), defaultdict(lambda: "text")],
    "mapping_proxy": [MappingProxyType(_text_dict("a")), _text_dict("b")],
    "ordered_dict": [OrderedDict(type="text", text="a")],
    "not_a_mapping": [_Subscriptable(), _text_dict("b")],
    "only_not_a_mapping": [_Subscriptable()] * 3,
    "none_and_numbers": [None, 1, 2.5, _text_dict("a")],
    "bytes_part": [b"ab", bytearray(b"cd"), _text_dict("e")],
    "nested_list": [[_text_dict("a")], _text_dict("b")],
    "lone_surrogates": [_text_dict("\ud800"), _text_dict("\udc00x")],
    "surrogate_pair_split": [_text_dict("\ud83d"), _text_dict("\ude00")],
}


@pytest.mark.parametrize("parts", list(PART_LISTS.values()), ids=list(PART_LISTS))
def test_text_parts_give_the_reference_text(parts: Any) -> None:
    _same(message_text(parts), _reference_message_text(parts))
    completion = [{"role": "assistant", "content": parts}]
    _same(completion_text(completion), _reference_completion_text(completion))


MESSAGE_LISTS = {
    "empty": [],
    "one": [{"role": "assistant", "content": "a"}],
    "many_shared": [{"role": "assistant", "content": "ab"}] * 1000,
    "model_role": [{"role": "model", "content": "a"}, {"role": "assistant", "content": "b"}],
    "empty_contents": [{"role": "assistant", "content": ""}, {"role": "assistant", "content": "b"}] * 3,
    "no_role": [{"content": "a"}, {"role": "assistant", "content": "b"}],
    "no_content": [{"role": "assistant"}, {"role": "assistant", "content": "b"}],
    "user_turn_last": [{"role": "assistant", "content": "a"}] * 10 + [{"role": "user", "content": "u"}],
    "role_none": [{"role": None, "content": "a"}, {"role": "assistant", "content": "b"}],
    "role_unhashable": [{"role": ["assistant"], "content": "a"}, {"role": "assistant", "content": "b"}],
    "role_looks_like_a_str": [{"role": _LooksLike("assistant"), "content": "a"}],
    "role_str_subclass": [{"role": _Str("assistant"), "content": "a"}],
    "content_str_subclass": [{"role": "assistant", "content": _Str("a")}],
    "content_parts": [
        {"role": "assistant", "content": [_text_dict("a")]},
        {"role": "assistant", "content": "b"},
    ],
    "content_odd": [{"role": "assistant", "content": c} for c in (None, 7, b"x", ("a", "b"), "c")],
    "dict_subclass": [_Dict(role="assistant", content="a"), {"role": "assistant", "content": "b"}],
    "mapping_proxy": [MappingProxyType({"role": "assistant", "content": "a"})],
    "dict_subclass_odd_items": [
        _OddItems(role="assistant", content="a"),
        {"role": "assistant", "content": "b"},
    ],
    "not_a_mapping": [_Subscriptable(), {"role": "assistant", "content": "b"}],
    "none_and_strings": [None, "loose text", {"role": "assistant", "content": "b"}],
    "lone_surrogates": [
        {"role": "assistant", "content": "\ud800"},
        {"role": "assistant", "content": "b\udc00"},
    ],
}


@pytest.mark.parametrize("messages", list(MESSAGE_LISTS.values()), ids=list(MESSAGE_LISTS))
def test_message_lists_give_the_reference_text(messages: Any) -> None:
    _same(completion_text(messages), _reference_completion_text(messages))
    _same(completion_text(tuple(messages)), _reference_completion_text(tuple(messages)))


_odd_scalars = st.sampled_from(
    [
        None,
        0,
        2.5,
        b"x",
        ["text"],
        _Str("text"),
        "TEXT",
        "",
        "\ud800",
        _Subscriptable(),
        _LooksLike("text"),
        _LooksLike("assistant"),
    ]
)
_strings = st.text(st.sampled_from("ab \n\ud800\udc00é"), max_size=4)
_texts = st.one_of(_strings, _strings.map(_Str), _odd_scalars)
_kinds = st.one_of(st.just("text"), st.sampled_from(["image", _Str("text")]), _odd_scalars)
_part_dicts = st.fixed_dictionaries({}, optional={"type": _kinds, "text": _texts, "image": st.none()})
_mapping_types = st.sampled_from([dict, dict, dict, _Dict, _OddItems, MappingProxyType, OrderedDict])
_parts = st.one_of(
    st.builds(lambda d, make: make(d), _part_dicts, _mapping_types),
    st.builds(_text_dict, _strings),
    _texts,
)
_plain_parts = st.lists(st.builds(_text_dict, _strings), max_size=8)  # the fast path's form
_part_lists = st.one_of(
    _plain_parts,
    _plain_parts.flatmap(lambda plain: st.lists(_parts, max_size=2).map(lambda odd: plain + odd)),
    st.lists(_parts, max_size=8),
    st.lists(_parts, max_size=8).map(tuple),
)
_roles = st.one_of(st.sampled_from(["assistant", "model", "user", "tool"]), _odd_scalars)
_contents = st.one_of(_texts, _part_lists)
_message_dicts = st.fixed_dictionaries({}, optional={"role": _roles, "content": _contents})
_messages = st.one_of(
    st.builds(lambda d, make: make(d), _message_dicts, _mapping_types),
    st.builds(lambda text: {"role": "assistant", "content": text}, _strings),
    _odd_scalars,
)
_plain_messages = st.lists(
    st.builds(
        lambda role, text: {"role": role, "content": text}, st.sampled_from(["assistant", "model"]), _strings
    ),
    max_size=6,
)  # the fast path's form
_completions = st.one_of(
    _texts,
    _plain_messages,
    _plain_messages.flatmap(lambda plain: st.lists(_messages, max_size=2).map(lambda odd: plain + odd)),
    st.lists(_messages, max_size=6),
    st.lists(_messages, max_size=6).map(tuple),
    _message_dicts,
    _part_lists,
)


@settings(max_examples=400, deadline=None)
@given(completion=_completions)
def test_fuzzed_completions_give_the_reference_text(completion: Any) -> None:
    _same(completion_text(completion), _reference_completion_text(completion))


@settings(max_examples=300, deadline=None)
@given(parts=_part_lists)
def test_fuzzed_parts_give_the_reference_text(parts: Any) -> None:
    _same(message_text(parts), _reference_message_text(parts))


def test_many_parts_fall_back_exactly_on_one_odd_part() -> None:
    # 100k plain parts and one that is not: the fast path bails out and the loop gives the result.
    plain = [_text_dict("ab")] * 100_000
    for odd in (
        {"type": "image"},
        {"text": "c"},
        _text_dict(None),
        "c",
        _Subscriptable(),
        _Dict(type="text", text="c"),
    ):
        for parts in ([*plain, odd], [odd, *plain]):
            _same(message_text(parts), _reference_message_text(parts))
