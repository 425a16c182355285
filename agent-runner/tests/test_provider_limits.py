"""Each provider's limits and failures as the real APIs answer them, reproduced by the fake-LLM
stand-in for the paid Anthropic / OpenAI APIs and for an Ollama server, through a worker inside
the test process against a real Temporal dev server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from agent_runner.chat_models import NO_KEY_PLACEHOLDER
from agent_runner.contracts import CONFIGURATION_ERROR, OUTPUT_LIMIT_ERROR, AgentExecutionInput, ModelSettings
from fake_llm import FakeLlmServer
from support.in_process import execute, failure_of, fake_llm_env, running_worker
from support.temporal_dev import TemporalDevServer
from support.workflows import activity_steps

pytestmark = pytest.mark.temporal

T = TypeVar("T")


def _with_worker(
    temporal: TemporalDevServer, server: FakeLlmServer, task_queue: str, root: Path, body: Callable[[Client], Awaitable[T]], **env: str
) -> T:
    async def run() -> T:
        async with running_worker(temporal, task_queue, fake_llm_env(server, root, **env)) as client:
            return await body(client)

    return asyncio.run(run())


def _write(content: str) -> str:
    return f'Write it. [fake:tool=write_file {{"file_path": "/big.txt", "content": "{content}"}}]'


def test_anthropic_writes_a_file_longer_than_4096_tokens_in_one_call_by_default(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    # 40,000 characters: about 10,000 tokens, cut at the old forced max_tokens of 4096.
    request = AgentExecutionInput(prompt=_write("x" * 40_000), model=ModelSettings(model="claude-sonnet-4-6"))
    result, _ = _with_worker(temporal, fake_llm, task_queue, tmp_path, lambda c: execute(c, task_queue, request, "big-write"))
    assert [(f.path, f.size) for f in result.files] == [("/big.txt", 40_000)]
    assert fake_llm.requests[0]["body"]["max_tokens"] == 128_000  # the model's own output limit


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_a_tool_call_cut_by_the_output_limit_is_not_run_and_is_said_in_one_line(
    provider: str, temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    request = AgentExecutionInput(prompt=_write("y" * 4000), model=ModelSettings(provider=provider, max_tokens=200))
    cause, history = _with_worker(temporal, fake_llm, task_queue, tmp_path, lambda c: failure_of(c, task_queue, request))
    assert isinstance(cause, ApplicationError) and cause.type == OUTPUT_LIMIT_ERROR and cause.non_retryable
    assert cause.message == (
        "the model reached its output limit after 200 output tokens in the middle of a write_file call, which was not run; "
        "raise the limit with 'stigmer run --max-tokens N' (or STIGMER_LLM_MAX_TOKENS), or ask for smaller steps"
    )
    assert len(fake_llm.requests) == 1  # asking again would be cut the same way
    assert activity_steps(history) == [("ResolveModel", 1), ("deepagents.invoke_model", 1)]
    assert not (tmp_path / "run-cut").exists()


def test_an_ollama_model_that_is_not_pulled_fails_before_any_model_call_naming_the_pulled_ones(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    request = AgentExecutionInput(prompt="hi", model=ModelSettings(provider="ollama", model="qwen3:8b"))
    cause, _ = _with_worker(temporal, fake_llm, task_queue, tmp_path, lambda c: failure_of(c, task_queue, request))
    assert isinstance(cause, ApplicationError) and cause.type == CONFIGURATION_ERROR
    assert cause.message == (
        f"model qwen3:8b is not pulled into Ollama at {fake_llm.url}: run `ollama pull qwen3:8b` "
        "(pulled: llama3.2:latest, fake-ollama:latest)"
    )
    assert fake_llm.requests == []


def test_an_ollama_that_does_not_answer_fails_the_run_at_once_in_one_line(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        nobody = f"http://127.0.0.1:{s.getsockname()[1]}"
    request = AgentExecutionInput(prompt="hi", model=ModelSettings(provider="ollama"))
    cause, _ = _with_worker(temporal, fake_llm, task_queue, tmp_path, lambda c: failure_of(c, task_queue, request), OLLAMA_BASE_URL=nobody)
    assert isinstance(cause, ApplicationError) and cause.type == CONFIGURATION_ERROR
    assert cause.message == f"Ollama does not answer at {nobody}: start it with `ollama serve`"


def test_an_openai_compatible_server_of_one_s_own_needs_no_key(temporal: TemporalDevServer, task_queue: str, tmp_path: Path) -> None:
    # llama.cpp's server, vLLM or LM Studio started without a key: it takes any request.
    with FakeLlmServer(api_key=None) as server:
        env = {"STIGMER_LLM_PROVIDER": "openai", "STIGMER_LLM_BASE_URL": server.url + "/v1", "STIGMER_LLM_API_KEY": "", "OPENAI_API_KEY": ""}
        request = AgentExecutionInput(prompt="What is 2+2?", model=ModelSettings(model="qwen2.5-7b-instruct"))
        result, _ = _with_worker(temporal, server, task_queue, tmp_path, lambda c: execute(c, task_queue, request), **env)
    assert result.answer == "fake-llm answer: What is 2+2?"
    assert [r["headers"].get("authorization") for r in server.requests] == [f"Bearer {NO_KEY_PLACEHOLDER}"]
