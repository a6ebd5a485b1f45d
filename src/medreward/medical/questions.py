"""What a question asks for: the option that holds, or the one that does not ("which is NOT ...").

An exception question ("Which condition does not have an increased risk?", "All of the following
cause X except") turns a long reference around: its answer is the option the reference negates
("gallbladder carcinoma does not have an increased risk"), so the reference's negations state the
answer instead of excluding options. :func:`is_exception_question` tells the two kinds apart from
the question text alone; :class:`~medreward.medical.matching.AnswerMatcher` uses it.

The question is read in its question sentence: the last sentence that ends in "?", or else one of
the last three sentences that asks with "which", "what", "identify", "name" ... The exception word
("not", "n't", "never", "except", "least") must be in the clause that the question word opens, so
that a negation in the case description ("a man who does not smoke, what vaccine ...") or in a
condition of the question ("what is the next step if the fever does not resolve?") does not count.

>>> is_exception_question("Which condition does not have an increased risk of development?")
True
>>> is_exception_question("In a man who does not smoke, what vaccine is most appropriate?")
False
>>> is_exception_question("What is the next step if the fever does not resolve?")
False
"""

from __future__ import annotations

import re

__all__ = ["is_exception_question", "question_ask", "split_sentences"]

# Sentence ends: a mark followed by space, or a line break.
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")
# Chat-template markers in a prompt rendered as text ("<start_of_turn>", "<|im_end|>"): line breaks.
_MARKUP = re.compile(r"<[^<>\s]{1,40}>")
# A question word, in lowercased text. The pattern starts with a character class and checks the
# word boundary after it, which lets the engine skip ahead in C (four times faster than \b first).
_QUESTION_WORD = re.compile(
    r"[wisncp](?<=\b[wisncp])(?:hich|hat|hom|ho|dentify|ame|elect|hoose|ick|ndicate)\b"
)
# After these words a question word asks ("In which circumstance ..."); after a noun, "which" or
# "who" opens a relative clause of the case description ("a patient who is not vaccinated").
_PREPOSITIONS = frozenset("in of for from by to with on at under during among between".split())
# Where the clause of the question word ends: punctuation, a subordinate clause of condition, or a
# relative clause about a person ("the diagnosis in a patient who is not vaccinated"): the person is
# the case, the answer is a thing ("a precaution that is not recommended" stays in the clause).
_CLAUSE_END = re.compile(
    r"[,;:(]|\b(?:if|when|whenever|while|although|though|because|since|after|before|unless|despite|"
    r"given|whereas|who|whom|whose)\b"
)
# A question that asks what to set aside ("Which drug is contraindicated?", "What should be
# avoided?") is one too: the reference states its answer with the words that set options aside.
_EXCEPTION_WORD = re.compile(
    r"\b(?:not|never|except|least|contraindicated|ineffective|inappropriate|avoid(?:ed)?)\b|n't\b"
)
# "All of the following are causes of X except": the list form, without a question word.
_FOLLOWING_EXCEPT = re.compile(r"\bfollowing\b.*\bexcept\b(?!\s+(?:for|in|when|if|that)\b)")
_AT_LEAST = re.compile(r"\bat\s+least\b")
# How many closing sentences may hold an instruction ("Identify the antibody that is not ...").
_QUESTION_SENTENCES = 3
# How much of a long prompt's end is searched for those sentences.
_TAIL_CHARS = 2000


def _asks(sentence: str) -> bool:
    """Whether a lowercased sentence asks something: a question word where a question starts."""
    return _question_word_end(sentence) >= 0 or _follows_except(sentence)


def _follows_except(sentence: str) -> bool:
    return "following" in sentence and "except" in sentence and _FOLLOWING_EXCEPT.search(sentence) is not None


def _question_word_end(sentence: str) -> int:
    """Where the last question word of a lowercased sentence ends (-1: none) that starts a question:
    at the start of the sentence, after a comma or colon, or after a preposition."""
    found = -1
    for match in _QUESTION_WORD.finditer(sentence):
        before = sentence[: match.start()].rstrip()
        if not before or before[-1] in ",;:" or before.rsplit(None, 1)[-1] in _PREPOSITIONS:
            found = match.end()
    return found


def _question_sentence(question: str) -> str | None:
    """The lowercased sentence that asks: the last one ending in "?", else a late one that asks."""
    text = question[-_TAIL_CHARS:].lower()
    mark = text.rfind("?")
    if mark >= 0:
        start = max(text.rfind(". ", 0, mark), text.rfind("? ", 0, mark), text.rfind("! ", 0, mark))
        start = max(start, text.rfind("\n", 0, mark), text.rfind(">", 0, mark))
        return text[start + 1 : mark + 1].strip()
    if "<" in text:
        text = _MARKUP.sub("\n", text)
    sentences = split_sentences(text)
    for sentence in reversed(sentences[-_QUESTION_SENTENCES:]):
        if _asks(sentence):
            return sentence
    return None


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, split after ``.``, ``?`` or ``!`` and at line breaks, stripped.

    >>> split_sentences("Fever and a murmur. What is the diagnosis?")
    ['Fever and a murmur.', 'What is the diagnosis?']
    """
    return [s.strip() for s in _SENTENCE_END.split(text) if s and not s.isspace()]


def question_ask(question: str) -> str:
    """The question's last sentence without its question mark: what it asks, as a policy that
    restates the question would write it.

    >>> question_ask("A boy has RLQ pain. What is the most likely diagnosis?")
    'What is the most likely diagnosis'
    """
    sentences = split_sentences(question)
    return sentences[-1].rstrip("?").strip() if sentences else ""


def is_exception_question(question: str) -> bool:
    """Whether ``question`` asks for the option that does *not* hold (see the module docstring).

    >>> is_exception_question("All of the following are causes of pancreatitis except:")
    True
    >>> is_exception_question("Identify the antibody that is not associated with the condition.")
    True
    >>> is_exception_question("Which antibiotic should be given for at least 6 weeks?")
    False
    >>> is_exception_question("Which drug is contraindicated in this patient?")
    True
    """
    # Most questions have no exception word at all: five substring scans (C speed) tell.
    lowered = question.lower()
    if not (
        "not" in lowered
        or "n't" in lowered
        or "never" in lowered
        or "except" in lowered
        or "least" in lowered
        or "contraindicated" in lowered
        or "ineffective" in lowered
        or "inappropriate" in lowered
        or "avoid" in lowered
    ):
        return False
    sentence = _question_sentence(question)
    if sentence is None:
        return False
    sentence = _AT_LEAST.sub("at minimum", sentence)
    if _follows_except(sentence):
        return True
    start = _question_word_end(sentence)
    if start < 0:
        return False
    clause = sentence[start:]
    end = _CLAUSE_END.search(clause)
    if end is not None:
        clause = clause[: end.start()]
    return _EXCEPTION_WORD.search(clause) is not None
