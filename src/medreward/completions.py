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
from typing import Any

__all__ = ["completion_text", "message_text"]

# Roles whose content is the model's own output. A message without a role is taken as the model's.
_MODEL_ROLES = frozenset({"assistant", "model"})


def _is_model_role(role: Any) -> bool:
    return isinstance(role, str) and role in _MODEL_ROLES


def _clean(text: str) -> str:
    # Lone surrogates (from byte-level decoding of broken UTF-8) would make any later `.encode()`
    # raise; replace them so that every downstream step sees valid text.
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
    if isinstance(completion, Mapping):
        completion = [completion]
    if isinstance(completion, Sequence) and not isinstance(completion, (bytes, bytearray)):
        texts = [
            message_text(message.get("content"))
            for message in completion
            if isinstance(message, Mapping) and _is_model_role(message.get("role", "assistant"))
        ]
        return "\n".join(text for text in texts if text)
    return ""
