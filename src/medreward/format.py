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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

__all__ = ["DEFAULT_TAGS", "FormatTags", "ParsedCompletion", "parse_completion"]

TagName = Literal["reasoning_start", "reasoning_end", "solution_start", "solution_end"]
TAG_NAMES: tuple[TagName, ...] = ("reasoning_start", "reasoning_end", "solution_start", "solution_end")


class FormatTags(BaseModel):
    """The four tags of the response format, in the order they must appear.

    >>> FormatTags(reasoning_start="<think>", reasoning_end="</think>",
    ...            solution_start="<answer>", solution_end="</answer>").ordered
    ('<think>', '</think>', '<answer>', '</answer>')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    reasoning_start: str = "<start_reasoning>"
    reasoning_end: str = "<end_reasoning>"
    solution_start: str = "<SOLUTION>"
    solution_end: str = "</SOLUTION>"

    @property
    def ordered(self) -> tuple[str, str, str, str]:
        """The tags in their required order."""
        return (self.reasoning_start, self.reasoning_end, self.solution_start, self.solution_end)

    def wrap(self, reasoning: str, solution: str) -> str:
        """A completion in exactly this format: the one place that writes it.

        >>> DEFAULT_TAGS.wrap("r", "s")
        '<start_reasoning>r<end_reasoning>\\n<SOLUTION>s</SOLUTION>'
        """
        reasoning_block = f"{self.reasoning_start}{reasoning}{self.reasoning_end}"
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


def parse_completion(text: str, tags: FormatTags = DEFAULT_TAGS) -> ParsedCompletion:
    """Parse ``text`` against ``tags`` in time linear in its length."""
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

    reasoning: str | None = None
    if c0 == 1 and c1 == 1 and p0 < p1:
        reasoning = _block(text, p0, t0, p1) or None

    solution: str | None = None
    # The solution block must come after the reasoning when the reasoning is closed at all.
    if c2 == 1 and c3 == 1 and p2 < p3 and (c1 == 0 or (c1 == 1 and p1 < p2)):
        solution = _block(text, p2, t2, p3) or None

    is_exact = (
        counts == (1, 1, 1, 1)
        and p0 < p1 < p2 < p3
        and reasoning is not None
        and solution is not None
        and (p0 == 0 or text[:p0].isspace())
        and text[p1 + len(t1) : p2].strip() == ""
        and text[p3 + len(t3) :].strip() == ""
    )
    return ParsedCompletion(
        counts=counts, first=first, is_exact=is_exact, reasoning=reasoning, solution=solution
    )
