"""The response format and its parser: the one place that knows the tags.

The seed model answers as::

    <start_reasoning> step-by-step reasoning <end_reasoning>
    <SOLUTION> final medical conclusion </SOLUTION>

:func:`parse_completion` reads a completion in one linear pass of ``str.count``/``str.find`` (no
regular expression, so no backtracking blow-up on megabyte inputs or 100k repeated tags) and
reports what every format and answer reward needs: how often each tag occurs, where, whether the
whole text is exactly one reasoning block then one solution block, and the solution to judge.

Why not the notebook regex ``^\\s*<start_reasoning>.+?<end_reasoning>.*?<SOLUTION>(.+?)</SOLUTION>\\s*$``
with ``re.MULTILINE``: ``^``/``$`` then match at any line, so junk lines before or after pass; a
lazy ``(.+?)`` across two solution blocks captures ``a</SOLUTION><SOLUTION>b``; and nothing stops
an empty block. Counting tags first rules all three out.

>>> parsed = parse_completion("<start_reasoning>r<end_reasoning><SOLUTION> s </SOLUTION>")
>>> parsed.is_exact, parsed.solution
(True, 's')

Two ways of writing the reasoning block that chat templates use are read as the same block:

* a **prefilled** opening tag (:attr:`FormatTags.reasoning_prefilled`): the prompt ends with the
  reasoning start tag (Qwen3's ``<think>``, Unsloth's Qwen3 notebook), so the completion begins
  inside the block and never writes the tag itself;
* a **reasoning field** (``reasoning=`` here; :func:`~medreward.completions.completion_reasoning`
  finds it in a message's ``reasoning_content``, ``reasoning`` or ``thinking``): the block arrives
  apart from ``content``, which then holds the solution, with or without the solution tags.

>>> qwen3 = FormatTags(reasoning_start="<think>", reasoning_end="</think>", reasoning_prefilled=True)
>>> parse_completion("r</think><SOLUTION>s</SOLUTION>", qwen3).is_exact
True
>>> parse_completion("Asthma", reasoning="r").solution
'Asthma'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

__all__ = ["DEFAULT_TAGS", "FormatTags", "ParsedCompletion", "parse_completion", "reading_text"]

TagName = Literal["reasoning_start", "reasoning_end", "solution_start", "solution_end"]
TAG_NAMES: tuple[TagName, ...] = ("reasoning_start", "reasoning_end", "solution_start", "solution_end")


class FormatTags(BaseModel):
    """The four tags of the response format, in the order they must appear.

    ``reasoning_prefilled=True`` says that the prompt already ends with ``reasoning_start`` (the chat
    template opens the reasoning block, as Qwen3's does): every completion is then read as if it began
    with that tag, so that a complete completion without it earns every format score, and a
    completion that writes it again has it twice (a repeated tag).

    >>> FormatTags(reasoning_start="<think>", reasoning_end="</think>",
    ...            solution_start="<answer>", solution_end="</answer>").ordered
    ('<think>', '</think>', '<answer>', '</answer>')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    reasoning_start: str = "<start_reasoning>"
    reasoning_end: str = "<end_reasoning>"
    solution_start: str = "<SOLUTION>"
    solution_end: str = "</SOLUTION>"
    reasoning_prefilled: bool = False

    @property
    def ordered(self) -> tuple[str, str, str, str]:
        """The tags in their required order."""
        return (self.reasoning_start, self.reasoning_end, self.solution_start, self.solution_end)

    def wrap(self, reasoning: str, solution: str) -> str:
        """A completion in exactly this format: the one place that writes it.

        >>> DEFAULT_TAGS.wrap("r", "s")
        '<start_reasoning>r<end_reasoning>\\n<SOLUTION>s</SOLUTION>'

        With :attr:`reasoning_prefilled` the opening tag is left out: the prompt holds it.
        """
        opening = "" if self.reasoning_prefilled else self.reasoning_start
        reasoning_block = f"{opening}{reasoning}{self.reasoning_end}"
        return f"{reasoning_block}\n{self.solution_start}{solution}{self.solution_end}"

    @model_validator(mode="after")
    def _tags_are_unambiguous(self) -> FormatTags:
        tags = self.ordered
        for name, tag in zip(TAG_NAMES, tags):
            if not tag or tag != tag.strip():
                raise ValueError(f"tag {name} must be non-empty with no surrounding whitespace, got {tag!r}")
        # Tags are counted with str.count: that is only exact when no tag can overlap another,
        # i.e. none contains another and no proper suffix of one is a prefix of another.
        for i, a in enumerate(tags):
            for j, b in enumerate(tags):
                if i == j:
                    continue
                if a in b:
                    raise ValueError(f"tag {TAG_NAMES[i]}={a!r} occurs inside {TAG_NAMES[j]}={b!r}")
                if any(a.endswith(b[:k]) for k in range(1, min(len(a), len(b)))):
                    raise ValueError(f"tags {a!r} and {b!r} can overlap; choose tags that cannot")
        return self


DEFAULT_TAGS = FormatTags()


@dataclass(frozen=True, slots=True)
class ParsedCompletion:
    """Where the tags of one completion are and what they enclose.

    ``counts`` and ``first`` follow :data:`TAG_NAMES` order (``first`` is ``-1`` for an absent tag).
    Positions are in the text as read: with a prefilled opening tag or a reasoning field, that text
    starts with the reasoning block the parser put back (see :func:`parse_completion`).
    ``solution`` is the stripped text of the single solution block, or ``None`` when there is not
    exactly one non-empty block after the reasoning: an answer hidden in the reasoning, or spread
    over several ``<SOLUTION>`` blocks, is not an answer.
    """

    counts: tuple[int, int, int, int]
    first: tuple[int, int, int, int]
    is_exact: bool
    reasoning: str | None
    solution: str | None


def _block(text: str, start: int, start_tag: str, end: int) -> str:
    return text[start + len(start_tag) : end].strip()


def reading_text(text: str, tags: FormatTags = DEFAULT_TAGS, reasoning: str | None = None) -> str:
    """The text that :func:`parse_completion` reads for a completion ``text``.

    With a ``reasoning`` field (non-blank), the field is the reasoning block and ``text`` (the
    message's ``content``) follows it; a ``content`` without either solution tag is the solution
    block itself, as the chat template separated it. Else, with ``tags.reasoning_prefilled``, the
    opening tag the prompt holds is put back in front.

    >>> reading_text("Asthma", reasoning="r")
    '<start_reasoning>r<end_reasoning>\\n<SOLUTION>Asthma</SOLUTION>'
    >>> reading_text("r<end_reasoning>", FormatTags(reasoning_prefilled=True))
    '<start_reasoning>r<end_reasoning>'
    """
    if reasoning is not None and reasoning.strip():
        block = f"{tags.reasoning_start}{reasoning}{tags.reasoning_end}\n"
        if tags.solution_start not in text and tags.solution_end not in text:
            return f"{block}{tags.solution_start}{text}{tags.solution_end}"
        return block + text
    if tags.reasoning_prefilled:
        return tags.reasoning_start + text
    return text


def parse_completion(
    text: str, tags: FormatTags = DEFAULT_TAGS, reasoning: str | None = None
) -> ParsedCompletion:
    """Parse ``text`` against ``tags`` in time linear in its length.

    ``reasoning`` is the completion's reasoning field, if it has one; it and a prefilled opening tag
    are read as :func:`reading_text` says.
    """
    if reasoning is not None or tags.reasoning_prefilled:
        text = reading_text(text, tags, reasoning)
    t0, t1, t2, t3 = tags.ordered
    # The usual completion has each tag once, in order. Searching each tag from the end of the one
    # before finds them in about one pass; when the text then holds no other character that starts
    # a tag, no tag can occur again (four distinct positions use up every such character), so the
    # counts are all 1 without four more passes to count them.
    p0 = text.find(t0)
    p1 = text.find(t1, p0 + len(t0)) if p0 >= 0 else -1
    p2 = text.find(t2, p1 + len(t1)) if p1 >= 0 else -1
    p3 = text.find(t3, p2 + len(t2)) if p2 >= 0 else -1
    if p3 >= 0 and sum(map(text.count, {t0[0], t1[0], t2[0], t3[0]})) == 4:
        counts = c0, c1, c2, c3 = (1, 1, 1, 1)
    else:
        counts = c0, c1, c2, c3 = (text.count(t0), text.count(t1), text.count(t2), text.count(t3))
        # The first occurrence of each tag. A tag that occurs once is found from the end when it
        # usually stands near the end (all but the reasoning start): the search stops early.
        p0 = text.find(t0) if c0 else -1
        p1 = text.rfind(t1) if c1 == 1 else text.find(t1) if c1 else -1
        p2 = text.rfind(t2) if c2 == 1 else text.find(t2) if c2 else -1
        p3 = text.rfind(t3) if c3 == 1 else text.find(t3) if c3 else -1
    first = (p0, p1, p2, p3)

    reasoning_block: str | None = None
    if c0 == 1 and c1 == 1 and p0 < p1:
        reasoning_block = _block(text, p0, t0, p1) or None

    solution: str | None = None
    # The solution block must come after the reasoning when the reasoning is closed at all.
    if c2 == 1 and c3 == 1 and p2 < p3 and (c1 == 0 or (c1 == 1 and p1 < p2)):
        solution = _block(text, p2, t2, p3) or None

    is_exact = (
        counts == (1, 1, 1, 1)
        and p0 < p1 < p2 < p3
        and reasoning_block is not None
        and solution is not None
        and (p0 == 0 or text[:p0].isspace())
        and text[p1 + len(t1) : p2].strip() == ""
        and text[p3 + len(t3) :].strip() == ""
    )
    return ParsedCompletion(
        counts=counts, first=first, is_exact=is_exact, reasoning=reasoning_block, solution=solution
    )
