"""The agent loop against the fake-LLM stand-in for the paid Anthropic / OpenAI / Ollama APIs.

Every provider does one tool-call round trip (a real write_file into the
workspace) and the test checks the API key header that arrived at the server.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from agent_runner.agent_loop import run_agent
from agent_runner.chat_models import build_chat_model
from agent_runner.config import ResolvedModel
from fake_llm import ANSWER_PREFIX, FakeLlmServer

WRITE_PROMPT = 'Save a note. [fake:tool=write_file {"file_path": "/notes/hello.txt", "content": "hello from the agent"}]'


def _model(provider: str, server: FakeLlmServer, key: str = "test-key-123") -> Any:
    base = server.url + "/v1" if provider == "openai" else server.url
    return build_chat_model(ResolvedModel(provider, f"fake-{provider}", key, base, 0.0, 256))


def _key_header_ok(provider: str, headers: dict[str, str]) -> bool:
    if provider == "anthropic":
        # Anthropic accepts x-api-key or a bearer token; recent SDKs send the latter.
        return headers.get("x-api-key") == "test-key-123" or headers.get("authorization") == "Bearer test-key-123"
    if provider == "openai":
        return headers.get("authorization") == "Bearer test-key-123"
    return "authorization" not in headers and "x-api-key" not in headers  # Ollama: no key to leak


@pytest.mark.parametrize("provider", ["anthropic", "openai", "ollama"])
def test_tool_call_round_trip(provider: str, fake_llm: FakeLlmServer, tmp_path: Path) -> None:
    outcome = asyncio.run(run_agent(_model(provider, fake_llm), WRITE_PROMPT, tmp_path, instructions="Be terse."))

    assert (tmp_path / "notes" / "hello.txt").read_text() == "hello from the agent"
    assert [c.name for c in outcome.tool_calls] == ["write_file"]
    assert outcome.tool_calls[0].args == {"file_path": "/notes/hello.txt", "content": "hello from the agent"}
    assert "hello.txt" in outcome.tool_calls[0].output
    assert outcome.answer.startswith(ANSWER_PREFIX) and "hello.txt" in outcome.answer
    assert (outcome.usage.input_tokens, outcome.usage.output_tokens, outcome.usage.total_tokens) == (20, 10, 30)

    requests = [r for r in fake_llm.requests if r["provider"] == provider]
    assert len(requests) == 2  # the tool call, then the answer after the tool result
    assert all(_key_header_ok(provider, r["headers"]) for r in requests)
    assert "Be terse." in json.dumps(requests[0]["body"])  # instructions reach the model as system prompt
    assert requests[0]["body"]["model"] == f"fake-{provider}"


def test_anthropic_request_carries_the_api_version(fake_llm: FakeLlmServer, tmp_path: Path) -> None:
    asyncio.run(run_agent(_model("anthropic", fake_llm), "hi", tmp_path))
    assert fake_llm.requests[0]["headers"].get("anthropic-version")


def test_wrong_key_is_refused_by_the_server(fake_llm: FakeLlmServer, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="401|nvalid api key|uthentication"):
        asyncio.run(run_agent(_model("openai", fake_llm, key="wrong"), "hi", tmp_path))


def test_file_tools_cannot_leave_the_workspace(fake_llm: FakeLlmServer, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    outside = tmp_path / "outside.txt"
    prompt = '[fake:tool=write_file {"file_path": "/../outside.txt", "content": "escaped"}]'
    outcome = asyncio.run(run_agent(_model("anthropic", fake_llm), prompt, workspace))
    assert not outside.exists()
    assert outcome.tool_calls and "outside.txt" not in [p.name for p in tmp_path.iterdir()]
    assert outcome.answer.startswith(ANSWER_PREFIX)


def test_without_tools_the_answer_is_the_model_text(fake_llm: FakeLlmServer, tmp_path: Path) -> None:
    outcome = asyncio.run(run_agent(_model("openai", fake_llm), "What is the capital of France?", tmp_path))
    assert outcome.answer == ANSWER_PREFIX + "What is the capital of France?"
    assert outcome.tool_calls == []
    assert outcome.usage.total_tokens == 15
