"""Answer extraction: the short answer that a long free-text response commits to, or an abstention.

medical-o1-reasoning-SFT's ``Response`` is a paragraph ("The most likely diagnosis for this
45-year-old with fever and a new murmur is infective endocarditis, given ..."). Training against the
paragraph asks the judge to find the answer in it on every step; :func:`extract_answer` does it
once, ahead of training, so that a user can read what the policy will be judged against
(``medreward extract``) and train against short answers.

Two mechanisms propose candidates, sentence by sentence:

- **Conclusion cues** (:data:`ANSWER_PATTERNS`, ``(pattern, confidence)`` pairs, most explicit
  first): the answer after or before a phrase that states it ("the most likely diagnosis is X",
  "X is the best next step", "the answer is X", "indicative of X").
- **Restatement** (with the question): a sentence that restates the question's ask around a verb
  names the answer on the other side of it ("The pelvic diameter that measures ... is called the
  diagonal conjugate"; "In poisoning, organophosphates are associated with chromodacryorrhoea").
  The answer is that side without the question's own words at its edges.

Every candidate is cut where the evidence begins (``given``, ``because``, ``which``, a comma, ...)
and loses its filler words ("a case of", "typically the"). The extraction then abstains rather than
guess: a candidate longer than a short answer is dropped; a hedge ("X or Y", "X versus Y") halves
the confidence, and so does a rival candidate of similar confidence that names something else; in a
response that answers with a list, only the explicit cues count; and below :data:`MIN_CONFIDENCE`
the result is ``None``, so that a caller falls back to the paragraph.

>>> found = extract_answer("The findings are typical. The most likely diagnosis is infective "
...                        "endocarditis, given the new murmur and fever.")
>>> found.text, found.confidence
('infective endocarditis', 0.9)
>>> extract_answer("Several conditions could explain this picture.") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medreward.medical.normalize import STOP_WORDS
from medreward.medical.questions import question_ask

__all__ = ["ANSWER_PATTERNS", "MIN_CONFIDENCE", "ExtractedAnswer", "extract_answer"]

# What may be an answer: up to the end of the sentence; _trim cuts it where the evidence begins.
_ANSWER = r"(?P<answer>[^;:!?\n]{2,200})"
_SUBJECT = r"(?P<answer>[A-Za-z0-9*\"'\u201c\u2018][^.;:!?\n,]{1,100}?)"
# The nouns a response names its answer with ("the most likely diagnosis", "the best next step").
_ANSWER_NOUN = (
    r"(?:diagnosis|answer|cause|explanation|etiology|aetiology|organism|pathogen|agent|drug|medication|"
    r"treatment|management|next\s+step|step|test|investigation|option|choice|condition|mechanism|finding|"
    r"structure|nerve|artery|vessel|site|location|defect|deficiency|abnormality|disorder|disease|lesion|"
    r"complication|injury|type|feature|vaccine|procedure|intervention|therapy|approach)"
)
# An appraisal of a subject as the answer ("X is the most likely", "X is an excellent choice").
_APPRAISAL = (
    r"(?:most\s+likely|most\s+probable|likely|probable|best|correct|most\s+appropriate|preferred|"
    r"recommended|ideal|excellent|optimal|first-line|plausible|strong|most\s+suitable|leading)"
)
_COPULA = r"(?:is|are|was|would\s+be|remains|seems\s+to\s+be|appears\s+to\s+be)"
_ADVERB = r"(?:(?:often|typically|usually|generally|therefore|thus|clearly|indeed|also)\s+)?"

# (pattern, confidence), most explicit first. Each is searched in one sentence, case-insensitively.
ANSWER_PATTERNS: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), confidence)
    for pattern, confidence in (
        (rf"\b(?:the\s+)?(?:most\s+likely|most\s+probable|final|correct|likely|probable)\s+"
         rf"(?:[\w-]+\s+){{0,2}}?{_ANSWER_NOUN}\b[^.;:!?\n]{{0,80}}?\s{_COPULA}\s+{_ADVERB}"
         rf"(?:most\s+likely\s+)?{_ANSWER}", 0.9),
        (rf"\bthe\s+(?:correct\s+|final\s+)?answer\s+(?:is|would\s+be)\s+{_ANSWER}", 0.9),
        (rf"\b(?:the\s+)?(?:best|most\s+appropriate|recommended|preferred|first-line|initial|optimal|ideal)\s+"
         rf"(?:[\w-]+\s+){{0,2}}?{_ANSWER_NOUN}\b[^.;:!?\n]{{0,80}}?\s{_COPULA}\s+{_ADVERB}(?:to\s+)?{_ANSWER}",
         0.85),
        (rf"^\s*(?:[^.;:!?\n]{{0,200}},\s*)?{_SUBJECT}\s+{_COPULA}\s+{_ADVERB}(?:the\s+|an?\s+)?"
         rf"{_APPRAISAL}\b", 0.8),
        (rf"^\s*(?:[^.;:!?\n]{{0,200}},\s*)?{_SUBJECT}\s+emerges\s+as\s+(?:the\s+|an?\s+)?"
         rf"{_APPRAISAL}\b", 0.8),
        (rf"^\s*the\s+{_ANSWER_NOUN}\b[^.;:!?\n]{{0,120}}?\s{_COPULA}\s+{_ADVERB}(?:most\s+)?"
         rf"(?:likely\s+)?{_ANSWER}", 0.7),
        (rf"\b(?:indicative|suggestive|characteristic|diagnostic|typical)\s+of\s+{_ANSWER}", 0.6),
        (rf"\b(?:consistent|compatible)\s+with\s+{_ANSWER}", 0.6),
        (rf"\bpoints?\s+(?:to(?:wards)?|strongly\s+to)\s+{_ANSWER}", 0.6),
        (rf"\b(?:is|are)\s+(?:most\s+)?likely\s+(?:due\s+to|caused\s+by|experiencing|suffering\s+from|to\s+be|"
         rf"having|to\s+have)\s+{_ANSWER}", 0.6),
        (rf"\b(?:caused|explained)\s+by\s+{_ANSWER}", 0.45),
        (rf"\b(?:suggests?|indicates?)\s+(?:that\s+)?(?:the\s+patient\s+has\s+)?{_ANSWER}", 0.4),
    )
)  # fmt: skip
# Patterns at or above this confidence state an answer outright; the others infer it.
_EXPLICIT = 0.8

# Where the evidence for an answer begins, inside a captured answer: a clause of reason, example,
# relation or comparison, a comma, a parenthesis that is not an abbreviation's, a sentence end.
_EVIDENCE = re.compile(
    r",|\.(?:\s|$)|\s\((?![A-Z0-9]{2,8}\))|\s(?:given|because|due to|as|which|since|based on|rather than|"
    r"instead of|in this|in the setting|in the context|in these|with a|with an|with its|that|considering|"
    r"following|after|while|whereas|supported by|especially|particularly|such as|including|like|"
    r"is|are|was|were|can|could|may|might|would|will|should|does|do|has|have|if|when|to confirm|"
    r"to assess|to evaluate|to rule|for this|for these|for his|for her|for their|for the patient|"
    r"in a|in an|in patients|in individuals|in someone|among|over|compared)\s",
    re.IGNORECASE,
)
_LEADING_FILLER = re.compile(
    r"^(?:(?:that|a|an|the|this|likely|probably|most likely|indeed|then|be|being|to be|an? case of|"
    r"typically|usually|often|generally|commonly|classically|primarily|mainly|most commonly|"
    r"the presence of|the development of|a condition called|a condition known as|known as|called|"
    r"termed|referred to as|described as|classified as|"
    r"(?:a|the)?\s*(?:case|possibility|diagnosis|presence|likelihood) of)\s+)+",
    re.IGNORECASE,
)
# Sentences: split after ., ? or ! before white space (not inside "0.4%") and at line breaks.
_SENTENCE = re.compile(r"(?:[^.?!\n]|[.?!](?![.?!'\"\u201d\u2019)]*(?:\s|$)))+(?:[.?!]+['\"\u201d\u2019)]*)?")
# A response that answers with a list: two or more lines that open with a number or a bullet.
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s", re.MULTILINE)
# A short answer has at most this many words; a longer capture is a clause, not an answer.
MAX_ANSWER_WORDS = 8
# A hedged answer ("X or Y"), or one with a rival, keeps this share of its pattern's confidence.
HEDGE_FACTOR = 0.5
_HEDGE = re.compile(r"\b(?:or|versus|vs|and/or)\b|/", re.IGNORECASE)
# Rivals: candidates within this much of the best one's confidence that name something else.
_RIVAL_MARGIN = 0.15
# Below this confidence extraction abstains: a wrong short answer is worse than the paragraph.
MIN_CONFIDENCE = 0.7


@dataclass(frozen=True, slots=True)
class ExtractedAnswer:
    """The short answer of a response: its text, how sure the extraction is, and where it stands
    (``span``: character offsets in the response, ``response[start:end] == text``)."""

    text: str
    confidence: float
    span: tuple[int, int]


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019]*(?:-[A-Za-z0-9']+)*")
# Words that frame an answer rather than state it ("is called the diagonal conjugate").
_FRAMING = frozenset(
    "called termed named known referred include includes including such like also typically usually "
    "often generally commonly classically primarily mainly really actually".split()
)
# A phrase in quotes or bold: an opening mark after a space, a closing one before a non-letter.
_QUOTED = re.compile(
    r"(?:(?<=\s)|^)(?:\*\*|[\"\u201c\u2018']|\*)(?P<quoted>[A-Za-z0-9][^\"\u201d\u2019'*\n]{1,80}?)"
    r"(?:\*\*|[\"\u201d\u2019']|\*)(?![A-Za-z])"
)
_EDGE_CHARS = "\"'\u201c\u201d\u2018\u2019*`"
# A sentence restates the ask when it holds at least this share of the ask's content words.
MIN_RESTATEMENT = 0.5
# The verbs a restating sentence turns on: the answer is on the side of it that the ask is not.
_PIVOT = re.compile(
    r"\b(?:is|are|was|were|would\s+be|will\s+be|remains|seems\s+to\s+be|appears\s+to\s+be|does|do|"
    r"did|has|have|can|could|should|may)\b(?:\s+not\b)?",
    re.IGNORECASE,
)
# A participle and its preposition open a description ("characterized by", "seen in").
# A naming verb ("is called X", "is classified as X") is no description.
_DESCRIPTION = re.compile(
    r"\s*(?:(?:most|more|\w+ly)\s+){0,2}(?!(?:called|termed|named|known\s+as|referred|classified|"
    r"described\s+as|labell?ed|defined\s+as)\b)(?P<verb>[A-Za-z]+(?:ed|en|wn))\s+"
    r"(?:by|with|in|as|to|from|for|on|at)\b",
    re.IGNORECASE,
)
# A verb after a relative pronoun is not the sentence's main verb.
_RELATIVE = re.compile(
    r"\b(?:which|that|who|whom|where)\s+(?:\w+\s+){0,2}$|(?:^|[,;(])\s*(?:while|although|though|whereas|if|"
    r"when|because|since|as|unless|whether)\b[^,;]*$",
    re.IGNORECASE,
)
# An object side that appraises the subject ("is an excellent choice", "is the most likely").
_APPRAISAL_START = re.compile(rf"\s*{_ADVERB}(?:the\s+|an?\s+)?{_APPRAISAL}\b", re.IGNORECASE)
# Restatement needs an ask of at least this many content words: two words match by chance.
_MIN_ASK_WORDS = 3
# Words after "what/which" that do not name what is asked ("What is the most likely ...").
_ASK_SKIP = frozenset("is are was were would should be the a an one most likely best not".split())
_ASK_STOP = frozenset(
    "is are was were would should could does do did can may might will has have of for in on at to "
    "that which who with from by during when if as".split()
)
_ASK_OF = frozenset("type kind form class name".split())


def _stem(word: str) -> str:
    lower = word.lower().strip("'\u2019")
    if lower.endswith(("'s", "\u2019s")):
        lower = lower[:-2]
    if len(lower) > 4 and lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        lower = lower[:-1]
    return lower[:6]


def _stems(text: str) -> set[str]:
    """The stems of the words of ``text`` and of the parts of its hyphenated words."""
    return {_stem(p) for w in _WORD.findall(text) for p in (w, *w.split("-")) if p}


def _is_content(word: str) -> bool:
    lower = word.lower()
    return lower not in STOP_WORDS and lower not in _FRAMING and (len(lower) > 2 or lower[0].isdigit())


@dataclass(frozen=True, slots=True)
class _Question:
    """What extraction needs from the question: the stems of its words, of its ask's content
    words, and the noun the ask names its answer with ("which *organism* ...")."""

    known: frozenset[str]
    ask: frozenset[str]
    head: str | None

    @classmethod
    def read(cls, question: str | None) -> _Question | None:
        if not question or not question.strip():
            return None
        known = frozenset(_stem(p) for w in _WORD.findall(question) for p in w.split("-") if p)
        ask_text = question_ask(question) or question
        ask = frozenset(_stem(w) for w in _WORD.findall(ask_text) if _is_content(w))
        return cls(known, ask, _ask_head(ask_text))

    def knows(self, word: str) -> bool:
        """Whether the question uses ``word`` (every part of a hyphenated one)."""
        parts = [p for p in word.split("-") if p]
        return bool(parts) and all(_stem(p) in self.known for p in parts)

    def coverage(self, text: str) -> float:
        """The share of the ask's content words that ``text`` uses."""
        if not self.ask:
            return 0.0
        return len(self.ask & _stems(text)) / len(self.ask)


def _ask_head(ask: str) -> str | None:
    """The noun after the ask's question word: "organism" in "Which organism is most likely ..."."""
    words = _WORD.findall(ask.lower())
    for index, word in enumerate(words):
        if word not in ("what", "which"):
            continue
        rest = words[index + 1 :]
        while rest and rest[0] in _ASK_SKIP:
            rest = rest[1:]
        phrase: list[str] = []
        for position, item in enumerate(rest):
            if item == "of" and phrase and phrase[-1] in _ASK_OF and position + 1 < len(rest):
                phrase = []
                continue
            if item in _ASK_STOP:
                break
            phrase.append(item)
        if phrase and phrase[-1] not in ("patient", "patients", "this", "these", "it"):
            return _stem(phrase[-1])
        return None
    return None


def _trim(
    text: str, start: int, end: int, question: _Question | None, strip_known: bool
) -> tuple[int, int] | None:
    """The offsets, within ``text``, of the answer proper in ``text[start:end]``: without the
    evidence that follows it, the filler words that open it and (``strip_known``) the question's own
    words at its edges; ``None`` when nothing that could be a short answer remains."""
    evidence = _EVIDENCE.search(text, start, end)
    if evidence is not None:
        end = evidence.start()
    filler = _LEADING_FILLER.match(text[start:end])
    if filler is not None:
        start += filler.end()
    quoted = _QUOTED.search(text, start, end)
    if quoted is not None:
        # A quoted or bold phrase is the answer the response marks: "is called the 'X' in ...".
        start, end = quoted.start("quoted"), quoted.end("quoted")
    words = list(_WORD.finditer(text, start, end))

    def framing(word: str) -> bool:
        lower = word.lower()
        return lower in STOP_WORDS or lower in _FRAMING

    # The question's own words are stripped where they open the answer ("most closely associated
    # with X"), not where they close it ("the axillary nerve" for "which nerve").
    while words and (
        framing(words[0].group(0))
        or (strip_known and question is not None and question.knows(words[0].group(0)))
    ):
        words.pop(0)
    while words and framing(words[-1].group(0)):
        words.pop()
    if not words or len(words) > MAX_ANSWER_WORDS:
        return None
    if not any(
        _is_content(w.group(0)) and (question is None or not question.knows(w.group(0))) for w in words
    ):
        return None
    start, end = words[0].start(), words[-1].end()
    # An opening parenthesis or quote that the answer closes stays with it.
    while (
        start > 0
        and text[start - 1] in _EDGE_CHARS + "("
        and (text[start - 1] != "(" or ")" in text[start:end])
    ):
        start -= 1
    while end < len(text) and text[end] in ")" and "(" in text[start:end]:
        end += 1
    while start < end and text[start] in _EDGE_CHARS:
        start += 1
    if text[start:end].count("(") != text[start:end].count(")"):
        return None
    return start, end


def _answer_beside(
    sentence: str, pivot: re.Match[str], question: _Question, answer_last: bool
) -> tuple[tuple[int, int], str] | None:
    """The answer on one side of ``pivot`` (after it when ``answer_last``), and the rest of the
    sentence, which must restate the ask; ``None`` when that side holds no short answer."""
    if answer_last:
        # The ask, then the answer: "The pelvic diameter that measures ... is called X."
        span = _trim(sentence, pivot.end(), len(sentence), question, strip_known=True)
        if span is None or _APPRAISAL_START.match(sentence, pivot.end()):
            return None  # "X is an excellent choice" appraises X: the answer is before the verb
        description = _DESCRIPTION.match(sentence, pivot.end())
        if description is not None and not question.knows(description.group("verb")):
            return None  # "... is characterized by X" describes what the ask names
    else:
        # The answer, then the ask: "In poisoning, X is associated with chromodacryorrhoea."
        left = sentence[: pivot.start()]
        clause = max(left.rfind(","), left.rfind(":")) + 1
        if re.search(r"\b(?:and|or)\b", left[clause:]) and left[:clause].count(",") > 1:
            return None  # the end of a list: "A, B, and C are ..."
        span = _trim(sentence, clause, pivot.start(), question, strip_known=True)
        if span is None:
            return None
    rest = sentence[: span[0]] + " " + sentence[span[1] :]
    if question.coverage(rest) < MIN_RESTATEMENT:
        return None
    return span, rest


def _restated(sentence: str, question: _Question) -> tuple[int, int, float] | None:
    """The answer a sentence names while it restates the ask, and the confidence: the side of a
    verb ("is", "are", "does not") that the ask is not on, without the question's words."""
    if len(question.ask) < _MIN_ASK_WORDS:
        return None
    for pivot in _PIVOT.finditer(sentence):
        if _RELATIVE.search(sentence, 0, pivot.start()):
            continue  # "..., which is often secondary to ...": a relative clause, not the main verb
        # The side that restates more of the ask is tried as the restatement first.
        first = question.coverage(sentence[: pivot.start()]) >= question.coverage(sentence[pivot.end() :])
        found = _answer_beside(sentence, pivot, question, first)
        if found is None:
            found = _answer_beside(sentence, pivot, question, not first)
        if found is None:
            continue
        span, restated = found
        cover = question.coverage(restated)
        # The ask's noun beside the restated ask confirms it ("the *organism* responsible ... is X");
        # in the answer-first order the answer takes the noun's place.
        if question.head is None or span[0] < pivot.start():
            named = 0.05
        else:
            named = 0.1 if question.head in _stems(restated) else 0.0
        return span[0], span[1], min(0.95, 0.5 + 0.35 * cover + named)
    return None


def _content_stems(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text) if _is_content(w)}


def extract_answer(
    response: str, question: str | None = None, *, min_confidence: float = MIN_CONFIDENCE
) -> ExtractedAnswer | None:
    """The short answer that ``response`` commits to, or ``None`` when it commits to none.

    Each sentence gives at most one candidate from :data:`ANSWER_PATTERNS` (the first pattern that
    yields a short answer) and, with the question, one from a restatement of its ask; a candidate
    made only of the question's own words restates the question and is passed over. The most
    confident candidate wins (the earlier one on a tie), halved when it hedges ("X or Y") or when a
    rival of similar confidence names something else. In a response that answers with a list only
    the explicit cues count. Below ``min_confidence`` the extraction abstains.
    """
    asked = _Question.read(question)
    listed = len(_LIST_ITEM.findall(response)) >= 2
    candidates: list[ExtractedAnswer] = []
    for sentence_match in _SENTENCE.finditer(response):
        sentence, offset = sentence_match.group(0), sentence_match.start()
        if not sentence.strip():
            continue
        stated = 0.0
        for pattern, confidence in ANSWER_PATTERNS:
            if listed and confidence < _EXPLICIT:
                break
            match = pattern.search(sentence)
            if match is None:
                continue
            span = _trim(sentence, match.start("answer"), match.end("answer"), asked, strip_known=False)
            if span is None:
                continue
            candidates.append(
                ExtractedAnswer(sentence[span[0] : span[1]], confidence, (offset + span[0], offset + span[1]))
            )
            stated = confidence
            break
        # A sentence that states its answer outright is not read again as a restatement.
        if asked is not None and not listed and stated < _EXPLICIT:
            restated = _restated(sentence, asked)
            if restated is not None:
                start, end, confidence = restated
                candidates.append(
                    ExtractedAnswer(sentence[start:end], round(confidence, 3), (offset + start, offset + end))
                )
    if not candidates:
        return None
    best = max(candidates, key=lambda c: c.confidence)
    confidence = best.confidence
    if _HEDGE.search(best.text):
        confidence *= HEDGE_FACTOR
    stems = _content_stems(best.text)
    if any(
        c is not best
        and c.confidence >= best.confidence - _RIVAL_MARGIN
        and not (stems & _content_stems(c.text))
        for c in candidates
    ):
        confidence *= HEDGE_FACTOR
    confidence = round(confidence, 3)
    if confidence < min_confidence:
        return None
    return ExtractedAnswer(best.text, confidence, best.span)
