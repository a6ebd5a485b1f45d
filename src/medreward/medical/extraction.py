"""Answer extraction: the short answer that a long free-text response commits to, or an abstention.

medical-o1-reasoning-SFT's ``Response`` is a paragraph ("The most likely diagnosis for this
45-year-old with fever and a new murmur is infective endocarditis, given ..."). Training against the
paragraph asks the judge to find the answer in it on every step; :func:`extract_answer` does it
once, ahead of training, so that a user can read what the policy will be judged against
(``medreward extract``) and train against short answers.

The rules are data: :data:`ANSWER_PATTERNS` is a list of ``(pattern, confidence)`` pairs, walked in
order over the response's sentences; each pattern captures the answer (group ``answer``) after or
before a phrase that states it ("the most likely diagnosis is X", "X is the most likely cause",
"indicative of X"). The captured text is cut where the evidence begins (``given``, ``due to``, a
comma, ...). Extraction abstains (``None``) when no sentence states an answer, or when the one found
is too long to be a short answer; a hedge ("X or Y") halves the confidence.

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

from medreward.medical.lexicon import load_lexicon
from medreward.medical.normalize import STOP_WORDS, normalize_tokens
from medreward.medical.questions import question_ask

__all__ = ["ANSWER_PATTERNS", "ExtractedAnswer", "extract_answer"]

# What may be an answer: up to the end of the sentence; _cut trims it where the evidence begins.
_ANSWER = r"(?P<answer>[^.;:!?\n]{2,160})"
_SUBJECT = r"(?P<answer>[A-Za-z0-9][^.;:!?\n,]{1,100}?)"
# The nouns a response names its answer with ("the most likely diagnosis", "the best next step").
_ANSWER_NOUN = (
    r"(?:diagnosis|answer|cause|explanation|etiology|aetiology|organism|pathogen|agent|drug|medication|"
    r"treatment|management|next step|step|test|investigation|option|choice|condition|mechanism|finding|"
    r"structure|nerve|artery|vessel|site|location)"
)

# (pattern, confidence), most explicit first. Each is searched in one sentence, case-insensitively.
ANSWER_PATTERNS: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), confidence)
    for pattern, confidence in (
        (rf"\b(?:the\s+)?(?:most\s+likely|most\s+probable|final|correct|likely|probable)\s+"
         rf"(?:\w+\s+){{0,2}}?{_ANSWER_NOUN}\b[^.;:!?\n]{{0,80}}?\s(?:is|would\s+be|was)\s+"
         rf"(?:most\s+likely\s+)?{_ANSWER}", 0.9),
        (rf"\b(?:the\s+)?(?:best|most\s+appropriate|recommended|preferred|first-line|initial)\s+(?:\w+\s+){{0,2}}?"
         rf"{_ANSWER_NOUN}\b[^.;:!?\n]{{0,80}}?\s(?:is|would\s+be)\s+(?:to\s+)?{_ANSWER}", 0.85),
        (rf"\bthe\s+answer\s+is\s+{_ANSWER}", 0.9),
        (rf"^\s*the\s+{_ANSWER_NOUN}\b[^.;:!?\n]{{0,120}}?\s(?:is|would\s+be)\s+(?:most\s+)?"
         rf"(?:likely\s+)?{_ANSWER}", 0.75),
        (rf"^\s*(?:[^,.;:!?\n]{{0,80}},\s*)?{_SUBJECT}\s+(?:is|are|was)\s+(?:the\s+)?(?:most\s+likely|most\s+probable|"
         rf"likely|probable|best|correct|most\s+appropriate)\b", 0.8),
        (rf"\b(?:indicative|suggestive|characteristic|diagnostic|typical)\s+of\s+{_ANSWER}", 0.7),
        (rf"\b(?:consistent|compatible)\s+with\s+{_ANSWER}", 0.7),
        (rf"\bpoints?\s+(?:to(?:wards)?|strongly\s+to)\s+{_ANSWER}", 0.7),
        (rf"\b(?:is|are)\s+(?:most\s+)?likely\s+(?:due\s+to|caused\s+by|experiencing|suffering\s+from|to\s+be|"
         rf"having|to\s+have)\s+{_ANSWER}", 0.7),
        (rf"\b(?:caused|explained)\s+by\s+{_ANSWER}", 0.55),
        (rf"\b(?:suggests?|indicates?)\s+(?:that\s+)?(?:the\s+patient\s+has\s+)?{_ANSWER}", 0.5),
    )
)  # fmt: skip

# Where the evidence for an answer begins, inside a captured answer.
_EVIDENCE = re.compile(
    r",|\s(?:given|because|due to|as|which|since|based on|rather than|instead of|in this|in the setting|"
    r"with a|with an|that|considering|following|after|while|whereas|supported by|especially|is|are|was|were|"
    r"can|could|may|might|would|will|should)\s",
    re.IGNORECASE,
)
_LEADING_FILLER = re.compile(
    r"^(?:(?:that|a|an|the|this|likely|probably|most likely|indeed|then|be|being|to be|an? case of|"
    r"the presence of|the development of|a condition called|a condition known as|known as|called|"
    r"(?:a|the)?\s*(?:case|possibility|diagnosis|presence|likelihood) of)\s+)+",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
# A short answer has at most this many words; a longer capture is a clause, not an answer.
MAX_ANSWER_WORDS = 10
# A hedged answer ("X or Y") keeps this share of its pattern's confidence.
HEDGE_FACTOR = 0.5
_HEDGE = re.compile(r"\b(?:or|versus|vs)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ExtractedAnswer:
    """The short answer of a response: its text, how sure the extraction is, and where it stands
    (``span``: character offsets in the response, ``response[start:end] == text``)."""

    text: str
    confidence: float
    span: tuple[int, int]


def _cut(answer: str) -> tuple[int, int]:
    """The offsets, within a captured ``answer``, of the answer proper: without the evidence that
    follows it or the filler words that open it."""
    end = len(answer)
    evidence = _EVIDENCE.search(answer)
    if evidence is not None:
        end = evidence.start()
    start = 0
    filler = _LEADING_FILLER.match(answer, 0, end)
    if filler is not None:
        start = filler.end()
    while end > start and not answer[end - 1].isalnum() and answer[end - 1] not in ")]%":
        end -= 1
    while start < end and answer[start].isspace():
        start += 1
    return start, end


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9']*")
# Words that frame an answer rather than state it ("is called the diagonal conjugate").
_FRAMING = frozenset("called termed named known referred include includes including such like also".split())
# A response restates the question's ask and names the answer in it: the sentence must share at least
# this share of the ask's content words, among the first sentences.
MIN_RESTATEMENT = 0.5
_RESTATEMENT_SENTENCES = 3
# The confidence of a restatement at full overlap (scaled by the overlap).
RESTATEMENT_CONFIDENCE = 0.95
_STEM = 5


def _stem(word: str) -> str:
    return word.lower()[:_STEM]


def _content(word: str) -> bool:
    lower = word.lower()
    return lower not in STOP_WORDS and lower not in _FRAMING and (len(lower) > 2 or lower[0].isdigit())


def _medical_weight(run: list[tuple[int, int, str]]) -> float:
    """How much a run of words names medical things: the summed specificity of its words that the
    lexicon's concept names use (a word no name uses, like "guidelines", adds nothing)."""
    lexicon = load_lexicon()
    return sum(
        lexicon.specificity(term)
        for term in normalize_tokens(" ".join(w for _, _, w in run))
        if lexicon.uses(term)
    )


def _restated_answer(response: str, question: str) -> ExtractedAnswer | None:
    """The answer a response names while it restates the question's ask ("The pelvic diameter that
    measures ... is called the diagonal conjugate"): the first run of content words that the question
    does not use, in the opening sentence that shares most of the ask's content words."""
    ask = {_stem(w) for w in _WORD.findall(question_ask(question) or question) if _content(w)}
    known = {_stem(w) for w in _WORD.findall(question)}
    if not ask:
        return None
    best: tuple[float, int, int] | None = None
    for index, sentence in enumerate(_SENTENCE.finditer(response)):
        if index >= _RESTATEMENT_SENTENCES:
            break
        words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(sentence.group(0))]
        overlap = len(ask & {_stem(w) for _, _, w in words}) / len(ask)
        if overlap < MIN_RESTATEMENT or (best is not None and overlap <= best[0]):
            continue
        # Runs of content words the question does not use; the most medical one is the answer.
        runs: list[list[tuple[int, int, str]]] = [[]]
        text = sentence.group(0)
        for start, end, word in words:
            # Punctuation between two words ends a run: "FNAC (fine needle ...)" names FNAC.
            if runs[-1] and text[runs[-1][-1][1] : start].strip():
                runs.append([])
            if _content(word) and _stem(word) not in known:
                runs[-1].append((start, end, word))
            elif runs[-1]:
                runs.append([])
        scored = [(_medical_weight(run), run) for run in runs if run and len(run) <= MAX_ANSWER_WORDS]
        scored = [(weight, run) for weight, run in scored if weight > 0]
        if scored:
            _, run = max(scored, key=lambda pair: pair[0])
            offset = sentence.start()
            best = (overlap, offset + run[0][0], offset + run[-1][1])
    if best is None:
        return None
    overlap, start, end = best
    return ExtractedAnswer(response[start:end], round(RESTATEMENT_CONFIDENCE * overlap, 3), (start, end))


def extract_answer(response: str, question: str | None = None) -> ExtractedAnswer | None:
    """The short answer that ``response`` commits to, or ``None`` when it commits to none.

    Sentences are read in order, and for each the first pattern of :data:`ANSWER_PATTERNS` that
    matches gives a candidate; the most confident candidate wins (the earlier one on a tie). A
    candidate made only of the question's own words restates the question and is passed over. With
    the question, a response that restates its ask also names the answer there (see
    :func:`_restated_answer`), which competes on confidence.
    """
    question_words = set(re.findall(r"[a-z0-9]+", question.lower())) if question else set()
    best: ExtractedAnswer | None = None
    for sentence in _SENTENCE.finditer(response):
        for pattern, confidence in ANSWER_PATTERNS:
            if best is not None and confidence <= best.confidence:
                break
            match = pattern.search(sentence.group(0))
            if match is None:
                continue
            captured = match.group("answer")
            start, end = _cut(captured)
            text = captured[start:end]
            words = re.findall(r"[a-z0-9]+", text.lower())
            if not words or len(words) > MAX_ANSWER_WORDS:
                continue
            if question_words and set(words) <= question_words:
                continue
            if _HEDGE.search(text):
                confidence *= HEDGE_FACTOR
            offset = sentence.start() + match.start("answer")
            candidate = ExtractedAnswer(text, confidence, (offset + start, offset + end))
            if best is None or candidate.confidence > best.confidence:
                best = candidate
            break
    if question:
        restated = _restated_answer(response, question)
        if restated is not None and (best is None or restated.confidence > best.confidence):
            best = restated
    return best
