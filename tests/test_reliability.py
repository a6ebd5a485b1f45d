"""Reliability: malformed and pathological completions, programmer errors, concurrency.

A reward that crashes or hangs ruins a training run hours in. Every reward here, composed ones
included, must give a defined score for anything TRL can hand it, return in bounded time on
megabyte inputs, raise clear errors for programmer mistakes, and give identical results under
threads, process pools and repeated calls. Timings are measured in
``benchmarks/pathological_inputs.py``; these tests only assert behaviour (with a generous hang
limit). Slow variants run with ``MEDREWARD_SLOW=1`` (see ``tests/conftest.py``).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import pickle
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from medreward import (
    DEFAULT_TAGS,
    AnswerMatcher,
    AnswerScores,
    ApproximateFormatConfig,
    ExactFormatConfig,
    FormatTags,
    FunctionReward,
    Reward,
    RewardBatch,
    RewardResult,
    as_reward,
    check_answer,
    clipped,
    combined,
    default_rewards,
    gated,
    match_format_approximately,
    match_format_exactly,
    scaled,
)
from medreward.samples import load_samples
from medreward.tools.gauntlet import pathological_inputs
from tests.conftest import as_message, formatted

T = DEFAULT_TAGS
SAMPLES = load_samples()
SHORT_REFERENCE = SAMPLES[0]["answer"]
LONG_REFERENCE = SAMPLES[0]["Response"]
MB = 1_000_000


def solution_length(completions: Sequence[Any], **kwargs: Any) -> list[float]:
    """A plain TRL reward function (module level, so picklable): composes like any reward."""
    return [min(1.0, len(c) / 1000) if isinstance(c, str) else 0.0 for c in completions]


REWARDS: list[Reward] = [
    *default_rewards(),
    combined(*default_rewards(), name="total"),
    combined(
        scaled(match_format_exactly, 0.5),
        clipped(gated(check_answer, match_format_exactly, 3.0), -1.0, 2.0),
        name="composed",
    ),
    gated(check_answer, match_format_approximately, threshold=2.0, otherwise=-1.0, name="gated"),
    combined(check_answer, solution_length, weights=[1.0, 0.1], name="with_function"),
]
BOUNDS = {
    "match_format_exactly": (0.0, 3.0),
    "match_format_approximately": (-2.0, 2.0),
    "check_answer": (-1.0, 3.0),
    "total": (-3.0, 8.0),
    "composed": (-1.0, 3.5),
    "gated": (-1.0, 3.0),
    "with_function": (-1.0, 3.1),
}
# The rewards that call check_answer's matcher.
JUDGES_ANSWERS = {"check_answer", "total", "composed", "gated", "with_function"}
reward_ids: Callable[[Reward], str] = lambda r: r.__name__  # noqa: E731


def assert_defined(reward: Reward, scores: Sequence[float | None], n: int) -> None:
    """One finite score per completion, inside the reward's range."""
    assert len(scores) == n
    low, high = BOUNDS[reward.__name__]
    for s in scores:
        assert isinstance(s, float) and math.isfinite(s) and low <= s <= high, (reward.__name__, scores)


# --------------------------------------------------------------------------------------------------
# Malformed completions: a defined score, never an exception.
# --------------------------------------------------------------------------------------------------


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text here")


def _self_containing_list() -> list[Any]:
    loop: list[Any] = []
    loop.append(loop)
    return loop


def _self_containing_content() -> list[Any]:
    parts: list[Any] = [{"type": "text", "text": "x"}]
    parts.append(parts)
    return [{"role": "assistant", "content": parts}]


# Completions with no usable model text: each must score exactly as the empty completion does.
NO_TEXT: dict[str, Any] = {
    "none": None,
    "int": 42,
    "float_nan": float("nan"),
    "bytes": formatted(solution="Graves disease").encode(),
    "object": Unprintable(),
    "empty_list": [],
    "list_of_none": [None],
    "empty_message": [{}],
    "message_without_content": [{"role": "assistant"}],
    "content_none": [{"role": "assistant", "content": None}],
    "content_int": [{"role": "assistant", "content": 7}],
    "content_bytes": [{"role": "assistant", "content": b"<SOLUTION>x</SOLUTION>"}],
    "content_dict": [{"role": "assistant", "content": {"type": "text", "text": "x"}}],
    "image_parts_only": [{"role": "assistant", "content": [{"type": "image", "image": None}]}],
    "text_part_without_text": [{"role": "assistant", "content": [{"type": "text"}]}],
    "text_part_text_none": [{"role": "assistant", "content": [{"type": "text", "text": None}]}],
    "text_part_text_list": [{"role": "assistant", "content": [{"type": "text", "text": ["x"]}]}],
    "only_user_turn": [{"role": "user", "content": formatted(solution="Graves disease")}],
    "only_tool_turn": [{"role": "tool", "content": formatted(solution="Graves disease")}],
    "role_not_a_string": [{"role": 5, "content": "x"}],
    "list_of_strings_not_messages": ["not", "messages"],
    "self_containing_list": _self_containing_list(),
    "nested_lists": [[[[{"role": "assistant", "content": "x"}]]]],
}

# Completions with text in odd places or odd characters: a defined score, same as the string form.
ODD_TEXT: dict[str, Any] = {
    "empty_string": "",
    "whitespace": " \n\t\r ",
    "control_characters": formatted("\x00\x01\x1b[31mred\x1b[0m\x7f", "Graves\x00 disease\x0b"),
    "nul_inside_tag": "<start_\x00reasoning>r<end_reasoning><SOLUTION>Graves disease</SOLUTION>",
    "lone_high_surrogate": formatted("r\ud800", "Graves disease\ud800"),
    "lone_low_surrogate": formatted("\udfff", "\udc00Graves disease"),
    "surrogate_pair_as_code_points": formatted("r", "\ud83d\ude00 Graves disease"),
    "surrogate_only_solution": formatted("r", "\ud800\udbff\udc00"),
    "unicode_line_separators": formatted("r\u2028\u2029\x85", "Graves\u2028disease"),
    "zero_width_and_bidi": formatted("\u200b\u200e\u202e", "\ufeffGraves\u200b disease\u202c"),
    "fullwidth_tags": "\uff1cSOLUTION\uff1eGraves disease\uff1c/SOLUTION\uff1e",
    "combining_marks": formatted("r", "G\u0301\u0301\u0301raves disease" + "\u0300" * 500),
    "non_bmp": formatted("\U0001f9e0", "\U00010000 Graves disease \U0010ffff"),
    "parts_split_inside_tags": [
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "<start_reas"},
                {"type": "image"},
                {"type": "text", "text": "oning>r<end_reasoning><SOLU"},
                "TION>Graves disease</SOLUTION>",
                None,
            ],
        }
    ],
    "mixed_roles": [
        {"role": "user", "content": "<SOLUTION>user</SOLUTION>"},
        {"role": "assistant", "content": formatted(solution="Graves disease")},
        {"role": "tool", "content": None},
    ],
    "single_message_dict": {"role": "assistant", "content": formatted(solution="Graves disease")},
    "self_containing_content": _self_containing_content(),
}


@pytest.mark.parametrize("reward", REWARDS, ids=reward_ids)
@pytest.mark.parametrize("completion", list(NO_TEXT.values()), ids=list(NO_TEXT))
def test_completion_without_text_scores_as_empty(reward: Reward, completion: Any) -> None:
    for answer in (SHORT_REFERENCE, LONG_REFERENCE):
        scores = reward(prompts=[None], completions=[completion], answer=[answer])
        assert_defined(reward, scores, 1)
        if reward.__name__ != "with_function":  # the plain function sees the raw object
            assert scores == reward(prompts=[None], completions=[""], answer=[answer])


@pytest.mark.parametrize("reward", REWARDS, ids=reward_ids)
@pytest.mark.parametrize("completion", list(ODD_TEXT.values()), ids=list(ODD_TEXT))
def test_odd_text_has_a_defined_score(reward: Reward, completion: Any) -> None:
    for answer in (SHORT_REFERENCE, LONG_REFERENCE):
        assert_defined(reward, reward(completions=[completion], answer=[answer]), 1)


def test_text_parts_split_inside_tags_join_up() -> None:
    assert match_format_exactly(completions=[ODD_TEXT["parts_split_inside_tags"]]) == [3.0]
    assert check_answer(completions=[ODD_TEXT["parts_split_inside_tags"]], answer=[SHORT_REFERENCE]) == [3.0]


@pytest.mark.parametrize("reward", REWARDS, ids=reward_ids)
def test_mixed_batch_scores_each_completion_as_alone(reward: Reward) -> None:
    batch = [
        *NO_TEXT.values(),
        *ODD_TEXT.values(),
        formatted(solution="Graves disease"),
        as_message(formatted(solution="Graves disease")),
        "Graves disease",
    ]
    answers = [SHORT_REFERENCE] * len(batch)
    scores = reward(prompts=[None] * len(batch), completions=batch, answer=answers)
    assert_defined(reward, scores, len(batch))
    alone = [reward(prompts=[None], completions=[c], answer=[a])[0] for c, a in zip(batch, answers)]
    assert scores == alone


@pytest.mark.parametrize("reward", REWARDS, ids=reward_ids)
@pytest.mark.parametrize(
    "answer",
    ["Graves\x00 disease", "Graves disease\ud800", "Graves disease " + "\x1b[0m" * 100, "5", 7, 2.5, "N/A"],
    ids=repr,
)
def test_odd_references_have_a_defined_score(reward: Reward, answer: Any) -> None:
    completions = [formatted(solution="Graves disease"), formatted(solution="\ud800"), None]
    assert_defined(reward, reward(completions=completions, answer=[answer] * 3), 3)


# References that are not blank but have no content terms once normalized (only stop words,
# punctuation or invisible characters): compared on their folded text alone.
TERMLESS_REFERENCES = ["The", "?", "-", "\u200b", "\udc00", "the most likely diagnosis"]


@pytest.mark.parametrize("reward", REWARDS, ids=reward_ids)
@pytest.mark.parametrize("answer", TERMLESS_REFERENCES, ids=repr)
def test_termless_references_have_a_defined_score(reward: Reward, answer: str) -> None:
    completions = [formatted(solution="Graves disease"), formatted(solution="the"), None]
    assert_defined(reward, reward(completions=completions, answer=[answer] * 3), 3)


def test_absent_references_score_none_and_compose() -> None:
    completions = [formatted(solution="Graves disease")] * 3
    assert check_answer(completions=completions, answer=[None, "", " \n"]) == [None, None, None]
    total = combined(*default_rewards(), name="total")
    assert total(completions=completions, answer=[None, "", SHORT_REFERENCE]) == [5.0, 5.0, 8.0]


# --------------------------------------------------------------------------------------------------
# Programmer errors: clear errors naming the problem.
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: check_answer(completions=["a", "b"], answer=["x"]),
            ValueError,
            r"column 'answer' has 1 values but there are 2 completions",
        ),
        (lambda: check_answer(completions=["a"]), ValueError, r"needs the dataset column 'answer'"),
        (
            lambda: check_answer(completions=["a"], Answer=["x"]),
            ValueError,
            r"needs the dataset column 'answer', but the call has only \['Answer'\]",
        ),
        (lambda: check_answer(completions=["a"], answer="x"), ValueError, r"column 'answer' must be a list"),
        (lambda: check_answer(completions=["a"], answer=None), ValueError, r"column 'answer' must be a list"),
        (
            lambda: check_answer(completions=["a"], answer=[["x"]]),
            TypeError,
            r"reference answers must be strings",
        ),
        (
            lambda: match_format_exactly(prompts=["q"], completions=["a", "b"]),
            ValueError,
            r"prompts has 1 values but there are 2 completions",
        ),
        (
            lambda: match_format_exactly(completions="<SOLUTION>x</SOLUTION>"),
            TypeError,
            r"completions must be a list .* single string",
        ),
        (
            lambda: combined(match_format_exactly, check_answer)(completions=["a", "b"], answer=["x"]),
            ValueError,
            r"column 'answer' has 1 values but there are 2 completions",
        ),
    ],
    ids=[
        "short_column",
        "missing_column",
        "misspelled_column",
        "column_is_a_string",
        "column_is_none",
        "reference_is_a_list",
        "short_prompts",
        "completions_is_a_string",
        "short_column_in_composition",
    ],
)
def test_call_errors_name_the_problem(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call()


def returns_a_number(completions: Sequence[Any], **kwargs: Any) -> float:
    return 1.0


def returns_too_few(completions: Sequence[Any], **kwargs: Any) -> list[float]:
    return [1.0]


def returns_text(completions: Sequence[Any], **kwargs: Any) -> list[str]:
    return ["high"] * len(completions)


class ShortReward(Reward):
    def evaluate(self, batch: RewardBatch) -> RewardResult:
        return RewardResult([0.0])


@pytest.mark.parametrize(
    ("reward", "error", "message"),
    [
        (as_reward(returns_a_number), TypeError, r"returns_a_number must return one score per completion"),
        (
            combined(check_answer, returns_too_few),
            RuntimeError,
            r"returns_too_few returned 1 scores for 2 completions",
        ),
        (as_reward(returns_text), TypeError, r"returns_text returned a score that is not a number.*'high'"),
        (
            gated(ShortReward("short"), match_format_exactly, 3.0),
            RuntimeError,
            r"short returned 1 scores for 2 completions",
        ),
        (
            clipped(scaled(ShortReward("short"), 2.0), 0.0, 1.0),
            RuntimeError,
            r"short returned 1 scores for 2 completions",
        ),
    ],
    ids=["scalar", "too_few_in_combined", "text_scores", "short_in_gated", "short_in_nested"],
)
def test_broken_components_are_named(reward: Reward, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        reward(completions=["a", "b"], answer=["x", "x"])


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: FormatTags(solution_start=""), ValidationError, r"tag solution_start must be non-empty"),
        (lambda: FormatTags(reasoning_end=" <x>"), ValidationError, r"no surrounding whitespace"),
        (lambda: FormatTags(solution_start="<S>", solution_end="<S>>"), ValidationError, r"occurs inside"),
        (lambda: FormatTags(solution_start="<a", solution_end="a>"), ValidationError, r"can overlap"),
        (lambda: FormatTags(solution_tag="<x>"), ValidationError, r"solution_tag"),
        (lambda: ExactFormatConfig(match="high"), ValidationError, r"match"),
        (lambda: ExactFormatConfig(exact=1.0), ValidationError, r"exact"),
        (
            lambda: ApproximateFormatConfig(present=-1.0),
            ValidationError,
            r"present >= misordered >= min\(missing, repeated\)",
        ),
        (lambda: AnswerScores(exact=1.0), ValidationError, r"exact >= equivalent >= partial_max"),
        (lambda: AnswerScores(missing=0.0), ValidationError, r"missing \(0.0\) must not exceed mismatch"),
        (lambda: AnswerMatcher(min_similarity=2.0), ValidationError, r"min_similarity"),
        (lambda: combined(), ValueError, r"combined\(\) needs at least one reward"),
        (
            lambda: combined(check_answer, check_answer),
            ValueError,
            r"distinct names.*\['check_answer', 'check_answer'\]",
        ),
        (lambda: combined(check_answer, weights=[1.0, 2.0]), ValueError, r"got 2 weights for 1 rewards"),
        (lambda: combined(check_answer, weights=[math.nan]), ValueError, r"a weight must be a finite number"),
        (lambda: gated(check_answer, check_answer, math.inf), ValueError, r"threshold must be a finite"),
        (lambda: scaled(check_answer, True), ValueError, r"factor must be a finite number, got True"),
        (lambda: clipped(check_answer, 2.0, 1.0), ValueError, r"low <= high, got low=2.0, high=1.0"),
        (lambda: as_reward("check_answer"), TypeError, r"expected a reward \(a callable\), got str"),
        (lambda: FunctionReward(solution_length, name="has space"), ValueError, r"reward name"),
    ],
    ids=[
        "empty_tag",
        "tag_with_whitespace",
        "tag_inside_tag",
        "overlapping_tags",
        "unknown_tag_field",
        "score_not_a_number",
        "unknown_score_field",
        "approximate_not_monotone",
        "answer_scores_not_ordered",
        "missing_above_mismatch",
        "matcher_out_of_range",
        "combined_empty",
        "combined_duplicate_names",
        "combined_weight_count",
        "combined_nan_weight",
        "gated_infinite_threshold",
        "scaled_bool_factor",
        "clipped_inverted",
        "as_reward_not_callable",
        "bad_name",
    ],
)
def test_invalid_configs_name_the_problem(
    build: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        build()


def test_configs_are_frozen() -> None:
    with pytest.raises(ValidationError, match="frozen"):
        match_format_exactly.config.match = 10.0  # type: ignore[misc]


# --------------------------------------------------------------------------------------------------
# Pathological inputs: bounded time, no regex backtracking blow-up. Each input is scored in a forked
# child with a generous limit, so that a blow-up fails its test instead of hanging the suite.
# --------------------------------------------------------------------------------------------------

# Far above any linear cost (about 1 s per MB for check_answer today), far below a blow-up.
HANG_LIMIT_S = 10.0
# The default rewards and their sum: a composition costs the sum of its parts, so the other
# compositions add no pathological case of their own.
PATHOLOGICAL_REWARDS: list[Reward] = REWARDS[:4]


# Inputs on which the current matcher exceeds the hang limit. strict: the test fails once fixed.
BACKTRACKING = ("whitespace_run_in_solution", "whitespace_run_in_reference")
BOUNDED = [name for name in pathological_inputs(1) if name not in BACKTRACKING]


def _score_in_child(connection: Any, completion: Any, answer: str) -> None:
    connection.send([reward(completions=[completion], answer=[answer]) for reward in PATHOLOGICAL_REWARDS])


def scores_within_limit(
    completion: Any, answer: str, limit: float = HANG_LIMIT_S
) -> list[list[float | None]]:
    """Every reward's scores, computed in a forked child killed after ``limit`` seconds."""
    check_answer(completions=[formatted()], answer=["warm"])  # lexicon loaded before the fork
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_score_in_child, args=(sender, completion, answer), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(limit):
            pytest.fail(f"the rewards did not return within {limit} s")
        result: list[list[float | None]] = receiver.recv()
        return result
    finally:
        child.kill()
        child.join()


pytestmark_fork = pytest.mark.skipif(sys.platform != "linux", reason="uses fork to bound a hang")


@pytestmark_fork
@pytest.mark.parametrize("name", BOUNDED, ids=str)
def test_pathological_input_has_defined_scores(name: str) -> None:
    completion, answer = pathological_inputs(MB)[name]
    for reward, scores in zip(PATHOLOGICAL_REWARDS, scores_within_limit(completion, answer)):
        assert_defined(reward, scores, 1)


@pytestmark_fork
@pytest.mark.parametrize(
    "name",
    BACKTRACKING,
)
def test_whitespace_runs_return_in_bounded_time(name: str) -> None:
    completion, answer = pathological_inputs(100_000)[name]
    # 100 kB of whitespace: milliseconds when linear; the quadratic clause regex took about 200 s.
    for reward, scores in zip(PATHOLOGICAL_REWARDS, scores_within_limit(completion, answer, limit=2.0)):
        assert_defined(reward, scores, 1)


@pytest.mark.slow
@pytestmark_fork
@pytest.mark.parametrize("name", BOUNDED, ids=str)
def test_pathological_input_at_8_mb(name: str) -> None:
    completion, answer = pathological_inputs(8 * MB)[name]
    for reward, scores in zip(PATHOLOGICAL_REWARDS, scores_within_limit(completion, answer, limit=120.0)):
        assert_defined(reward, scores, 1)


def test_parse_does_not_copy_the_text_per_tag() -> None:
    # 400k tags in 5 MB: the parser counts and finds, it does not split into 400k pieces.
    import tracemalloc

    completion = pathological_inputs(1)["tags_100k_each"][0]
    batch = RewardBatch(completions=[completion])
    tracemalloc.start()
    try:
        match_format_approximately.evaluate(batch)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024, peak


# --------------------------------------------------------------------------------------------------
# Concurrency: identical results under threads, process pools and repeated calls.
# --------------------------------------------------------------------------------------------------


def gauntlet_batch() -> tuple[list[Any], list[str]]:
    """A varied batch: honest and wrong answers, malformed completions, short and long references."""
    completions: list[Any] = []
    answers: list[str] = []
    for row in SAMPLES:
        for reference in (row["answer"], row["Response"]):
            for solution in (row["answer"], *row["distractors"], f"not {row['answer']}"):
                completions.append(formatted(row["Response"][:200], solution))
                answers.append(reference)
            completions.extend([as_message(row["answer"]), None])
            answers.extend([reference, reference])
    return completions, answers


def _call(reward: Reward, completions: list[Any], answers: list[str]) -> list[float | None]:
    return reward(prompts=[None] * len(completions), completions=completions, answer=answers)


@pytest.mark.parametrize("reward", REWARDS, ids=reward_ids)
def test_threads_repeated_calls_and_pickles_agree(reward: Reward) -> None:
    completions, answers = gauntlet_batch()
    expected = _call(reward, completions, answers)
    assert all(_call(reward, completions, answers) == expected for _ in range(5))
    clone = pickle.loads(pickle.dumps(reward))
    assert _call(clone, completions, answers) == expected
    with ThreadPoolExecutor(max_workers=16) as pool:
        # Whole batches and single rows at once, on the one shared reward object.
        batches = [pool.submit(_call, reward, completions, answers) for _ in range(32)]
        rows = [pool.submit(_call, reward, [c], [a]) for c, a in zip(completions, answers)]
        assert all(f.result() == expected for f in batches)
        assert [f.result()[0] for f in rows] == expected


def test_process_pool_with_pickled_rewards_agrees() -> None:
    completions, answers = gauntlet_batch()
    expected = [_call(reward, completions, answers) for reward in REWARDS]
    # spawn: every reward crosses the process boundary pickled, as under a multiprocess trainer.
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(_call, REWARDS, [completions] * len(REWARDS), [answers] * len(REWARDS)))
    assert results == expected


_FIRST_CALL_SCRIPT = textwrap.dedent(
    """
    import json, sys, threading, time
    import medreward.medical.lexicon as lexicon
    from medreward import check_answer, combined, default_rewards

    assert lexicon._LEXICON is None, "imported medreward loaded the lexicon"
    real_read, reads = lexicon._read_artifact, []

    def slow_read():
        reads.append(1)
        time.sleep(0.2)  # widen the window in which every thread finds no lexicon yet
        return real_read()

    lexicon._read_artifact = slow_read
    completions, answers = json.loads(sys.stdin.read())
    total = combined(*default_rewards(), name="total")
    n = 24
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        barrier.wait()
        reward = check_answer if i % 2 else total
        results[i] = (i % 2, reward(completions=completions, answer=answers))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    serial = [
        check_answer(completions=completions, answer=answers),
        total(completions=completions, answer=answers),
    ]
    print(json.dumps({"reads": len(reads), "results": results, "serial": serial}))
    """
)


def test_first_call_from_many_threads_in_a_fresh_interpreter() -> None:
    import json

    completions, answers = gauntlet_batch()
    completions = [c if isinstance(c, str) else "" for c in completions]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent.parent / "src"), *sys.path]),
    }
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_CALL_SCRIPT],
        input=json.dumps([completions, answers]),
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["reads"] == 1
    check_serial, total_serial = report["serial"]
    for odd, scores in report["results"]:
        assert scores == (check_serial if odd else total_serial)


# --------------------------------------------------------------------------------------------------
# Fuzzing (hypothesis): arbitrary TRL-shaped structures and tag soups never raise and stay in range.
# --------------------------------------------------------------------------------------------------

odd_chars = st.sampled_from(
    ["\x00", "\x1b", "\ud800", "\udfff", "\u200b", "\u2028", "\ufeff", "\U0010ffff", "`"]
)
fragments = st.one_of(
    st.sampled_from(T.ordered),
    st.text(max_size=20),
    odd_chars,
    st.sampled_from(["Graves disease", "not", " or ", "hyper", "```", "\n", "  ", "1.5", ","]),
)
texts = st.lists(fragments, max_size=16).map("".join)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | texts | st.binary(max_size=8)
structures = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["role", "content", "type", "text", "image"]), inner, max_size=4)
    ),
    max_leaves=12,
)
messages = st.lists(
    st.fixed_dictionaries(
        {"role": st.sampled_from(["assistant", "model", "user", "tool", "system"]), "content": structures}
    ),
    max_size=4,
)
completions_strategy = st.one_of(texts, messages, structures)
references = st.one_of(
    st.sampled_from([row["answer"] for row in SAMPLES] + [row["Response"] for row in SAMPLES]),
    texts.filter(str.strip),
)


def _check_fuzzed_batch(batch: list[tuple[Any, str]]) -> None:
    completions = [c for c, _ in batch]
    answers = [r for _, r in batch]
    for reward in REWARDS:
        scores = reward(prompts=[None] * len(batch), completions=completions, answer=answers)
        low, high = BOUNDS[reward.__name__]
        assert len(scores) == len(batch)
        assert all(s is None or (math.isfinite(s) and low <= s <= high) for s in scores), (reward, scores)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(st.tuples(completions_strategy, references), max_size=6))
def test_fuzzed_completions_never_raise(batch: list[tuple[Any, str]]) -> None:
    _check_fuzzed_batch(batch)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(st.tuples(completions_strategy, references), max_size=12))
def test_fuzzed_completions_never_raise_slow(batch: list[tuple[Any, str]]) -> None:
    _check_fuzzed_batch(batch)


# Long tag soups: many repeated tags, unclosed blocks and separators, thousands of fragments.
tag_soups = st.lists(
    st.one_of(st.sampled_from(T.ordered), st.sampled_from(["x", " ", "\n", "Graves", ",", "or", "\ud800"])),
    min_size=100,
    max_size=400,
).flatmap(lambda parts: st.integers(1, 50).map(lambda k: "".join(parts) * k))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=tag_soups, reference=references)
def test_tag_soups_never_raise(text: str, reference: str) -> None:
    _check_fuzzed_batch([(text, reference), (as_message(text), reference)])


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=tag_soups, reference=references)
def test_tag_soups_never_raise_slow(text: str, reference: str) -> None:
    _check_fuzzed_batch([(text, reference), (as_message(text), reference)])


def test_shared_reward_under_concurrent_fuzz_batches() -> None:
    # Distinct batches on one reward object from many threads: no batch sees another's memo.
    total = REWARDS[3]
    batches = [gauntlet_batch()]
    batches.extend(
        ([formatted(solution=s) for s in (row["answer"], *row["distractors"])], [row["answer"]] * 3)
        for row in SAMPLES
    )
    expected = [_call(total, c, a) for c, a in batches]
    barrier = threading.Barrier(len(batches) * 4)

    def run(index: int) -> list[float | None]:
        barrier.wait()
        completions, answers = batches[index % len(batches)]
        return _call(total, completions, answers)

    with ThreadPoolExecutor(max_workers=len(batches) * 4) as pool:
        results = list(pool.map(run, range(len(batches) * 4)))
    assert results == [expected[i % len(batches)] for i in range(len(results))]
