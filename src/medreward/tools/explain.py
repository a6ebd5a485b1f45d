"""Why a completion got its scores: what ``medreward explain`` shows.

:func:`explain` runs one completion and one reference through the same steps as the rewards -
the tag parser, term normalization, the answer matcher and every default reward - and keeps each
step's result, so that a surprising score can be traced to the step that produced it.

>>> e = explain("<start_reasoning>K is low.<end_reasoning><SOLUTION>Hypokalemia</SOLUTION>",
...             "Hyperkalemia")
>>> e.solution, e.verdict, e.guard
('Hypokalemia', 'mismatch', 'opposite: decreased / increased (Hypokalemia / Hyperkalemia)')
>>> e.scores["check_answer"]
-0.5
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Explanation", "explain"]


def _plain(value: Any) -> Any:
    """``value`` as JSON-ready data (tuples and sets as lists, unknown objects as text)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    return str(value)


@dataclass(frozen=True)
class Explanation:
    """Every intermediate result behind one completion's scores.

    ``verdict``, ``similarity``, ``matched_terms`` and ``guard`` are ``None``/empty when the
    reference is empty (``check_answer`` then scores ``None``). ``concepts`` (the match's) and
    ``reference_concepts`` hold what the matcher reports under that name, when its version does.
    """

    completion: str
    reference: str
    tag_counts: dict[str, int]
    is_exact_format: bool
    reasoning: str | None
    solution: str | None
    reference_terms: tuple[str, ...]
    solution_terms: tuple[str, ...]
    reference_is_long: bool | None
    reference_negations: tuple[str, ...]
    solution_negations: tuple[str, ...]
    verdict: str | None
    similarity: float | None
    matched_terms: tuple[str, ...]
    unmatched_terms: tuple[str, ...]
    guard: str | None
    concepts: Any = None
    reference_concepts: Any = None
    scores: dict[str, float | None] = field(default_factory=dict)
    # The question asked (the prompt), and whether the matcher read it as "which is NOT ...".
    question: str | None = None
    exception_question: bool | None = None
    # What decided the verdict, in words: the rule, or the similarity against its threshold.
    decision: str | None = None
    # The concepts of either side as "preferred name (id)", where the bundled lexicon names them.
    concept_names: tuple[str, ...] = ()
    reference_concept_names: tuple[str, ...] = ()

    @property
    def total(self) -> float | None:
        """The sum of the rewards' scores (``None`` scores count as 0), as one summed reward would give."""
        return sum(s or 0.0 for s in self.scores.values()) if self.scores else None

    def as_dict(self) -> dict[str, Any]:
        """The explanation as JSON-ready data."""
        data: dict[str, Any] = _plain(asdict(self))
        data["total"] = self.total
        return data


def explain(completion: Any, reference: str, question: str | None = None) -> Explanation:
    """Explain the scores of ``completion`` (a string or message list) against ``reference``.

    ``question`` is the prompt's question, when known: ``check_answer`` reads "which is NOT ..."
    questions from it, as it does from the prompts TRL passes.
    """
    from medreward import completion_text, default_rewards, parse_completion
    from medreward.answer import CheckAnswer
    from medreward.format import TAG_NAMES
    from medreward.medical import normalize
    from medreward.medical.normalize import normalize_terms

    answer_reward = next((r for r in default_rewards() if isinstance(r, CheckAnswer)), CheckAnswer())
    config = answer_reward.config
    text = completion_text(completion)
    parsed = parse_completion(text, config.tags)
    # Negation cues are looked up by name so that explain keeps working if the lexicon moves them.
    cues: frozenset[str] = frozenset(getattr(normalize, "NEGATION_CUES", frozenset()))
    reference_terms = normalize_terms(reference)
    solution_terms = normalize_terms(parsed.solution) if parsed.solution else ()

    match = None
    is_long: bool | None = None
    reference_concepts: Any = None
    exception_question: bool | None = None
    if reference.strip():
        analysis = config.matcher.analyze(reference, question if config.read_question else None)
        exception_question = getattr(analysis, "exception_question", None)
        is_long = getattr(analysis, "is_long", None)
        # Read by name: only AnswerMatch's fields are the matcher's stable interface.
        reference_concepts = getattr(analysis, "concepts", None)
        if reference_concepts is None:
            reference_concepts = getattr(getattr(analysis, "answer", None), "concepts", None)
        match = config.matcher.compare(parsed.solution, analysis)
        if match.solution_terms:
            solution_terms = tuple(match.solution_terms)
    matched = tuple(match.matched_terms) if match is not None else ()
    unmatched = tuple(t for t in solution_terms if t not in set(matched)) if match is not None else ()

    decision = None if match is None else _decision(match, config.matcher, bool(is_long))
    columns = {config.answer_column: [reference]}
    scores: dict[str, float | None] = {}
    for reward in default_rewards():
        (score,) = reward(prompts=[question], completions=[completion], **columns)
        scores[reward.name] = score
    return Explanation(
        completion=text,
        reference=reference,
        tag_counts=dict(zip((getattr(config.tags, n) for n in TAG_NAMES), parsed.counts)),
        is_exact_format=parsed.is_exact,
        reasoning=parsed.reasoning,
        solution=parsed.solution,
        reference_terms=tuple(reference_terms),
        solution_terms=tuple(solution_terms),
        reference_is_long=is_long,
        reference_negations=tuple(t for t in reference_terms if t in cues),
        solution_negations=tuple(t for t in solution_terms if t in cues),
        verdict=None if match is None else match.verdict,
        similarity=None if match is None else float(match.similarity),
        matched_terms=matched,
        unmatched_terms=unmatched,
        guard=None if match is None else match.guard,
        concepts=None if match is None else getattr(match, "concepts", None),
        reference_concepts=reference_concepts,
        scores=scores,
        question=question,
        exception_question=exception_question,
        decision=decision,
        concept_names=_named(None if match is None else getattr(match, "concepts", None)),
        reference_concept_names=_named(reference_concepts),
    )


def _decision(match: Any, matcher: Any, is_long: bool) -> str:
    """The rule that decided ``match``'s verdict, with the threshold where one did."""
    verdict = match.verdict
    if verdict == "missing":
        return "no single solution block with content terms: missing"
    if match.guard:
        return f"guard fired ({match.guard}): mismatch at the floor"
    if verdict == "exact":
        return "the same folded text: exact"
    if verdict == "equivalent":
        return "the same content terms, or a concept both answers name: equivalent"
    name = "min_support" if is_long else "min_similarity"
    threshold = float(getattr(matcher, name))
    relation = ">=" if verdict == "partial" else "<"
    return f"similarity {match.similarity:.3f} {relation} {name} {threshold:.2f}: {verdict}"


def _named(concepts: Any) -> tuple[str, ...]:
    """Concept ids as "preferred name (id)" where the bundled lexicon knows the id."""
    if not concepts:
        return ()
    from medreward.medical.lexicon import load_lexicon

    lexicon = load_lexicon()
    return tuple(
        f"{name} ({cid})" if (name := lexicon.preferred_name(str(cid))) else str(cid)
        for cid in sorted(map(str, concepts))
    )
