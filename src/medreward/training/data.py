"""Training data: questions as conversational prompts, references as the ``answer`` column.

:func:`load_training_dataset` accepts the data sets of :data:`~medreward.training.recipe.DATASETS`
by name (loaded with ``datasets.load_dataset``), a local ``.jsonl`` file, or ``"samples"`` (the
package's own questions, offline). Every row becomes::

    {"prompt": [{"role": "system", ...}, {"role": "user", "content": question}], "answer": reference}

and prompts longer than ``max_prompt_tokens`` under the tokenizer's chat template are dropped here,
since TRL >= 0.28 no longer truncates prompts itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medreward.samples import load_samples
from medreward.training.recipe import DATASETS
from medreward.training.warmup import FormatExample, format_examples

__all__ = ["build_prompt", "load_format_examples", "load_training_dataset"]

# Column names tried, in order, for local files.
_QUESTION_COLUMNS = ("Question", "question", "Open-ended Verifiable Question", "prompt")
_ANSWER_COLUMNS = ("answer", "Response", "Ground-True Answer")


def build_prompt(question: str, system_prompt: str) -> list[dict[str, str]]:
    """The conversational prompt for one question."""
    return [{"role": "system", "content": system_prompt}, {"role": "user", "content": question}]


def _pick(columns: list[str], candidates: tuple[str, ...], what: str, source: str) -> str:
    for name in candidates:
        if name in columns:
            return name
    raise ValueError(f"{source} has no {what} column: expected one of {list(candidates)}, found {columns}")


def _raw_dataset(source: str) -> tuple[Any, str, str]:
    from datasets import Dataset, load_dataset

    if source == "samples":
        rows = load_samples()
        data = Dataset.from_list(
            [{"Question": r["Question"], "Response": r["Response"], "answer": r["answer"]} for r in rows]
        )
        return data, "Question", "answer"
    if source in DATASETS:
        spec = DATASETS[source]
        data = load_dataset(spec["path"], spec["name"], split=spec["split"])
        return data, str(spec["question"]), str(spec["answer"])
    path = Path(source)
    if path.suffix not in (".jsonl", ".json") or not path.is_file():
        raise ValueError(
            f"--dataset must be one of {[*DATASETS, 'samples']} or an existing .jsonl file, got {source!r}"
        )
    data = load_dataset("json", data_files=str(path), split="train")
    columns = list(data.column_names)
    question = _pick(columns, _QUESTION_COLUMNS, "question", source)
    answer = _pick(columns, _ANSWER_COLUMNS, "reference answer", source)
    return data, question, answer


def load_training_dataset(
    source: str, tokenizer: Any, system_prompt: str, max_prompt_tokens: int, *, num_proc: int | None = None
) -> Any:
    """A ``datasets.Dataset`` with ``prompt`` and ``answer``, prompts within ``max_prompt_tokens``."""
    data, question, answer = _raw_dataset(source)

    def to_row(row: dict[str, Any]) -> dict[str, Any]:
        prompt = build_prompt(row[question], system_prompt)
        ids = tokenizer.apply_chat_template(prompt, tokenize=True, add_generation_prompt=True)
        if isinstance(ids, dict) or hasattr(ids, "keys"):  # transformers 5 may return a BatchEncoding
            ids = ids["input_ids"]
        return {"prompt": prompt, "answer": row[answer], "prompt_tokens": len(ids)}

    mapped = data.map(to_row, remove_columns=list(data.column_names), num_proc=num_proc)
    kept = mapped.filter(lambda row: row["prompt_tokens"] <= max_prompt_tokens, num_proc=num_proc)
    if len(kept) == 0:
        raise ValueError(f"no prompt of {source!r} fits in {max_prompt_tokens} tokens")
    return kept.remove_columns("prompt_tokens")


def load_format_examples(
    source: str, limit: int | None = None, *, reasoning_chars: int = 400
) -> list[FormatExample]:
    """Format warm-start examples (:func:`~medreward.training.warmup.format_examples`) from the first
    ``limit`` rows of ``source`` (the names and files :func:`load_training_dataset` accepts)."""
    data, _, _ = _raw_dataset(source)
    if limit is not None:
        data = data.select(range(min(limit, len(data))))
    examples = format_examples(data, reasoning_chars=reasoning_chars)
    if not examples:
        raise ValueError(f"{source!r} has no row with a question, a reasoning and a solution column")
    return examples
