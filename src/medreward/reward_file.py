"""Reward sets from a file: ``reward_funcs, reward_weights = load_rewards("rewards.toml")``.

A reward set is a list of rewards, each with a weight, its score table and the tags it reads; it
can be written in TOML, JSON or YAML (``examples/rewards.toml``)::

    [tags]                          # optional: the tags of every reward (FormatTags' fields)
    reasoning_start = "<think>"
    reasoning_end = "</think>"
    reasoning_prefilled = true

    [[rewards]]
    type = "match_format_exactly"   # one of REWARD_TYPES; defaults to `name`
    weight = 0.5                    # GRPOConfig.reward_weights; default 1.0
    match = 3.0                     # any other key is a field of the reward's configuration

    [[rewards]]
    type = "check_answer"
    name = "answer"                 # the name TRL logs it under; default: the type
    answer_column = "Ground-True Answer"
    scores = { mismatch = -1.0 }

    [[rewards]]
    type = "overlong_penalty"
    max_completion_length = 256
    buffer = 64

:func:`load_rewards` returns what :func:`~medreward.to_trl` returns: the reward functions for
``GRPOTrainer(reward_funcs=...)`` and their weights for ``GRPOConfig(reward_weights=...)``. A
key it does not know, a value of the wrong type, a weight that is not a finite number or two
rewards of one name are a ``ValueError`` that names the key (``rewards[1].scores.mismatch``).

TOML is read with ``tomllib`` (Python 3.11+) or, on 3.10, ``tomli`` if installed; YAML needs
PyYAML. JSON always works.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from medreward.answer import CheckAnswer, CheckAnswerConfig
from medreward.format import FormatTags
from medreward.format_rewards import (
    ApproximateFormatConfig,
    ExactFormatConfig,
    MatchFormatApproximately,
    MatchFormatExactly,
)
from medreward.reward import Reward
from medreward.shaping import OverlongPenalty, RepetitionPenalty
from medreward.trl_args import TrlRewards

__all__ = ["REWARD_TYPES", "load_rewards"]

_ENTRY_KEYS = frozenset({"type", "name", "weight", "tags"})
_TOP_KEYS = frozenset({"tags", "rewards"})


def _configured(
    reward_class: Callable[..., Reward], config_class: type[BaseModel]
) -> Callable[[dict[str, Any], str], Reward]:
    def build(fields: dict[str, Any], name: str) -> Reward:
        return reward_class(config_class.model_validate(fields), name=name)

    build.__doc__ = f"{reward_class.__name__} with a {config_class.__name__}"
    return build


def _keywords(
    reward_class: Callable[..., Reward], required: tuple[str, ...], optional: tuple[str, ...]
) -> Callable[[dict[str, Any], str], Reward]:
    def build(fields: dict[str, Any], name: str) -> Reward:
        fields = dict(fields)
        fields.pop("tags", None)  # tags apply to the rewards that read the format only
        unknown = sorted(set(fields) - set(required) - set(optional))
        if unknown:
            raise _KeyError(unknown[0], f"unknown key (expected {', '.join(required + optional)})")
        for key in required:
            if key not in fields:
                raise _KeyError(key, "required key is missing")
        return reward_class(**fields, name=name)

    return build


#: The reward types a file can name, with the keys each accepts besides ``type``, ``name``,
#: ``weight`` and ``tags``: the fields of :class:`~medreward.ExactFormatConfig`,
#: :class:`~medreward.ApproximateFormatConfig`, :class:`~medreward.CheckAnswerConfig` or the
#: arguments of :class:`~medreward.OverlongPenalty` and :class:`~medreward.RepetitionPenalty`.
REWARD_TYPES: dict[str, Callable[[dict[str, Any], str], Reward]] = {
    "match_format_exactly": _configured(MatchFormatExactly, ExactFormatConfig),
    "match_format_approximately": _configured(MatchFormatApproximately, ApproximateFormatConfig),
    "check_answer": _configured(CheckAnswer, CheckAnswerConfig),
    "overlong_penalty": _keywords(
        OverlongPenalty, ("max_completion_length", "buffer"), ("penalty", "chars_per_token")
    ),
    "repetition_penalty": _keywords(RepetitionPenalty, (), ("ngram_size", "penalty", "unit")),
}


class _KeyError(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def _parser(path: Path) -> tuple[str, Callable[[Path], Any]]:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "JSON", lambda p: json.loads(p.read_text(encoding="utf-8"))
    if suffix == ".toml":
        if sys.version_info >= (3, 11):
            toml: Any = importlib.import_module("tomllib")
        else:  # pragma: no cover - Python 3.10 only
            try:
                toml = importlib.import_module("tomli")
            except ImportError:
                raise ValueError(
                    f"reading {path} needs tomli on Python 3.10 (pip install tomli), or write it as JSON"
                ) from None
        return "TOML", lambda p: toml.loads(p.read_text(encoding="utf-8"))
    if suffix in (".yaml", ".yml"):
        try:
            yaml: Any = importlib.import_module("yaml")
        except ImportError:
            raise ValueError(
                f"reading {path} needs PyYAML (pip install pyyaml), or write it as TOML or JSON"
            ) from None
        return "YAML", lambda p: yaml.safe_load(p.read_text(encoding="utf-8"))
    raise ValueError(
        f"{path}: a reward set is a .toml, .json, .yaml or .yml file, got {suffix or 'no suffix'!r}"
    )


def _read(path: Path) -> Any:
    kind, parse = _parser(path)
    try:
        return parse(path)
    except Exception as error:  # the format's own syntax errors
        raise ValueError(f"{path}: cannot be read as {kind}: {error}") from None


def _pydantic_message(error: ValidationError, where: str) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    key = f"{where}.{location}" if location else where
    more = error.error_count() - 1
    return f"{key}: {first['msg']}" + (f" (and {more} more error(s))" if more else "")


def _build(entry: Any, index: int, tags: Mapping[str, Any] | None) -> tuple[Reward, float]:
    where = f"rewards[{index}]"
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: each reward is a table/object, got {type(entry).__name__}")
    name = entry.get("name", entry.get("type"))
    kind = entry.get("type", name)
    if not isinstance(kind, str) or kind not in REWARD_TYPES:
        key = "type" if "type" in entry else "name"
        raise ValueError(
            f"{where}.{key}: unknown reward type {kind!r}; expected one of {', '.join(REWARD_TYPES)}"
        )
    if not isinstance(name, str):
        raise ValueError(f"{where}.name: a reward name is a string, got {name!r}")
    weight = entry.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight):
        raise ValueError(f"{where}.weight: a weight is a finite number, got {weight!r}")
    fields = {k: v for k, v in entry.items() if k not in _ENTRY_KEYS}
    entry_tags = entry.get("tags", tags)
    if entry_tags is not None and kind in (
        "match_format_exactly",
        "match_format_approximately",
        "check_answer",
    ):
        tags_where = f"{where}.tags" if "tags" in entry else "tags"
        try:
            fields["tags"] = FormatTags.model_validate(entry_tags)
        except ValidationError as error:
            raise ValueError(_pydantic_message(error, tags_where)) from None
    elif "tags" in entry:
        raise ValueError(f"{where}.tags: {kind} reads no tags")
    try:
        reward = REWARD_TYPES[kind](fields, name)
    except ValidationError as error:
        raise ValueError(_pydantic_message(error, where)) from None
    except _KeyError as error:
        raise ValueError(f"{where}.{error.key}: {error.message}") from None
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: {error}") from None
    return reward, float(weight)


def load_rewards(source: str | os.PathLike[str] | Mapping[str, Any]) -> TrlRewards:
    """The reward set of a TOML, JSON or YAML file (or of the same structure as a mapping).

    Returns ``(reward_funcs, reward_weights)`` for TRL, as :func:`~medreward.to_trl` does.

    >>> reward_funcs, reward_weights = load_rewards({
    ...     "tags": {"reasoning_start": "<think>", "reasoning_end": "</think>", "reasoning_prefilled": True},
    ...     "rewards": [
    ...         {"type": "match_format_exactly", "weight": 0.5},
    ...         {"type": "check_answer", "name": "answer", "scores": {"mismatch": -1.0}},
    ...         {"type": "overlong_penalty", "max_completion_length": 256, "buffer": 64},
    ...     ],
    ... })
    >>> [f.__name__ for f in reward_funcs], reward_weights
    (['match_format_exactly', 'answer', 'overlong_penalty'], [0.5, 1.0, 1.0])
    >>> exact = reward_funcs[0]
    >>> exact(completions=["r</think><SOLUTION>Asthma</SOLUTION>"])
    [3.0]
    """
    if isinstance(source, Mapping):
        data: Any = source
        origin = "reward set"
    else:
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"no reward set file at {path}")
        data = _read(path)
        origin = str(path)
    try:
        return _load(data)
    except ValueError as error:
        raise ValueError(f"{origin}: {error}") from None


def _load(data: Any) -> TrlRewards:
    if not isinstance(data, Mapping):
        raise ValueError(f"a reward set is a table/object with a 'rewards' list, got {type(data).__name__}")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown key (expected 'rewards' and optionally 'tags')")
    entries = data.get("rewards")
    if not isinstance(entries, list) or not entries:
        raise ValueError("rewards: a reward set needs a non-empty 'rewards' list")
    tags = data.get("tags")
    if tags is not None and not isinstance(tags, Mapping):
        raise ValueError(f"tags: a table/object of FormatTags fields, got {type(tags).__name__}")
    funcs: list[Callable[..., Any]] = []
    weights: list[float] = []
    names: dict[str, int] = {}
    for index, entry in enumerate(entries):
        reward, weight = _build(entry, index, tags)
        if reward.name in names:
            raise ValueError(
                f"rewards[{index}].name: {reward.name!r} is already the name of "
                f"rewards[{names[reward.name]}]; TRL would merge their logs (set name = ... on one of them)"
            )
        names[reward.name] = index
        funcs.append(reward)
        weights.append(weight)
    return TrlRewards(funcs, weights)
