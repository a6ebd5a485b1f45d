"""An LLM judge for the answers :func:`~medreward.check_answer` is unsure of.

:class:`AnswerJudge` is an async TRL reward function (TRL runs async rewards concurrently with the
others). It scores every completion with a :class:`~medreward.CheckAnswer` first, and only where
that verdict is uncertain (``partial`` by default) asks an OpenAI-compatible chat endpoint
(``POST {base_url}/chat/completions``: vLLM, ``transformers serve``, SGLang, llama.cpp, Ollama,
TGI, OpenAI) whether the answer means the same as the reference:

======================= ================================================================
judge replies           score
======================= ================================================================
``CORRECT``             ``scores.equivalent`` of the :class:`~medreward.CheckAnswer`
``INCORRECT``           ``scores.mismatch``
``PARTIAL``             check_answer's own partial score
anything else, or no    check_answer's own score: a judge that fails never costs a
reply (error, timeout)  training step, it only leaves the lexical verdict in place
======================= ================================================================

Requests run at most ``max_concurrency`` at a time, each bounded by ``timeout`` seconds and retried
``retries`` times (with exponential backoff) on connection errors, timeouts, HTTP 429 and 5xx.
Replies are cached per (question, reference, answer) across calls (least recently used first
out), and a batch asks each distinct triple once: GRPO's generations of one prompt often agree.
It uses only the standard library (``urllib`` in worker threads).

>>> import asyncio
>>> from medreward import DEFAULT_TAGS
>>> judge = AnswerJudge(JudgeConfig(base_url="http://127.0.0.1:9/v1", model="m", retries=0, timeout=1))
>>> completion = DEFAULT_TAGS.wrap("The head is small.", "Abnormally small head")
>>> asyncio.run(judge(completions=[completion], answer=["Microcephaly"]))  # no server: check_answer
[1.25]
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from medreward.answer import CheckAnswer, check_answer
from medreward.medical.matching import Verdict
from medreward.reward import RewardBatch, Score

__all__ = ["JUDGE_SYSTEM_PROMPT", "AnswerJudge", "JudgeConfig"]

JudgeVerdict = Literal["CORRECT", "PARTIAL", "INCORRECT"]
_JUDGE_VERDICTS: tuple[JudgeVerdict, ...] = ("CORRECT", "PARTIAL", "INCORRECT")

#: The judge's instructions: one word back, so that a small model and ``max_tokens=8`` suffice.
JUDGE_SYSTEM_PROMPT = (
    "You grade a student's answer to a medical question against the reference answer. "
    "Reply with exactly one word: CORRECT if the answer means the same as the reference, "
    "PARTIAL if it is related but less specific or incomplete, INCORRECT otherwise."
)


class JudgeConfig(BaseModel):
    """Where the judge is and how it is asked."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = Field(description="the OpenAI-compatible API root, e.g. http://127.0.0.1:8000/v1")
    model: str = Field(description="the model name the endpoint serves")
    api_key: SecretStr | None = Field(None, description="sent as a Bearer token when given")
    timeout: float = Field(10.0, gt=0, description="seconds per request")
    max_concurrency: int = Field(8, ge=1, description="requests in flight at most")
    retries: int = Field(2, ge=0, description="further attempts after a failed request")
    backoff: float = Field(0.5, ge=0, description="seconds before the first retry, doubled for each next one")
    cache_size: int = Field(10_000, ge=0, description="judged (question, reference, answer) triples kept")
    uncertain: tuple[Verdict, ...] = Field(
        ("partial",), min_length=1, description="check_answer verdicts that are sent to the judge"
    )
    max_tokens: int = Field(8, ge=1, description="tokens the judge may reply with")


class _RetryableError(Exception):
    pass


class AnswerJudge:
    """An async TRL reward: ``check``'s score, with uncertain verdicts settled by an LLM judge."""

    def __init__(
        self, config: JudgeConfig, check: CheckAnswer = check_answer, *, name: str = "judged_answer"
    ):
        if not name or any(c.isspace() for c in name):
            raise ValueError(f"a reward name must be a non-empty string without spaces, got {name!r}")
        self.__name__ = name
        self.config = config
        self.check = check
        self._cache: OrderedDict[tuple[str, str, str], JudgeVerdict] = OrderedDict()
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = OrderedDict()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<AnswerJudge {self.__name__} {self.config.model}@{self.config.base_url}>"

    async def __call__(
        self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] | None = None, **kwargs: Any
    ) -> list[Score]:
        """Score completions as TRL does; awaits the judge for uncertain verdicts only."""
        batch = RewardBatch(prompts, completions, **kwargs)
        matches = self.check.judge(batch)
        scores: list[Score] = [None if m is None else self.check.score(m) for m in matches]
        parsed = batch.parsed(self.check.config.tags)
        questions = batch.prompt_texts()
        references = batch.column(self.check.config.answer_column)
        keys: dict[int, tuple[str, str, str]] = {}
        for i, match in enumerate(matches):
            solution = parsed[i].solution
            if match is not None and match.verdict in self.config.uncertain and solution is not None:
                keys[i] = (questions[i] or "", str(references[i]), solution)
        verdicts, failures, hits = await self._verdicts(set(keys.values()))
        table = self.check.config.scores
        extras: list[str | None] = [None] * len(scores)
        for i, key in keys.items():
            verdict = verdicts.get(key)
            extras[i] = verdict or "failed"
            if verdict == "CORRECT":
                scores[i] = table.equivalent
            elif verdict == "INCORRECT":
                scores[i] = table.mismatch
        self._log(kwargs, extras, len(scores), len(keys), len(set(keys.values())), failures, hits)
        return scores

    def _log(
        self,
        kwargs: dict[str, Any],
        extras: list[str | None],
        n: int,
        judged: int,
        asked: int,
        failures: int,
        hits: int,
    ) -> None:
        log_extra, log_metric = kwargs.get("log_extra"), kwargs.get("log_metric")
        if callable(log_extra):
            log_extra(f"{self.__name__}/judge", extras)
        if callable(log_metric) and n:
            log_metric(f"{self.__name__}/judged_rate", judged / n)
            if asked:
                log_metric(f"{self.__name__}/failure_rate", failures / asked)
                log_metric(f"{self.__name__}/cache_hit_rate", hits / asked)

    async def _verdicts(
        self, keys: set[tuple[str, str, str]]
    ) -> tuple[dict[tuple[str, str, str], JudgeVerdict], int, int]:
        found: dict[tuple[str, str, str], JudgeVerdict] = {}
        missing: list[tuple[str, str, str]] = []
        with self._lock:
            for key in keys:
                cached = self._cache.get(key)
                if cached is None:
                    missing.append(key)
                else:
                    self._cache.move_to_end(key)
                    found[key] = cached
        hits = len(found)
        import asyncio  # here, not at module level: `import medreward` stays light

        semaphore = asyncio.Semaphore(self.config.max_concurrency)

        async def ask(key: tuple[str, str, str]) -> JudgeVerdict | None:
            async with semaphore:
                return await self._ask(*key)

        replies = await asyncio.gather(*(ask(key) for key in missing))
        failures = 0
        with self._lock:
            for key, verdict in zip(missing, replies):
                if verdict is None:
                    failures += 1
                    continue
                found[key] = verdict
                if self.config.cache_size:
                    self._cache[key] = verdict
                    while len(self._cache) > self.config.cache_size:
                        self._cache.popitem(last=False)
        return found, failures, hits

    async def _ask(self, question: str, reference: str, answer: str) -> JudgeVerdict | None:
        """The judge's verdict on one answer, or ``None`` when it fails or replies something else."""
        body = json.dumps(
            {
                "model": self.config.model,
                "messages": [
                    {"role": "system", "content": JUDGE_SYSTEM_PROMPT},
                    {
                        "role": "user",
                        "content": f"Question: {question}\nReference answer: {reference}\nAnswer: {answer}",
                    },
                ],
                "temperature": 0,
                "max_tokens": self.config.max_tokens,
            }
        ).encode("utf-8")
        import asyncio

        for attempt in range(self.config.retries + 1):
            if attempt:
                await asyncio.sleep(self.config.backoff * 2 ** (attempt - 1))
            try:
                reply = await asyncio.to_thread(self._post, body)
            except _RetryableError:
                continue
            except Exception:  # a 4xx other than 429, a malformed reply: asking again will not help
                return None
            return _parse_verdict(reply)
        return None

    def _post(self, body: bytes) -> Any:
        import urllib.error
        import urllib.request

        url = self.config.base_url.rstrip("/") + "/chat/completions"
        headers = {"Content-Type": "application/json"}
        if self.config.api_key is not None:
            headers["Authorization"] = f"Bearer {self.config.api_key.get_secret_value()}"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            if error.code == 429 or error.code >= 500:
                raise _RetryableError(str(error)) from None
            raise
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise _RetryableError(str(error)) from None


def _parse_verdict(reply: Any) -> JudgeVerdict | None:
    try:
        content = reply["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(content, str):
        return None
    words = content.strip().split()
    if not words:
        return None
    word = words[0].strip(".,:;!*\"'`").upper()
    for verdict in _JUDGE_VERDICTS:
        if word == verdict:
            return verdict
    return None
