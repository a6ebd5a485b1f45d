"""Turning what TRL passes to a reward function into plain text, without ever raising.

`trl.GRPOTrainer` hands a reward function its completions either as strings (standard datasets) or
as message lists (conversational datasets)::

    "<start_reasoning>...</SOLUTION>"
    [{"role": "assistant", "content": "<start_reasoning>...</SOLUTION>"}]
    [{"role": "assistant", "content": [{"type": "text", "text": "<start_reasoning>..."}]}]

All three give the same text, so every reward scores them identically. Anything else (``None``, a
message without content, a number, an image part) contributes no text instead of raising: a reward
must never crash a training run hours in, and an empty completion has a defined, low score.

>>> completion_text([{"role": "assistant", "content": [{"type": "text", "text": "hi"}]}])
'hi'
>>> completion_text(None)
''
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

__all__ = ["REASONING_FIELDS", "completion_reasoning", "completion_text", "message_text", "prompt_text"]

# Roles whose content is the model's own output. A message without a role is taken as the model's.
_MODEL_ROLES = frozenset({"assistant", "model"})

#: Message fields that hold the reasoning apart from ``content``, in the order they are looked up:
#: ``reasoning_content`` (TRL's response schemas for Qwen3, DeepSeek-R1, ...; vLLM's reasoning
#: parsers up to 0.9, DeepSeek's API), ``reasoning`` (vLLM's newer parsers, gpt-oss/Harmony,
#: OpenRouter) and ``thinking`` (LFM2.5 and Ollama). The first one that holds non-blank text counts.
REASONING_FIELDS: tuple[str, ...] = ("reasoning_content", "reasoning", "thinking")
_REASONING_KEYS = frozenset(REASONING_FIELDS)


class _NotPlainError(Exception):
    """Raised by a fast path on an item that is not a plain dict: the general loop takes over."""


def _not_plain() -> NoReturn:
    raise _NotPlainError


def _clean(text: str) -> str:
    # Lone surrogates (from byte-level decoding of broken UTF-8) would make any later `.encode()`
    # raise; replace them so that every downstream step sees valid text. ASCII text has none, and
    # str.isascii() is O(1) in CPython.
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def message_text(content: Any) -> str:
    """The text of one message's ``content``: a string, or the ``text`` of its text parts.

    >>> message_text([{"type": "text", "text": "a"}, {"type": "image"}, {"type": "text", "text": "b"}])
    'ab'
    """
    return _clean(_raw_message_text(content))


def completion_text(completion: Any) -> str:
    """The model's text in one completion, as TRL passes it; ``""`` for anything unusable.

    A message list contributes the content of its assistant messages (tool and user turns that a
    multi-turn rollout interleaves are not the model's words), joined by newlines.

    >>> completion_text("plain")
    'plain'
    >>> completion_text([{"role": "assistant", "content": "a"}, {"role": "tool", "content": "x"}])
    'a'
    """
    if isinstance(completion, str):
        return _clean(completion)
    completion = _message_list(completion)
    if completion is None:
        return ""
    # `_clean` replaces each lone surrogate on its own, so cleaning the joined text once gives the
    # same text as cleaning every message's.
    text = _model_messages_text(completion)
    if text is not None:
        return _clean(text)
    texts: list[str] = []
    append = texts.append
    for message in completion:
        if type(message) is dict or isinstance(message, Mapping):
            role = message.get("role", "assistant")
            if isinstance(role, str) and role in _MODEL_ROLES:
                text = _raw_message_text(message.get("content"))
                if text:
                    append(text)
    return _clean("\n".join(texts))


def completion_reasoning(completion: Any) -> str | None:
    """The reasoning that one completion carries apart from its ``content``, or ``None``.

    Only message lists carry such a field (:data:`REASONING_FIELDS`); the reasoning of several model
    messages is joined by newlines. The rewards read it as the reasoning block (see
    :func:`medreward.format.reading_text`).

    >>> completion_reasoning([{"role": "assistant", "reasoning_content": "K+ is 6.1", "content": "x"}])
    'K+ is 6.1'
    >>> completion_reasoning("<think>r</think>x") is None
    True
    """
    if isinstance(completion, str):
        return None
    # Fast path: plain dict messages without any reasoning key (the usual conversational completion).
    if type(completion) is list:
        for m in completion:
            if type(m) is not dict or not _REASONING_KEYS.isdisjoint(m):
                break
        else:
            return None
    messages = _message_list(completion)
    if not messages:
        return None
    found: list[str] = []
    for message in messages:
        if not isinstance(message, Mapping):
            continue
        role = message.get("role", "assistant")
        if not (isinstance(role, str) and role in _MODEL_ROLES):
            continue
        for field in REASONING_FIELDS:
            value = message.get(field)
            if isinstance(value, str) and value.strip():
                found.append(value)
                break
    return _clean("\n".join(found)) if found else None


def prompt_text(prompt: Any) -> str:
    """The asker's words in one prompt, as TRL passes it; ``""`` for anything unusable.

    A conversational prompt gives its last user message (the question, without the system prompt
    or earlier turns); a string prompt is taken whole.

    >>> prompt_text([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Why?"}])
    'Why?'
    """
    if isinstance(prompt, str):
        return _clean(prompt)
    messages = _message_list(prompt)
    for message in reversed(messages or ()):
        if isinstance(message, Mapping) and message.get("role") == "user":
            return message_text(message.get("content"))
    return ""


def _message_list(value: Any) -> Sequence[Any] | None:
    """``value`` (not a string) as a list of messages: one message alone is a list of one; anything
    that is not a sequence is ``None``."""
    if isinstance(value, Mapping):
        return [value]
    if not isinstance(value, Sequence) or isinstance(value, (bytes, bytearray)):
        return None
    return value


def _model_messages_text(messages: Sequence[Any]) -> str | None:
    # Fast path of `completion_text` (see `_text_parts_text`) for messages that are all plain dicts
    # with a "role", and a str "content" in those of the model.
    try:
        contents = [
            message["content"]
            for message in messages
            if (type(message) is dict or _not_plain())
            and isinstance(role := message["role"], str)
            and role in _MODEL_ROLES
        ]
        return "\n".join(filter(None, contents))  # TypeError when a content is not a str
    except Exception:  # not a plain dict, a missing key, ...: the general loop decides
        return None


def _raw_message_text(content: Any) -> str:
    # `message_text` before `_clean`.
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence) and not isinstance(content, (bytes, bytearray)):
        text = _text_parts_text(content)
        return text if text is not None else _mixed_parts_text(content)
    return ""


def _text_parts_text(parts: Sequence[Any]) -> str | None:
    # Fast path of `_mixed_parts_text` for parts that are all plain dicts with a "type", and a str
    # "text" in the text parts: the form TRL builds. One comprehension, with no call and no ABC
    # isinstance check per part, takes 1/2 to 2/3 of the general loop's time on 500,000 parts
    # (issue #6: `many_text_parts` in benchmarks/pathological_inputs.py). For anything else it
    # returns None and the general loop, which defines the result, runs instead.
    try:
        texts = [
            part["text"] for part in parts if (type(part) is dict or _not_plain()) and part["type"] == "text"
        ]
        return "".join(texts)  # TypeError when a text is not a str
    except Exception:  # not a plain dict, a missing key, ...: the general loop decides
        return None


def _mixed_parts_text(parts: Sequence[Any]) -> str:
    # Strings count as text; mappings count when their "type" is "text" (or absent) and their
    # "text" is a string; anything else contributes nothing.
    texts: list[str] = []
    append = texts.append
    for part in parts:
        if type(part) is not dict:  # plain dicts, the usual case, skip the ABC check
            if isinstance(part, str):
                append(part)
                continue
            if not isinstance(part, Mapping):
                continue
        if part.get("type", "text") == "text":
            text = part.get("text")
            if isinstance(text, str):
                append(text)
    return "".join(texts)
