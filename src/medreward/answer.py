"""The answer reward: is the ``<SOLUTION>`` medically the same answer as the reference?

:class:`CheckAnswer` extracts the single solution block of each completion (see
:func:`medreward.format.parse_completion`), judges it with :class:`~medreward.medical.AnswerMatcher`
against the dataset's reference column (``answer`` by default) and maps the verdict to a score
through one table, :class:`AnswerScores`:

========== ======= ==========================================================================
verdict    default meaning
========== ======= ==========================================================================
exact      3.0     same text up to case, accents, possessives and punctuation (the seed's 3.0)
equivalent 3.0     same content terms up to stop words, plurals and word order
partial    0.5-2.0 related answer; linear in the match's ``strength`` (similarity above threshold)
mismatch   -0.5-0  a different answer: -0.5 when nothing matches or a guard fired (opposite term,
                   other number, negation, refusal, a restated question), rising linearly with the
                   similarity towards 0.0 just below the partial threshold (a near miss)
missing    -1.0    no single non-empty solution block: lower than a wrong answer, so that
                   leaving the answer out never pays more than committing to one
========== ======= ==========================================================================

Rows whose reference is ``None`` or empty score ``None`` (TRL leaves them out of its means).

>>> check_answer(completions=["<start_reasoning>r<end_reasoning><SOLUTION>Crohn's disease</SOLUTION>"],
...              answer=["Crohn disease"])
[3.0]
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from medreward.format import DEFAULT_TAGS, FormatTags
from medreward.medical.matching import AnswerMatch, AnswerMatcher, ReferenceAnalysis, Verdict
from medreward.reward import Reward, RewardBatch, RewardResult

__all__ = ["AnswerScores", "CheckAnswer", "CheckAnswerConfig", "check_answer"]

_VERDICTS: tuple[Verdict, ...] = ("exact", "equivalent", "partial", "mismatch", "missing")
# Solutions longer than this are cut in the completions table, to keep logs readable.
_LOGGED_SOLUTION_CHARS = 200


class AnswerScores(BaseModel):
    """The score of each verdict (see the module's table)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    exact: float = 3.0
    equivalent: float = 3.0
    partial_max: float = 2.0
    partial_min: float = 0.5
    mismatch_max: float = 0.0
    mismatch: float = -0.5
    missing: float = -1.0

    @model_validator(mode="after")
    def _scores_are_ordered(self) -> AnswerScores:
        order = [
            self.exact,
            self.equivalent,
            self.partial_max,
            self.partial_min,
            self.mismatch_max,
            self.mismatch,
        ]
        if order != sorted(order, reverse=True):
            raise ValueError(
                "answer scores must satisfy exact >= equivalent >= partial_max >= partial_min "
                f">= mismatch_max >= mismatch, got {self.model_dump()}"
            )
        if self.missing > self.mismatch:
            raise ValueError(
                f"missing ({self.missing}) must not exceed mismatch ({self.mismatch}): "
                "otherwise omitting the answer pays more than a wrong one"
            )
        return self


class CheckAnswerConfig(BaseModel):
    """Configuration of :class:`CheckAnswer`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tags: FormatTags = DEFAULT_TAGS
    answer_column: str = "answer"
    scores: AnswerScores = AnswerScores()
    matcher: AnswerMatcher = AnswerMatcher()
    # Read each prompt's question: the long answer to "which is NOT ..." states its answer in a
    # negation (see medreward.medical.questions). False judges every reference as a positive answer.
    read_question: bool = True


def _reference_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value if value.strip() else None
    raise TypeError(f"reference answers must be strings (or numbers), got {type(value).__name__}: {value!r}")


class CheckAnswer(Reward):
    """Scores the extracted solution against the reference answer column."""

    def __init__(self, config: CheckAnswerConfig | None = None, *, name: str = "check_answer") -> None:
        super().__init__(name)
        self.config = config or CheckAnswerConfig()

    def score(self, match: AnswerMatch) -> float:
        """The score of one verdict, from :class:`AnswerScores`."""
        s = self.config.scores
        if match.verdict == "partial":
            return s.partial_min + (s.partial_max - s.partial_min) * match.strength
        if match.verdict == "mismatch":
            # A near miss earns more than nonsense; a guard or no overlap at all is the floor.
            return s.mismatch + (s.mismatch_max - s.mismatch) * match.strength
        return float(getattr(s, match.verdict))

    def judge(self, batch: RewardBatch) -> list[AnswerMatch | None]:
        """The matcher's verdict for every completion (``None`` where the reference is absent)."""
        references = [_reference_text(v) for v in batch.column(self.config.answer_column)]
        parsed = batch.parsed(self.config.tags)
        matcher = self.config.matcher
        questions = batch.prompt_texts() if self.config.read_question else [None] * len(references)
        # GRPO batches repeat each reference once per generation: analyse each distinct one once.
        analysed: dict[tuple[str, str | None], ReferenceAnalysis] = {}
        # Generations of one prompt often agree on the solution: judge each pair once.
        judged: dict[tuple[str | None, str, str | None], AnswerMatch] = {}
        matches: list[AnswerMatch | None] = []
        for reference, question, p in zip(references, questions, parsed):
            if reference is None:
                matches.append(None)
                continue
            key = (p.solution, reference, question)
            match = judged.get(key)
            if match is None:
                analysis = analysed.get((reference, question))
                if analysis is None:
                    analysis = analysed[(reference, question)] = matcher.analyze(reference, question)
                match = judged[key] = matcher.compare(p.solution, analysis)
            matches.append(match)
        return matches

    def evaluate(self, batch: RewardBatch) -> RewardResult:
        matches = self.judge(batch)
        parsed = batch.parsed(self.config.tags)
        scores: list[float | None] = [None if m is None else self.score(m) for m in matches]
        judged = [m for m in matches if m is not None]
        metrics = (
            {
                f"{verdict}_rate": sum(m.verdict == verdict for m in judged) / len(judged)
                for verdict in _VERDICTS
            }
            if judged
            else {}
        )
        extras: dict[str, list[Any]] = {
            "solution": [(p.solution or "")[:_LOGGED_SOLUTION_CHARS] for p in parsed],
            "verdict": [None if m is None else m.verdict for m in matches],
            "guard": [None if m is None else m.guard for m in matches],
        }
        return RewardResult(scores, extras=extras, metrics=metrics)


check_answer = CheckAnswer()
