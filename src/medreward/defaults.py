"""The default reward set: the seed recipe's three rewards.

>>> [reward.name for reward in default_rewards()]
['match_format_exactly', 'match_format_approximately', 'check_answer']
"""

from __future__ import annotations

from medreward.answer import check_answer
from medreward.format_rewards import match_format_approximately, match_format_exactly
from medreward.reward import Reward

__all__ = ["default_rewards"]


def default_rewards() -> list[Reward]:
    """The seed recipe's three rewards, in the order its trainer used them (a new list each call)."""
    return [match_format_exactly, match_format_approximately, check_answer]
