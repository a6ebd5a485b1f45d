"""medreward: typed, composable reward functions for GRPO fine-tuning on medical reasoning.

Pass the rewards straight to TRL::

    from medreward import check_answer, match_format_approximately, match_format_exactly
    rewards = [match_format_exactly, match_format_approximately, check_answer]
    trainer = GRPOTrainer(model=..., reward_funcs=rewards, ...)

Importing medreward never imports torch, transformers or trl.
"""

from medreward.answer import AnswerScores, CheckAnswer, CheckAnswerConfig, check_answer
from medreward.completions import completion_reasoning, completion_text
from medreward.compose import clipped, combined, gated, leaves, scaled, score_bounds
from medreward.defaults import default_rewards
from medreward.format import DEFAULT_TAGS, FormatTags, ParsedCompletion, parse_completion, reading_text
from medreward.format_rewards import (
    ApproximateFormatConfig,
    ExactFormatConfig,
    MatchFormatApproximately,
    MatchFormatExactly,
    match_format_approximately,
    match_format_exactly,
)
from medreward.judge import JUDGE_SYSTEM_PROMPT, AnswerJudge, JudgeConfig
from medreward.medical import AnswerMatch, AnswerMatcher, ExtractedAnswer, extract_answer
from medreward.prompts import SYSTEM_PROMPT
from medreward.reward import FunctionReward, Reward, RewardBatch, RewardResult, as_reward
from medreward.reward_file import REWARD_TYPES, load_rewards
from medreward.shaping import OverlongPenalty, RepetitionPenalty
from medreward.trl_args import TrlRewards, to_trl

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_TAGS",
    "JUDGE_SYSTEM_PROMPT",
    "REWARD_TYPES",
    "SYSTEM_PROMPT",
    "AnswerJudge",
    "AnswerMatch",
    "AnswerMatcher",
    "AnswerScores",
    "ApproximateFormatConfig",
    "CheckAnswer",
    "CheckAnswerConfig",
    "ExactFormatConfig",
    "ExtractedAnswer",
    "FormatTags",
    "FunctionReward",
    "JudgeConfig",
    "MatchFormatApproximately",
    "MatchFormatExactly",
    "OverlongPenalty",
    "ParsedCompletion",
    "RepetitionPenalty",
    "Reward",
    "RewardBatch",
    "RewardResult",
    "TrlRewards",
    "__version__",
    "as_reward",
    "check_answer",
    "clipped",
    "combined",
    "completion_reasoning",
    "completion_text",
    "default_rewards",
    "extract_answer",
    "gated",
    "leaves",
    "load_rewards",
    "match_format_approximately",
    "match_format_exactly",
    "parse_completion",
    "reading_text",
    "scaled",
    "score_bounds",
    "to_trl",
]
