"""ExecuteAgent as durable steps, in a worker inside the test process against a real Temporal
dev server; the LLM is the fake-LLM stand-in for the paid Anthropic / OpenAI / Ollama APIs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from agent_runner.contracts import (
    CONFIGURATION_ERROR,
    PROVIDER_REFUSED_ERROR,
    STEP_LIMIT_ERROR,
    AgentExecutionInput,
    ModelSettings,
)
from agent_runner.transcript import MAX_TOOL_ARGUMENT_CHARS
from fake_llm import ANSWER_PREFIX, FakeLlmServer
from support.in_process import execute, failure_of, fake_llm_env, running_worker
from support.temporal_dev import TemporalDevServer
from support.workflows import activity_steps

pytestmark = pytest.mark.temporal

T = TypeVar("T")
WRITE_PROMPT = 'Save a note. [fake:tool=write_file {"file_path": "/notes/hello.txt", "content": "hello from the agent"}]'
FIVE_CALLS = "".join(f'[fake:tool=write_file {{"file_path": "/step{i}.txt", "content": "step {i}"}}]' for i in range(1, 5))


def _with_worker(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, root: Path, body: Callable[[Client], Awaitable[T]], **env: str
) -> T:
    async def run() -> T:
        async with running_worker(temporal, task_queue, fake_llm_env(fake_llm, root, **env)) as client:
            return await body(client)

    return asyncio.run(run())


def _key_header_ok(provider: str, headers: dict[str, str]) -> bool:
    if provider == "anthropic":
        # Anthropic accepts x-api-key or a bearer token; recent SDKs send the latter.
        return headers.get("x-api-key") == "test-key-123" or headers.get("authorization") == "Bearer test-key-123"
    if provider == "openai":
        return headers.get("authorization") == "Bearer test-key-123"
    return "authorization" not in headers and "x-api-key" not in headers  # Ollama: no key to leak


@pytest.mark.parametrize("provider", ["anthropic", "openai", "ollama"])
def test_tool_call_round_trip_per_provider(
    provider: str, temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    request = AgentExecutionInput(prompt=WRITE_PROMPT, instructions="Be terse.", model=ModelSettings(provider=provider, model=f"fake-{provider}"))
    result, history = _with_worker(temporal, fake_llm, task_queue, tmp_path, lambda c: execute(c, task_queue, request, "round-trip"))

    assert [c.name for c in result.tool_calls] == ["write_file"]
    assert result.tool_calls[0].args == {"file_path": "/notes/hello.txt", "content": "hello from the agent"}
    assert "hello.txt" in result.tool_calls[0].output
    assert result.answer.startswith(ANSWER_PREFIX) and "hello.txt" in result.answer
    assert (result.usage.input_tokens, result.usage.output_tokens, result.usage.total_tokens) == (20, 10, 30)
    assert (result.provider, result.model, result.model_calls) == (provider, f"fake-{provider}", 2)
    assert [(f.path, f.size) for f in result.files] == [("/notes/hello.txt", 20)]
    # The file the agent wrote in its state is saved in the execution's folder when it ends.
    assert (tmp_path / "run-round-trip" / "notes" / "hello.txt").read_text() == "hello from the agent"

    requests = [r for r in fake_llm.requests if r["provider"] == provider]
    assert len(requests) == 2  # the tool call, then the answer after the tool result
    assert all(_key_header_ok(provider, r["headers"]) for r in requests)
    assert "Be terse." in json.dumps(requests[0]["body"])  # instructions reach the model as system prompt
    assert requests[0]["body"]["model"] == f"fake-{provider}"
    # Each model call is an activity of its own in the history; the key is in none of it.
    assert activity_steps(history) == [("ResolveModel", 1), ("deepagents.invoke_model", 1), ("deepagents.invoke_model", 1), ("SaveFiles", 1)]
    assert "test-key-123" not in history.to_json()


def test_every_model_call_is_a_step_and_usage_counts_them_all(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    result, history = _with_worker(
        temporal, fake_llm, task_queue, tmp_path, lambda c: execute(c, task_queue, AgentExecutionInput(prompt="Work. " + FIVE_CALLS))
    )
    model_steps = [a for a in activity_steps(history) if a[0] == "deepagents.invoke_model"]
    assert model_steps == [("deepagents.invoke_model", 1)] * 5
    assert (result.model_calls, result.usage.total_tokens) == (5, 75)
    assert [f.path for f in result.files] == ["/step1.txt", "/step2.txt", "/step3.txt", "/step4.txt"]
    assert len(fake_llm.requests) == 5


def test_a_sub_agent_runs_its_model_calls_as_steps_of_the_execution(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    prompt = 'Delegate. [fake:tool=task {"description": "Count the moons of Mars", "subagent_type": "general-purpose"}]'
    result, history = _with_worker(temporal, fake_llm, task_queue, tmp_path, lambda c: execute(c, task_queue, AgentExecutionInput(prompt=prompt)))
    # The main agent's call, the sub-agent's own call, the main agent's answer: all counted.
    assert (result.model_calls, result.usage.total_tokens) == (3, 45)
    assert result.tool_calls[0].name == "task" and "Count the moons of Mars" in result.tool_calls[0].output
    assert result.answer == ANSWER_PREFIX + ANSWER_PREFIX + "Count the moons of Mars"
    assert len([a for a in activity_steps(history) if a[0] == "deepagents.invoke_model"]) == 3


def test_the_model_call_limit_ends_the_execution_with_one_line(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    request = AgentExecutionInput(prompt="Loop. " + FIVE_CALLS, max_model_calls=2)
    cause, _ = _with_worker(temporal, fake_llm, task_queue, tmp_path, lambda c: failure_of(c, task_queue, request))
    assert isinstance(cause, ApplicationError) and cause.type == STEP_LIMIT_ERROR
    assert "2 model calls" in cause.message and "--max-model-calls" in cause.message and "\n" not in cause.message
    assert len(fake_llm.requests) == 2


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, "anthropic refused the request (HTTP 401: fake-llm scripted failure 401); check the API key (STIGMER_LLM_API_KEY or ANTHROPIC_API_KEY)"),
     (400, "anthropic rejected the request (HTTP 400: fake-llm scripted failure 400); retrying cannot fix it: check the model name and the prompt")],
)
def test_a_refused_request_is_not_retried_and_says_why_in_one_line(
    status: int, expected: str, temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    request = AgentExecutionInput(prompt=f"Hello [fake:fail={status}]")
    cause, history = _with_worker(temporal, fake_llm, task_queue, tmp_path, lambda c: failure_of(c, task_queue, request))
    assert isinstance(cause, ApplicationError)
    assert (cause.type, cause.message, cause.non_retryable) == (PROVIDER_REFUSED_ERROR, expected, True)
    assert len(fake_llm.requests) == 1  # neither the SDK nor Temporal tried again
    assert activity_steps(history) == [("ResolveModel", 1), ("deepagents.invoke_model", 1)]


def test_an_unavailable_provider_is_retried_per_step_without_restarting_the_agent(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    # The conversation's first two requests get 503: the first model call succeeds on its third
    # attempt, and the step after it runs once.
    prompt = 'Go. [fake:tool=write_file {"file_path": "/a.txt", "content": "a"}] [fake:fail=503*2]'

    async def body(client: Client) -> Any:
        return await execute(client, task_queue, AgentExecutionInput(prompt=prompt))

    result, history = _with_worker(temporal, fake_llm, task_queue, tmp_path, body)
    assert result.answer == ANSWER_PREFIX + "Updated file /a.txt"
    attempts = [a for a in activity_steps(history) if a[0] == "deepagents.invoke_model"]
    assert attempts == [("deepagents.invoke_model", 3), ("deepagents.invoke_model", 1)]
    assert len(fake_llm.requests) == 4  # 2 failures, then 2 answers: nothing repeated after success


def test_execute_agent_refuses_a_thread_id_and_names_the_thread_workflow(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    cause, _ = _with_worker(temporal, fake_llm, task_queue, tmp_path, lambda c: failure_of(c, task_queue, AgentExecutionInput(prompt="hi", thread_id="t")))
    assert isinstance(cause, ApplicationError) and cause.type == CONFIGURATION_ERROR
    assert "AgentThread" in cause.message and "'stigmer-thread-t'" in cause.message and "Turn" in cause.message
    assert fake_llm.requests == []


def test_a_missing_key_for_the_input_provider_fails_before_any_model_call(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    request = AgentExecutionInput(prompt="hi", model=ModelSettings(provider="openai"))
    cause, _ = _with_worker(temporal, fake_llm, task_queue, tmp_path, lambda c: failure_of(c, task_queue, request), OPENAI_API_KEY="")
    assert isinstance(cause, ApplicationError) and cause.type == CONFIGURATION_ERROR
    assert cause.message == "no API key for LLM provider openai; set OPENAI_API_KEY"
    assert fake_llm.requests == []


def test_the_result_stays_small_whatever_the_files(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> None:
    big = "x" * 50_000
    prompt = f'Big. [fake:tool=write_file {{"file_path": "/big.txt", "content": "{big}"}}]'
    result, _ = _with_worker(temporal, fake_llm, task_queue, tmp_path, lambda c: execute(c, task_queue, AgentExecutionInput(prompt=prompt), "big"))
    content = str(result.tool_calls[0].args["content"])
    assert len(content) < MAX_TOOL_ARGUMENT_CHARS + 40 and content.endswith("(50000 characters)")
    assert [(f.path, f.size) for f in result.files] == [("/big.txt", 50_000)]
    assert (tmp_path / "run-big" / "big.txt").read_text() == big
