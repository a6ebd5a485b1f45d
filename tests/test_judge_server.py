"""AnswerJudge against a real OpenAI-compatible server: ``transformers serve``, started on 127.0.0.1.

The server is the real thing (FastAPI and uvicorn, chat template, ``model.generate``, the OpenAI
response schema); only its models are small. Each is a one-layer Llama built offline whose weights
make it say one word whatever it is asked (``CORRECT``, ``INCORRECT``, ``PARTIAL`` or ``maybe``), so
that every branch of the judge is reached through real HTTP and real generation, deterministically
and in milliseconds. (SmolLM2-135M-Instruct, the project's real small model, takes over a minute to
dequantize here and does not follow the one-word instruction: it replies "Malformation".)

The server loads a model on demand from the local path named in the request, and logs each request
with that path, so the tests count what reached the server. Every test asks under a model name of
its own (a symlink to one of the models), which keeps the counts apart.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("transformers")
from transformers.utils.import_utils import is_serve_available

if not is_serve_available():
    pytest.skip(
        "transformers serve needs fastapi, uvicorn and openai: pip install -e '.[dev,train]'",
        allow_module_level=True,
    )

from medreward import DEFAULT_TAGS, AnswerJudge, JudgeConfig, check_answer
from tests.conftest import as_message, tiny_grpo_config

PARTIAL = DEFAULT_TAGS.wrap("The head is small.", "Abnormally small head")  # check_answer: partial, 1.25
EXACT = DEFAULT_TAGS.wrap("r", "Microcephaly")  # 3.0, never judged
WRONG = DEFAULT_TAGS.wrap("r", "Hydrocephalus")  # mismatch, -0.5, never judged
UNTAGGED = "Microcephaly"  # no solution: -1.0, never judged
REFERENCE = "Microcephaly"
VERDICTS = ("CORRECT", "INCORRECT", "PARTIAL", "maybe")
STARTUP_DEADLINE = 120.0
_ALIAS_NUMBERS = itertools.count()

CHATML_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\n' }}{%- endif -%}"
)


def build_one_word_model(output: Path, word: str) -> Path:
    """A tiny Llama and its word-level tokenizer that generate ``word`` after any prompt.

    Every weight is zero but the MLP's output bias and the final norm, so the last hidden state is
    the same vector at every position, and only ``word``'s row of the output layer sees it: its
    logit is 160, every other one 0, so greedy decoding and sampling at temperature 1 alike emit it.
    """
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    words = ["<unk>", "<pad>", "<|im_start|>", "<|im_end|>", *VERDICTS, word]
    vocab = {w: i for i, w in enumerate(dict.fromkeys(words))}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="<unk>",
        pad_token="<pad>",
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
    )
    fast.chat_template = CHATML_TEMPLATE
    config = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=4096,
        mlp_bias=True,
        tie_word_embeddings=False,
        pad_token_id=fast.pad_token_id,
        bos_token_id=fast.bos_token_id,
        eos_token_id=fast.eos_token_id,
    )
    model = LlamaForCausalLM(config)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.zero_()
        model.model.norm.weight.fill_(1.0)
        model.model.layers[0].mlp.down_proj.bias.fill_(1.0)
        model.lm_head.weight[vocab[word]].fill_(10.0)
    output.mkdir(parents=True)
    model.save_pretrained(output)
    fast.save_pretrained(output)
    return output


@dataclass
class Server:
    """A running ``transformers serve``: its API root, its log and the models it can load."""

    url: str
    log: Path
    models: dict[str, Path]  # by the word the model replies
    policy: Path  # a model that writes the PARTIAL completion, for the GRPO test
    aliases: Path

    def model(self, word: str) -> str:
        """A model name of its own (a symlink) for the model that replies ``word``."""
        alias = self.aliases / f"{word}-{next(_ALIAS_NUMBERS)}"
        alias.symlink_to(self.models[word], target_is_directory=True)
        return str(alias)

    def requests(self, model: str) -> int:
        """Chat requests for ``model`` that reached the server.

        The server logs ``[Request received] Model: <name>, CB: ...`` for each, once the model is
        loaded and before it generates, so a request is logged before its reply is sent.
        """
        return self.log.read_text(errors="replace").count(f"[Request received] Model: {model},")

    def judge(self, word: str, **config: Any) -> AnswerJudge:
        settings: dict[str, Any] = {"base_url": self.url, "model": self.model(word), "timeout": 30.0}
        return AnswerJudge(JudgeConfig(**{**settings, **config}))


def _wait_ready(process: subprocess.Popen[bytes], log: Path) -> str:
    """The server's root URL once it answers ``/health``: it binds port 0 and logs the port it got."""
    deadline = time.monotonic() + STARTUP_DEADLINE
    root = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"transformers serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        if root is None:
            found = re.search(
                r"Uvicorn running on (http://127\.0\.0\.1:\d+)", log.read_text(errors="replace")
            )
            root = found.group(1) if found else None
        if root is not None:
            try:
                with urllib.request.urlopen(f"{root}/health", timeout=1) as response:
                    if response.status == 200:
                        return root
            except OSError:
                pass
        time.sleep(0.1)
    pytest.fail(f"transformers serve not ready after {STARTUP_DEADLINE:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("judge-server")
    log = root / "server.log"
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_DISABLE_UPDATE_CHECK": "1",
        "PYTHONUNBUFFERED": "1",
        "OMP_NUM_THREADS": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    command = [sys.executable, "-m", "transformers.cli.transformers", "serve"]
    command += ["--host", "127.0.0.1", "--port", "0", "--device", "cpu", "--log-level", "warning"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        # The server starts (about 10 s on two cores) while this process builds the models.
        models = {word: build_one_word_model(root / word, word) for word in VERDICTS}
        policy = build_one_word_model(root / "policy", PARTIAL)
        (root / "aliases").mkdir()
        url = _wait_ready(process, log)
        yield Server(f"{url}/v1", log, models, policy, root / "aliases")
    finally:
        # A graceful stop unloads every model with a garbage collection each (seconds): a short grace.
        process.terminate()
        try:
            process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(
    judge: AnswerJudge, questions: list[str], completions: list[Any], **kwargs: Any
) -> list[float | None]:
    """Call the judge as TRL does: conversational prompts, completions and the dataset's columns."""
    prompts = [[{"role": "user", "content": q}] for q in questions]
    answers = kwargs.pop("answer", [REFERENCE] * len(completions))
    return asyncio.run(judge(prompts=prompts, completions=completions, answer=answers, **kwargs))


def test_verdicts_of_a_live_server_set_the_scores(server: Server) -> None:
    questions = ["Which diagnosis?", "Name it.", "And this one?", "What else?", "Anything?"]
    completions = [PARTIAL, EXACT, WRONG, UNTAGGED, PARTIAL]
    expected = {"CORRECT": 3.0, "INCORRECT": -0.5, "PARTIAL": 1.25}
    for word, score in expected.items():
        judge = server.judge(word)
        extras: dict[str, list[Any]] = {}
        scores = run(judge, questions, completions, log_extra=extras.__setitem__)
        assert scores == [score, 3.0, -0.5, -1.0, score], word
        assert all(isinstance(s, float) for s in scores)
        # Only the two partial verdicts went to the server; the others kept check_answer's score.
        assert server.requests(judge.config.model) == 2, word
        assert extras["judged_answer/judge"] == [word, None, None, None, word]


def test_message_list_completions_and_plain_prompts(server: Server) -> None:
    judge = server.judge("CORRECT")
    completions = [as_message(PARTIAL), as_message(EXACT), as_message(PARTIAL)]
    assert run(judge, ["q1", "q2", "q3"], completions) == [3.0, 3.0, 3.0]
    assert server.requests(judge.config.model) == 2
    # Standard (non-conversational) prompts: the question is the prompt text itself.
    scores = asyncio.run(judge(prompts=["q4"], completions=[PARTIAL], answer=[REFERENCE]))
    assert scores == [3.0]
    assert server.requests(judge.config.model) == 3


def test_repeats_are_asked_once_then_cached(server: Server) -> None:
    judge = server.judge("INCORRECT")
    metrics: dict[str, float] = {}
    assert run(judge, ["q"] * 4, [PARTIAL] * 4, log_metric=metrics.__setitem__) == [-0.5] * 4
    assert server.requests(judge.config.model) == 1  # four generations of one prompt: one request
    assert metrics == {
        "judged_answer/judged_rate": 1.0,
        "judged_answer/failure_rate": 0.0,
        "judged_answer/cache_hit_rate": 0.0,
    }
    assert run(judge, ["q", "other q"], [PARTIAL, PARTIAL], log_metric=metrics.__setitem__) == [-0.5] * 2
    assert server.requests(judge.config.model) == 2  # only the new question
    assert metrics["judged_answer/cache_hit_rate"] == 0.5


def test_unparseable_reply_falls_back_and_is_not_cached(server: Server) -> None:
    judge = server.judge("maybe", retries=2)
    extras: dict[str, list[Any]] = {}
    metrics: dict[str, float] = {}
    scores = run(
        judge, ["q", "q2"], [PARTIAL, EXACT], log_extra=extras.__setitem__, log_metric=metrics.__setitem__
    )
    assert scores == [1.25, 3.0]  # check_answer's own scores
    assert extras["judged_answer/judge"] == ["failed", None]
    assert metrics["judged_answer/failure_rate"] == 1.0 and metrics["judged_answer/judged_rate"] == 0.5
    assert server.requests(judge.config.model) == 1  # a reply, even a useless one, is not retried
    assert run(judge, ["q"], [PARTIAL]) == [1.25]
    assert server.requests(judge.config.model) == 2  # a failure is asked again next time


def test_timeout_falls_back_quickly(server: Server) -> None:
    model = server.model("CORRECT")
    slow = AnswerJudge(JudgeConfig(base_url=server.url, model=model, timeout=0.001, retries=1, backoff=0))
    metrics: dict[str, float] = {}
    start = time.perf_counter()
    assert run(slow, ["q"], [PARTIAL], log_metric=metrics.__setitem__) == [1.25]
    assert time.perf_counter() - start < 2.0
    assert metrics["judged_answer/failure_rate"] == 1.0
    # The same question with time to answer: the server says CORRECT.
    patient = AnswerJudge(JudgeConfig(base_url=server.url, model=model, timeout=30))
    assert run(patient, ["q"], [PARTIAL]) == [3.0]


def test_a_model_the_server_cannot_load_falls_back(server: Server) -> None:
    judge = AnswerJudge(JudgeConfig(base_url=server.url, model=str(server.aliases / "absent"), retries=0))
    extras: dict[str, list[Any]] = {}
    assert run(judge, ["q"], [PARTIAL], log_extra=extras.__setitem__) == [1.25]
    assert extras["judged_answer/judge"] == ["failed"]


class CountingJudge(AnswerJudge):
    """Counts the requests in flight (``_post`` runs once per HTTP request, in a worker thread)."""

    def __init__(self, config: JudgeConfig) -> None:
        super().__init__(config)
        self.in_flight = 0
        self.max_in_flight = 0
        self.count_lock = threading.Lock()

    def _post(self, body: bytes) -> Any:
        with self.count_lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return super()._post(body)
        finally:
            with self.count_lock:
                self.in_flight -= 1


@pytest.mark.parametrize("limit", [1, 3])
def test_concurrency_limit(server: Server, limit: int) -> None:
    model = server.model("PARTIAL")
    judge = CountingJudge(JudgeConfig(base_url=server.url, model=model, max_concurrency=limit))
    questions = [f"q{i}" for i in range(9)]
    assert run(judge, questions, [PARTIAL] * 9) == [1.25] * 9
    assert server.requests(model) == 9
    # The server answers one request at a time, so the others wait: the limit is reached, not passed.
    assert judge.max_in_flight == limit


def test_grpo_trainer_asks_the_live_server(server: Server, tmp_path: Path) -> None:
    """A real GRPOTrainer step whose policy always writes PARTIAL: TRL awaits the judge over HTTP."""
    pytest.importorskip("trl")
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOTrainer

    judge = server.judge("CORRECT")
    questions = ["A newborn has a small head. Diagnosis?", "Small head at birth: what is it?"]
    dataset = Dataset.from_dict(
        {"prompt": [[{"role": "user", "content": q}] for q in questions], "answer": [REFERENCE] * 2}
    )
    # the policy's one token is the whole PARTIAL completion
    args = tiny_grpo_config(tmp_path, max_completion_length=1)
    trainer = GRPOTrainer(
        model=AutoModelForCausalLM.from_pretrained(server.policy),
        processing_class=AutoTokenizer.from_pretrained(server.policy),
        reward_funcs=[check_answer, judge],
        args=args,
        train_dataset=dataset,
    )
    trainer.train()
    (log,) = [entry for entry in trainer.state.log_history if "loss" in entry]
    assert log["rewards/check_answer/mean"] == 1.25
    assert log["rewards/judged_answer/mean"] == 3.0  # the server's CORRECT replaced every partial
    assert log["judged_answer/judged_rate"] == 1.0
    assert log["judged_answer/failure_rate"] == 0.0
    assert server.requests(judge.config.model) == 2  # two prompts, two generations each: asked twice
