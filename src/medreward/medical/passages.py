"""A long reference (a paragraph) as weighted passages, and how strongly it supports a solution.

:func:`_passages` cuts a paragraph into passages between commas, brackets and contrast words,
weighted by the sentence they are in (a conclusion, the first or the last sentence, another one),
and marks the passages that only exclude ("rather than X", "X is less likely"). :func:`_support`
and :func:`_clause_support` score a solution by the best weighted share of it in one asserted
passage or sentence, less what the reference excludes.

>>> paragraph = "The most likely diagnosis is gout. Septic arthritis is less likely."
>>> passages, sentences, tokens = _passages(paragraph)
>>> [(sorted(p.terms), p.weight, p.excluded) for p in passages]
[(['gout'], 1.0, False), (['arthritis', 'less', 'septic'], 0.7, True)]
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from medreward.medical.alignment import _MIN_WORD_STEM, _derived_from, _stems
from medreward.medical.analysis import _fold_pieces
from medreward.medical.cues import (
    ASIDE,
    CONCESSION,
    CONCLUSION_CUE,
    CONTRAST_CUE,
    CONTRAST_OPENING,
    EXCLUSION_CUE,
    FORWARD_CONCLUSION,
    OVER,
    PASSAGE_BREAK,
    RELATIVE_EXCLUSION,
    RELATIVE_OPENING,
    RESUMED_DENIAL,
    RESUMING_SUBJECT,
    SENTENCE_BREAK,
    VIGNETTE_OPENING,
)
from medreward.medical.evidence import Passage, ReferenceAnalysis, TextAnalysis, _passage

__all__ = ["SupportWeights"]


class SupportWeights(BaseModel):
    """How strongly a paragraph asserts what its passages say, and how a solution's support is scored.

    A sentence with a conclusion cue states the answer; the first sentence usually does; the last
    often sums up. A passage with an exclusion cue asserts nothing: its terms count against the
    solution instead. :class:`~medreward.medical.matching.AnswerMatcher` holds one as ``support``.

    >>> SupportWeights().conclusion, SupportWeights().recall_beta
    (1.0, 0.3)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    conclusion: float = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="the weight of a sentence with a conclusion cue: it states the answer",
    )
    first_sentence: float = Field(
        0.8, ge=0.0, le=1.0, description="the weight of the first sentence: it usually states the answer"
    )
    last_sentence: float = Field(
        0.7, ge=0.0, le=1.0, description="the weight of the last sentence: it often sums up"
    )
    other_sentence: float = Field(0.45, ge=0.0, le=1.0, description="the weight of any other sentence")
    passage_decay: float = Field(
        0.03,
        ge=0.0,
        le=0.1,
        description="how much less each later passage of one sentence weighs ('X, which causes Y': X is "
        "the answer)",
    )
    sentence_share: float = Field(
        0.75,
        ge=0.0,
        le=1.0,
        description="the share at which terms spread over several passages of one sentence ('X with Y') "
        "count",
    )
    exclusion_penalty: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="the share of an excluded mention, beyond the best asserted one, taken off the support",
    )
    recall_beta: float = Field(
        0.3,
        gt=0.0,
        le=1.0,
        description="how much a passage's recall counts against its precision (F-beta): a solution must "
        "cover the passage's content (its terms beyond the question's), not only be contained in it",
    )


_DEFAULT_WEIGHTS = SupportWeights()


# The end of a sentence that opens a numbered list: "the findings would include: 1" (the sentence
# break falls after the item number).
_LIST_OPENING = re.compile(r":\s*1$")


def _lift_asides(sentence: str) -> str:
    """``sentence`` with each parenthesis inside a phrase moved to its end, so the phrase is one
    passage and the aside another, after it.

    >>> _lift_asides("a tender goitre indicates subacute (de quervain's) thyroiditis.")
    "a tender goitre indicates subacute thyroiditis. (de quervain's)"
    """
    asides = ASIDE.findall(sentence)
    if not asides:
        return sentence
    return ASIDE.sub("", sentence) + "".join(f" ({aside})" for aside in asides)


def _list_items(sentences: list[str]) -> dict[int, int]:
    """Numbered list items among ``sentences``: each item's index -> the index of the sentence that
    opens its list. Drops the item numbers from ``sentences`` (in place): "... include: 1" becomes
    "... include:", and the lone numbers "2", "3" between items are removed."""
    kept: list[str] = []
    introduced_by: dict[int, int] = {}
    opening = -1  # the sentence that opened the current list; -1 outside a list
    item_next = False  # whether the next sentence follows an item number
    for sentence in sentences:
        stripped = sentence.strip()
        if opening >= 0 and len(stripped) <= 2 and stripped.isdigit():
            item_next = True
            continue
        if item_next:
            introduced_by[len(kept)] = opening
        else:
            opening = -1
        item_next = False
        match = _LIST_OPENING.search(stripped)
        if match is not None:
            sentence = stripped[: match.start() + 1]
            opening = len(kept)
            item_next = True
        kept.append(sentence)
    sentences[:] = kept
    return introduced_by


def _passages(
    text: str, exception: bool = False, weights: SupportWeights = _DEFAULT_WEIGHTS
) -> tuple[tuple[Passage, ...], tuple[tuple[frozenset[str], float], ...], int]:
    """The weighted passages of a long reference, each sentence's asserted terms and weight, and the
    number of content tokens.

    ``exception``: the reference answers an exception question ("which is NOT ..."), where a
    negation states the answer; only contrasts (:data:`CONTRAST_CUE`) exclude. ``weights``: how much
    each sentence and each later passage of it weighs.
    """
    cue = CONTRAST_CUE if exception else EXCLUSION_CUE
    sentences = [s for s in SENTENCE_BREAK.split(text.lower()) if s and not s.isspace()]
    # A numbered list ("would include: 1. X. 2. Y."): its items say what the sentence before it
    # introduces, and weigh as much.
    introduced_by = _list_items(sentences) if ": 1" in text else {}
    last = len(sentences) - 1
    # Each sentence's index, weight and, for each of its passages, whether it is excluded.
    layout: list[tuple[int, float, list[bool], int]] = []
    pieces: list[str] = []
    sentence_weights: list[float] = []
    for index, sentence in enumerate(sentences):
        spaced = " " + sentence
        if CONCLUSION_CUE.search(spaced):
            weight = weights.conclusion
        elif index == 0 and VIGNETTE_OPENING.match(sentence) is None:
            weight = weights.first_sentence
        elif index == last:
            weight = weights.last_sentence
        else:
            weight = weights.other_sentence
        if index in introduced_by:
            weight = max(weight, sentence_weights[introduced_by[index]])
        sentence_weights.append(weight)
        if "(" in sentence:
            sentence = _lift_asides(sentence)
        parts = [part for part in PASSAGE_BREAK.split(sentence) if part and not part.isspace()]
        # Most sentences exclude nothing: one search tells, before any passage is searched.
        excluding = cue.search(spaced) is not None
        if excluding or "over" in sentence:
            excluded = [_excludes(part, cue if excluding else None) for part in parts]
        else:
            excluded = [False] * len(parts)
        if CONCESSION.match(sentence) is not None:
            excluded = _conceded(sentence, excluded, denials=not exception)
        elif CONTRAST_OPENING.match(sentence) is not None:
            excluded = [True] * len(parts)
        if excluding:
            for part in range(1, len(parts)):
                if excluded[part - 1] and RELATIVE_OPENING.match(parts[part]) is not None:
                    excluded[part] = True
        layout.append((index, weight, excluded, _evidence_parts(spaced, parts)))
        pieces += parts
    # One fold and one normalization pass for the whole reference (the hot path of a GRPO batch).
    folded, normalized = _fold_pieces(pieces)
    groups = iter(zip(normalized, folded))
    decay = weights.passage_decay
    passages: list[Passage] = []
    # Each sentence's asserted terms, and its weight.
    sentence_terms: list[tuple[frozenset[str], float]] = []
    token_count = 0
    for index, weight, flags, evidence in layout:
        position = 0
        asserted: list[str] = []
        cited: list[str] = []
        # The evidence before a forward conclusion cue weighs as any other sentence.
        evidence_weight = min(weight, weights.other_sentence)
        for part, (is_excluded, (tokens, words)) in enumerate(zip(flags, groups)):
            if not tokens:
                continue
            token_count += len(tokens)
            part_weight = (evidence_weight if part < evidence else weight) * (1.0 - decay * position)
            passages.append(_passage((frozenset(tokens), index, part_weight, is_excluded, tuple(words))))
            position += 1
            if not is_excluded:
                (cited if part < evidence else asserted).extend(tokens)
        if asserted:
            sentence_terms.append((frozenset(asserted), weight))
        if cited:
            sentence_terms.append((frozenset(cited), evidence_weight))
    return tuple(passages), tuple(sentence_terms), token_count


def _evidence_parts(spaced: str, parts: list[str]) -> int:
    """How many of a sentence's ``parts`` come before its forward conclusion cue: the evidence
    ("ST elevation in II, III and aVF | indicates an inferior infarction"); 0 when the sentence has
    no such cue, or opens with it.

    >>> _evidence_parts(" wasting and fasciculations indicate a lesion", ["wasting and fasciculations",
    ...                 "indicate a lesion"])
    1
    """
    if FORWARD_CONCLUSION.search(spaced) is None:
        return 0
    for index, part in enumerate(parts):
        if FORWARD_CONCLUSION.search(" " + part) is not None:
            return index
    return 0


def _conceded(sentence: str, excluded: list[bool], denials: bool = True) -> list[bool]:
    """``excluded`` with the passages of a sentence's opening concession, up to its first comma,
    marked: "While X is possible, Y is ..." concedes X and asserts Y. A main clause that takes the
    conceded subject up again ("..., it frequently presents with ...") concedes nothing, unless it
    sets that subject aside itself ("While the axillary nerve is at risk ..., it is not the nerve
    injured here"; not with ``denials`` off: in the answer to an exception question a denial states
    the answer).

    >>> _conceded("while lead is known, organophosphates are linked", [False, False])
    [True, False]
    >>> _conceded("while tga (d-tga) is critical, it presents early", [False, False, False, False])
    [False, False, False, False]
    >>> _conceded("while the axillary nerve is at risk, it is not the nerve injured", [False, False])
    [True, False]
    """
    comma = sentence.find(",")
    if comma < 0:
        return excluded
    conceded = sum(1 for part in PASSAGE_BREAK.split(sentence[:comma]) if part and not part.isspace())
    if conceded >= len(excluded):
        return excluded
    resumed = RESUMING_SUBJECT.match(sentence, comma + 1) is not None
    if resumed and (not denials or RESUMED_DENIAL.match(sentence, comma + 1) is None):
        return excluded
    return [True] * conceded + excluded[conceded:]


def _excludes(part: str, cue: re.Pattern[str] | None) -> bool:
    """Whether a passage names something only to set it aside: it opens with "over" ("... over an
    ACL tear"), or has an exclusion ``cue`` (``None``: its sentence has none) outside a relative
    clause."""
    if "over" in part[:6] and OVER.match(part) is not None:
        return True
    if cue is None:
        return False
    spaced = " " + part
    return cue.search(spaced) is not None and RELATIVE_EXCLUSION.search(spaced) is None


@lru_cache(maxsize=65_536)
def _derivations(term: str, pool: frozenset[str]) -> frozenset[str]:
    """``term`` and the words of ``pool`` (a reference's terms) that derive from its stem or it from
    theirs ("pattern" / "patterned", "hypertension" / "hypertensive"), as the term lookups read them."""
    if len(term) < _MIN_WORD_STEM:
        return frozenset((term,))
    stems = _stems(term)
    return frozenset(
        word
        for word in pool
        if word == term
        or (
            word[:_MIN_WORD_STEM] == term[:_MIN_WORD_STEM]
            and (bool(stems & _stems(word)) or _derived_from(word, term) or _derived_from(term, word))
        )
    )


def _support(
    hits: list[tuple[str, float]],
    total: float,
    reference: ReferenceAnalysis,
    weights: SupportWeights = _DEFAULT_WEIGHTS,
) -> float:
    """How strongly a long reference asserts a solution, in [-0.5, 1].

    ``hits`` pairs each solution term found in the reference (as the reference writes it) with the
    term's weight (its specificity: "estradiol" counts more than "serum"), ``total`` is the weight
    of all the solution's terms. The support is the best weighted share of the solution in one
    asserted passage (or, at ``weights.sentence_share``, one sentence), less
    ``weights.exclusion_penalty`` times the share the reference only excludes beyond that: naming an
    option the reference rules out costs, and listing several candidates (a low share in any one
    passage) pays less than committing to one.
    """
    if not hits:
        return 0.0
    hit_weights: dict[str, float] = {}
    for hit, w in hits:
        hit_weights[hit] = hit_weights.get(hit, 0.0) + w
    # A passage says a hit in any derivation of its stem ("patterned contusion" says "pattern").
    pool = reference.term_set
    families = {hit: _derivations(hit, pool) for hit in hit_weights}
    found = [(family, hit_weights[hit]) for hit, family in families.items()]
    keys = frozenset().union(*families.values())
    beta = weights.recall_beta
    best = 0.0
    worst = 0.0
    # A solution has a few terms and a reference a dozen passages: checking each passage for each
    # hit is cheaper than an inverted index that every reference would have to build. Most passages
    # have none of the hits, which one set operation in C tells.
    for passage, content in zip(reference.passages, reference.passage_content):
        terms = passage.terms
        if terms.isdisjoint(keys):
            continue
        weight = sum([w for family, w in found if not family.isdisjoint(terms)])
        if weight:
            if passage.excluded:
                worst = max(worst, weight / total)
            else:
                best = max(
                    best,
                    _f_score(weight / total, weight / content if content else 1.0, beta) * passage.weight,
                )
    for (terms, sentence_weight), content in zip(reference.sentences, reference.sentence_content):
        if terms.isdisjoint(keys):
            continue
        weight = sum([w for family, w in found if not family.isdisjoint(terms)])
        if weight:
            recall = weight / content if content else 1.0
            best = max(
                best, weights.sentence_share * sentence_weight * _f_score(weight / total, recall, beta)
            )
    return best - weights.exclusion_penalty * max(0.0, worst - best)


def _f_score(precision: float, recall: float, beta: float) -> float:
    """F-beta of a passage's support, leaning on precision (``beta`` below 1): a concise answer
    inside a longer passage still scores, one generic word of a passage does not."""
    recall = min(1.0, recall)
    if not precision or not recall:
        return 0.0
    beta2 = beta * beta
    return (1 + beta2) * precision * recall / (beta2 * precision + recall)


def _clause_support(
    solution: TextAnalysis,
    found: dict[str, tuple[str | None, float, float]],
    reference: ReferenceAnalysis,
    weights: SupportWeights = _DEFAULT_WEIGHTS,
) -> float:
    """The support of a compound solution: each clause's own support, averaged by clause weight.

    "Decreased estradiol and increased LH" is supported only where the reference says both:
    judged as one bag of terms, it would be as well supported by "increased estradiol and
    decreased LH" (the same terms), or by a reference that says the opposite of each clause.
    ``found`` maps each solution term to the reference term it matched (or ``None``), its weight as
    evidence and its whole weight: a clause of the question's words weighs in the average and in its
    own precision, and supports nothing (pasting the question beside the answer dilutes it).
    """
    weighted = 0.0
    total = 0.0
    for clause in solution.clauses:
        clause_total = sum(found[term][2] for term in clause)
        hits = [(hit, w) for hit, w, _ in map(found.__getitem__, clause) if hit is not None]
        weighted += _support(hits, clause_total, reference, weights) * clause_total
        total += clause_total
    return weighted / total if total else 0.0
