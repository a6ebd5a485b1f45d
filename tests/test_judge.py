"""AnswerJudge against a stub HTTP server on 127.0.0.1 that implements /v1/chat/completions.

The stub answers from a marker in the question, so it produces on demand what a real server does
only when something goes wrong (HTTP 500, 503 then 200, 400, 404, a slow reply) and replies in the
forms the verdict parser must read (``**CORRECT**``, ``Partial.``). tests/test_judge_server.py runs
the judge against a real ``transformers serve``.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from medreward import (
    DEFAULT_TAGS,
    AnswerJudge,
    CheckAnswer,
    CheckAnswerConfig,
    JudgeConfig,
    check_answer,
    combined,
    to_trl,
)

PARTIAL = DEFAULT_TAGS.wrap("The head is small.", "Abnormally small head")  # check_answer: partial, 1.25
EXACT = DEFAULT_TAGS.wrap("r", "Microcephaly")
REFERENCE = "Microcephaly"


class JudgeServer:
    """Replies by the marker in the question; records every request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.attempts: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                question = body["messages"][1]["content"].split("\n")[0]
                with server.lock:
                    server.requests.append(
                        {"path": self.path, "body": body, "auth": self.headers["Authorization"]}
                    )
                    server.attempts[question] = server.attempts.get(question, 0) + 1
                    attempt = server.attempts[question]
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                self.counted = True
                try:
                    self.reply(question, attempt)
                finally:
                    self.release()

            def release(self) -> None:
                # The request leaves the count before its response is written: a client that has
                # read the response may send its next request before this thread runs again, and
                # would otherwise be counted as a fourth in flight.
                if getattr(self, "counted", False):
                    self.counted = False
                    with server.lock:
                        server.in_flight -= 1

            def reply(self, question: str, attempt: int) -> None:
                if self.path != "/v1/chat/completions":
                    self.send(404, {"error": "not found"})
                elif "fail" in question:
                    self.send(500, {"error": "down"})
                elif "flaky" in question and attempt == 1:
                    self.send(503, {"error": "busy"})
                elif "badrequest" in question:
                    self.send(400, {"error": "bad"})
                elif "slow" in question:
                    time.sleep(1.0)
                    self.send(200, _reply("CORRECT"))
                elif "concurrent" in question:
                    time.sleep(0.05)
                    self.send(200, _reply("CORRECT"))
                elif "garbage" in question:
                    self.send(200, _reply("Well, it depends"))
                elif "partial" in question:
                    self.send(200, _reply("Partial."))
                elif "incorrect" in question:
                    self.send(200, _reply("INCORRECT"))
                else:
                    self.send(200, _reply("**CORRECT**"))

            def send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.release()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _reply(content: str) -> dict[str, Any]:
    return {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}


@pytest.fixture
def server() -> Iterator[JudgeServer]:
    s = JudgeServer()
    yield s
    s.close()


def judge_for(server: JudgeServer, **config: Any) -> AnswerJudge:
    settings: dict[str, Any] = {"base_url": server.url, "model": "judge", "timeout": 2.0, "backoff": 0.01}
    return AnswerJudge(JudgeConfig(**{**settings, **config}))


def run(
    judge: AnswerJudge, questions: list[str], completions: list[str], **kwargs: Any
) -> list[float | None]:
    prompts = [[{"role": "user", "content": q}] for q in questions]
    answers = kwargs.pop("answer", [REFERENCE] * len(completions))
    return asyncio.run(judge(prompts=prompts, completions=completions, answer=answers, **kwargs))


def test_only_uncertain_verdicts_are_judged(server: JudgeServer) -> None:
    judge = judge_for(server, api_key="sk-test")
    scores = run(
        judge, ["q correct", "q incorrect", "q partial", "q exact"], [PARTIAL, PARTIAL, PARTIAL, EXACT]
    )
    assert scores == [3.0, -0.5, 1.25, 3.0]
    assert len(server.requests) == 3  # the exact answer never reaches the judge
    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "judge" and body["temperature"] == 0
    assert "Reference answer: Microcephaly\nAnswer: Abnormally small head" in body["messages"][1]["content"]


def test_rows_without_reference_and_missing_answers_are_not_judged(server: JudgeServer) -> None:
    judge = judge_for(server)
    assert run(judge, ["q", "q"], [PARTIAL, "no tags"], answer=[None, REFERENCE]) == [None, -1.0]
    assert server.requests == []


def test_cache_and_batch_deduplication(server: JudgeServer) -> None:
    judge = judge_for(server)
    metrics: dict[str, float] = {}
    assert run(judge, ["q correct"] * 4, [PARTIAL] * 4) == [3.0] * 4
    assert len(server.requests) == 1  # four generations, one question: asked once
    assert run(judge, ["q correct"], [PARTIAL], log_metric=metrics.__setitem__) == [3.0]
    assert len(server.requests) == 1  # cached across calls
    assert metrics["judged_answer/cache_hit_rate"] == 1.0


def test_cache_size_bounds_the_cache(server: JudgeServer) -> None:
    judge = judge_for(server, cache_size=1)
    run(judge, ["q correct 1", "q correct 2"], [PARTIAL, PARTIAL])
    run(judge, ["q correct 1", "q correct 2"], [PARTIAL, PARTIAL])
    assert len(server.requests) == 3  # one of the two stayed cached
    uncached = judge_for(server, cache_size=0)
    run(uncached, ["q correct 1"], [PARTIAL])
    run(uncached, ["q correct 1"], [PARTIAL])
    assert len(server.requests) == 5


def test_retries_then_succeeds(server: JudgeServer) -> None:
    assert run(judge_for(server, retries=1), ["q flaky"], [PARTIAL]) == [3.0]
    assert server.attempts["Question: q flaky"] == 2


def test_failures_fall_back_to_check_answer(server: JudgeServer) -> None:
    extras: dict[str, list[Any]] = {}
    metrics: dict[str, float] = {}
    judge = judge_for(server, retries=2)
    scores = run(
        judge,
        ["q fail", "q badrequest", "q garbage"],
        [PARTIAL] * 3,
        log_extra=extras.__setitem__,
        log_metric=metrics.__setitem__,
    )
    assert scores == [1.25, 1.25, 1.25]
    assert server.attempts["Question: q fail"] == 3  # 500: retried twice
    assert server.attempts["Question: q badrequest"] == 1  # 400: not retried
    assert extras["judged_answer/judge"] == ["failed"] * 3
    assert metrics["judged_answer/failure_rate"] == 1.0
    assert metrics["judged_answer/judged_rate"] == 1.0
    # Failures are not cached: the next call asks again.
    run(judge, ["q fail"], [PARTIAL])
    assert server.attempts["Question: q fail"] == 6


def test_timeout(server: JudgeServer) -> None:
    start = time.perf_counter()
    assert run(judge_for(server, timeout=0.2, retries=0), ["q slow"], [PARTIAL]) == [1.25]
    assert time.perf_counter() - start < 0.9


def test_unreachable_endpoint(server: JudgeServer) -> None:
    judge = AnswerJudge(JudgeConfig(base_url="http://127.0.0.1:9/v1", model="m", retries=1, backoff=0.0))
    assert run(judge, ["q"], [PARTIAL]) == [1.25]
    wrong_path = judge_for(server, base_url=server.url.removesuffix("/v1"))
    assert run(wrong_path, ["q correct"], [PARTIAL]) == [1.25]  # 404: not retried


def test_concurrency_limit(server: JudgeServer) -> None:
    questions = [f"q concurrent {i}" for i in range(12)]
    # A generous timeout: a request the client gave up on (a loaded machine) would free its slot
    # while the server still works on it, and the server would count one more in flight.
    assert run(judge_for(server, max_concurrency=3, timeout=30.0), questions, [PARTIAL] * 12) == [3.0] * 12
    assert len(server.requests) == 12
    assert 1 <= server.max_in_flight <= 3


def test_scores_follow_the_check_answer_table(server: JudgeServer) -> None:
    check = CheckAnswer(CheckAnswerConfig(answer_column="ref"))
    table = check.config.scores.model_copy(update={"equivalent": 2.5, "mismatch": -0.75})
    check = CheckAnswer(CheckAnswerConfig(answer_column="ref", scores=table))
    judge = AnswerJudge(JudgeConfig(base_url=server.url, model="judge"), check, name="judge")
    prompts = [[{"role": "user", "content": q}] for q in ("q correct", "q incorrect")]
    scores = asyncio.run(judge(prompts=prompts, completions=[PARTIAL] * 2, ref=[REFERENCE] * 2))
    assert scores == [2.5, -0.75]
    assert judge.__name__ == "judge"


def test_judge_is_picklable_and_async_for_trl(server: JudgeServer) -> None:
    trl_utils = pytest.importorskip("trl.trainer.utils")
    judge = judge_for(server)
    assert trl_utils.is_async_callable(judge)
    assert trl_utils.get_callable_name(judge) == "judged_answer"
    clone = pickle.loads(pickle.dumps(judge))
    assert run(clone, ["q correct"], [PARTIAL]) == [3.0]
    assert to_trl([check_answer, judge]).reward_funcs == [check_answer, judge]


def test_composition_refuses_async_clearly(server: JudgeServer) -> None:
    with pytest.raises(TypeError, match="judged_answer is async"):
        combined(judge_for(server), check_answer)(completions=[PARTIAL], answer=[REFERENCE])


@pytest.mark.parametrize(
    "bad",
    [{"timeout": 0}, {"max_concurrency": 0}, {"retries": -1}, {"uncertain": ()}, {"uncertain": ("maybe",)}],
)
def test_config_validation(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"validation errors? for JudgeConfig"):
        JudgeConfig(base_url="http://127.0.0.1:1/v1", model="m", **bad)


def test_grpo_trainer_awaits_the_judge(server: JudgeServer, tmp_path: Path) -> None:
    pytest.importorskip("trl")
    from medreward.training.tiny import build_tiny_gemma
    from tests.test_trl_ecosystem import _train

    model = build_tiny_gemma(tmp_path / "tiny")
    judge = judge_for(server)
    _, step_logs = _train(model, tmp_path / "out", [check_answer, judge])
    assert len(step_logs) == 2
    # A random model writes no solution: nothing is uncertain, the judge is never asked.
    assert all(e["rewards/judged_answer/mean"] == -1.0 for e in step_logs)
    assert all(e["judged_answer/judged_rate"] == 0.0 for e in step_logs)
    assert server.requests == []
