"""A supervised format warm start: teach a model the tags before GRPO.

A model that never writes ``<start_reasoning>`` ... ``<SOLUTION>`` earns the same reward on every
completion, so every GRPO advantage is zero and nothing is learned (``frac_reward_zero_std`` = 1).
Unsloth's GRPO notebooks therefore fine-tune such a model for a few steps on completions already in
the format. :func:`format_examples` builds those completions from data rows (reasoning: the start of
``Complex_CoT``; solution: the short answer) and :func:`supervised_format_warmup` trains on them,
with the loss on the completion tokens only:

>>> rows = [{"Question": "Cause of scurvy?", "Complex_CoT": "Bleeding gums. Vitamin C is low.",
...          "Ground-True Answer": "Vitamin C deficiency"}]
>>> example = format_examples(rows, reasoning_chars=20)[0]
>>> print(format_completion(example))
<start_reasoning>
Bleeding gums.
<end_reasoning>
<SOLUTION>
Vitamin C deficiency
</SOLUTION>
>>> losses = supervised_format_warmup(model, tokenizer, [example], epochs=4)  # doctest: +SKIP
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from medreward.format import DEFAULT_TAGS, FormatTags
from medreward.medical.questions import split_sentences
from medreward.prompts import SYSTEM_PROMPT

__all__ = [
    "FormatExample",
    "format_completion",
    "format_examples",
    "leading_text",
    "supervised_format_warmup",
]

_QUESTION_COLUMNS = ("Question", "question", "Open-ended Verifiable Question")
_REASONING_COLUMNS = ("Complex_CoT", "reasoning", "Response")
_SOLUTION_COLUMNS = ("Ground-True Answer", "answer", "solution")


@dataclass(frozen=True)
class FormatExample:
    """One question and the completion, in the format, that the warm start teaches."""

    question: str
    reasoning: str
    solution: str


def leading_text(text: str, max_chars: int) -> str:
    """The whole sentences at the start of ``text`` that fit in ``max_chars`` (at least one, cut).

    >>> leading_text("One. Two two. Three.", 14)
    'One. Two two.'
    >>> leading_text("A very long first sentence.", 6)
    'A very'
    """
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text
    kept = ""
    for sentence in split_sentences(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > max_chars:
            break
        kept = candidate
    if kept:
        return kept
    head = text[: max_chars + 1]
    return head.rsplit(" ", 1)[0] if " " in head.strip() else text[:max_chars]


def _first(row: Mapping[str, Any], columns: Sequence[str]) -> str | None:
    for column in columns:
        value = row.get(column)
        if isinstance(value, str) and value.strip():
            return value
    return None


def format_examples(rows: Iterable[Mapping[str, Any]], *, reasoning_chars: int = 400) -> list[FormatExample]:
    """Warm-start examples from data rows; rows without a question are skipped.

    The question comes from ``Question`` (or ``question``, ``Open-ended Verifiable Question``), the
    reasoning from the leading sentences of ``Complex_CoT`` (else ``reasoning``, else ``Response``)
    within ``reasoning_chars``, and the solution from ``Ground-True Answer`` (else ``answer``,
    ``solution``, else the first sentence of ``Response``). Short reasoning keeps the closing tags
    within a GRPO completion length of 256 tokens.
    """
    examples = []
    for row in rows:
        question = _first(row, _QUESTION_COLUMNS)
        reasoning = _first(row, _REASONING_COLUMNS)
        solution = _first(row, _SOLUTION_COLUMNS)
        if solution is None and isinstance(row.get("Response"), str):
            solution = leading_text(row["Response"], 200)
        if question is None or reasoning is None or solution is None:
            continue
        examples.append(
            FormatExample(question, leading_text(reasoning, reasoning_chars), " ".join(solution.split()))
        )
    return examples


def format_completion(example: FormatExample, tags: FormatTags = DEFAULT_TAGS) -> str:
    """The completion text of ``example`` in the format the rewards score."""
    return (
        f"{tags.reasoning_start}\n{example.reasoning}\n{tags.reasoning_end}\n"
        f"{tags.solution_start}\n{example.solution}\n{tags.solution_end}"
    )


def _token_ids(
    tokenizer: Any, example: FormatExample, system_prompt: str, tags: FormatTags
) -> tuple[list[int], int]:
    """The prompt + completion + EOS token ids, and where the completion starts."""
    messages = [{"role": "system", "content": system_prompt}, {"role": "user", "content": example.question}]
    prompt = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    prompt_ids = list(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    completion = format_completion(example, tags) + (tokenizer.eos_token or "")
    completion_ids = list(tokenizer(completion, add_special_tokens=False)["input_ids"])
    return prompt_ids + completion_ids, len(prompt_ids)


def supervised_format_warmup(
    model: Any,
    tokenizer: Any,
    examples: Sequence[FormatExample],
    *,
    epochs: int = 4,
    max_steps: int | None = None,
    batch_size: int = 8,
    learning_rate: float = 5e-5,
    system_prompt: str = SYSTEM_PROMPT,
    tags: FormatTags = DEFAULT_TAGS,
    autocast_dtype: Any = None,
    max_length: int = 1024,
    seed: int = 0,
    on_step: Callable[[int, int, float], None] | None = None,
) -> list[float]:
    """Fine-tune ``model`` in place on ``examples`` in the format; return the loss of every step.

    Each example is the chat-templated prompt (system prompt + question) followed by
    :func:`format_completion` and the EOS token; the loss covers the completion and EOS only. It
    runs ``epochs`` passes in shuffled batches (``random.Random(seed)``), or exactly ``max_steps``
    optimizer steps when given (cycling over the examples). Only parameters that require a gradient
    train (LoRA weights of a PEFT model, or every weight). ``autocast_dtype`` (``torch.bfloat16`` on
    a GPU) computes in that precision while the weights stay as they are. ``on_step(step, total,
    loss)`` is called after every step (progress reports).
    """
    import torch

    if not examples:
        raise ValueError("the format warm start needs at least one example")
    if batch_size < 1 or epochs < 0 or (max_steps is not None and max_steps < 0):
        raise ValueError(f"batch_size >= 1, epochs >= 0, max_steps >= 0 expected: {batch_size}, {epochs}")
    encoded = [_token_ids(tokenizer, e, system_prompt, tags) for e in examples]
    encoded = [(ids[:max_length], start) for ids, start in encoded if start < min(len(ids), max_length)]
    batches_per_epoch = math.ceil(len(encoded) / batch_size)
    total = max_steps if max_steps is not None else epochs * batches_per_epoch
    rng = random.Random(seed)
    order: list[int] = []
    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=learning_rate, weight_decay=0.0)
    was_training = model.training
    model.train()
    losses: list[float] = []
    for _ in range(total):
        if len(order) < batch_size:  # a new shuffled pass; a short remainder ends the previous one
            chunk = list(range(len(encoded)))
            rng.shuffle(chunk)
            order = order + chunk if order else chunk
        batch, order = order[:batch_size], order[batch_size:]
        width = max(len(encoded[i][0]) for i in batch)
        input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        for row, i in enumerate(batch):
            ids, start = encoded[i]
            input_ids[row, : len(ids)] = torch.tensor(ids)
            labels[row, start : len(ids)] = torch.tensor(ids[start:])
            attention[row, : len(ids)] = 1
        with torch.autocast(
            device_type=device.type, dtype=autocast_dtype or torch.float32, enabled=autocast_dtype is not None
        ):
            output = model(
                input_ids=input_ids.to(device), attention_mask=attention.to(device), labels=labels.to(device)
            )
        output.loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(float(output.loss.detach()))
        if on_step is not None:
            on_step(len(losses), total, losses[-1])
    model.train(was_training)
    return losses
