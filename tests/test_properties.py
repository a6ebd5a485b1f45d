"""Properties every reward keeps on arbitrary input (hypothesis)."""

from __future__ import annotations

import pickle
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from medreward import (
    DEFAULT_TAGS,
    check_answer,
    clipped,
    combined,
    default_rewards,
    gated,
    match_format_exactly,
    parse_completion,
    scaled,
)

REWARDS = [
    *default_rewards(),
    combined(
        scaled(match_format_exactly, 0.5),
        clipped(gated(check_answer, match_format_exactly, 3.0), -1.0, 2.0),
        name="composed",
    ),
]
BOUNDS = {
    "match_format_exactly": (0.0, 3.0),
    "match_format_approximately": (-2.0, 2.0),
    "check_answer": (-1.0, 3.0),
    "composed": (-1.0, 3.5),
}

tags = st.sampled_from(DEFAULT_TAGS.ordered)
fragments = st.one_of(
    tags, st.text(max_size=30), st.sampled_from(["Asthma", "not", "hyper", "\n", " ", "\x00", "\ud800"])
)
texts = st.lists(fragments, max_size=12).map("".join)
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["role", "content", "type", "text"]), inner, max_size=4)
    ),
    max_leaves=8,
)
messages = st.lists(
    st.fixed_dictionaries(
        {
            "role": st.sampled_from(["assistant", "user", "tool"]),
            "content": st.one_of(
                texts,
                st.lists(st.fixed_dictionaries({"type": st.just("text"), "text": texts}), max_size=3),
                json_like,
            ),
        }
    ),
    max_size=3,
)
completions = st.one_of(texts, messages, json_like)
references = st.one_of(
    st.sampled_from(["Asthma", "Hyperkalemia", "Type 1 diabetes", "Graves disease"]), texts
)


@settings(max_examples=300, deadline=None)
@given(batch=st.lists(st.tuples(completions, references), max_size=8))
def test_never_raises_bounded_and_one_score_each(batch: list[tuple[Any, str]]) -> None:
    comps = [c for c, _ in batch]
    refs = [r if r.strip() else "x" for _, r in batch]
    for reward in REWARDS:
        scores = reward(prompts=[None] * len(comps), completions=comps, answer=refs)
        assert len(scores) == len(comps)
        low, high = BOUNDS[reward.__name__]
        assert all(s is not None and low <= s <= high for s in scores), (reward.__name__, scores)


@settings(max_examples=200, deadline=None)
@given(batch=st.lists(st.tuples(texts, references), min_size=1, max_size=6))
def test_deterministic_and_order_independent(batch: list[tuple[str, str]]) -> None:
    comps = [c for c, _ in batch]
    refs = [r for _, r in batch]
    for reward in REWARDS:
        forward = reward(completions=comps, answer=refs)
        assert reward(completions=comps, answer=refs) == forward
        backward = reward(completions=comps[::-1], answer=refs[::-1])
        assert backward == forward[::-1]
        alone = [reward(completions=[c], answer=[r])[0] for c, r in zip(comps, refs)]
        assert alone == forward


@settings(max_examples=100, deadline=None)
@given(batch=st.lists(st.tuples(texts, references), min_size=1, max_size=4))
def test_string_and_message_forms_agree_and_pickle(batch: list[tuple[str, str]]) -> None:
    comps = [c for c, _ in batch]
    refs = [r for _, r in batch]
    for reward in REWARDS:
        as_messages = [[{"role": "assistant", "content": c}] for c in comps]
        assert reward(completions=comps, answer=refs) == reward(completions=as_messages, answer=refs)
        clone = pickle.loads(pickle.dumps(reward))
        assert clone(completions=comps, answer=refs) == reward(completions=comps, answer=refs)


@given(
    reasoning=st.text(min_size=1).filter(
        lambda s: s.strip() and not any(t in s for t in DEFAULT_TAGS.ordered)
    ),
    solution=st.text(min_size=1).filter(
        lambda s: s.strip() and not any(t in s for t in DEFAULT_TAGS.ordered)
    ),
    before=st.sampled_from(["", " ", "\n\n"]),
    after=st.sampled_from(["", " ", "\n"]),
)
def test_any_well_formed_completion_is_exact(reasoning: str, solution: str, before: str, after: str) -> None:
    t = DEFAULT_TAGS
    text = f"{before}{t.reasoning_start}{reasoning}{t.reasoning_end}"
    text += f"{t.solution_start}{solution}{t.solution_end}{after}"
    parsed = parse_completion(text)
    assert parsed.is_exact
    assert parsed.solution == solution.strip()
