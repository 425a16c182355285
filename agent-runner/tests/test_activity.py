"""The RunAgent activity in Temporal's activity test environment: heartbeats and errors."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from agent_runner.activities import AgentActivities
from agent_runner.config import LlmDefaults, read_llm_defaults
from agent_runner.contracts import CONFIGURATION_ERROR, AgentExecutionInput, ModelSettings
from agent_runner.heartbeat import heartbeating
from fake_llm import ANSWER_PREFIX, FakeLlmServer


def test_heartbeats_while_waiting() -> None:
    beats: list[object] = []
    env = ActivityEnvironment()
    env.on_heartbeat = lambda *details: beats.append(details[0])

    async def slow_work() -> None:
        async with heartbeating(lambda: {"messages": 3}, every=0.05):
            await asyncio.sleep(0.3)

    asyncio.run(env.run(slow_work))
    assert len(beats) >= 4
    assert beats[0] == {"messages": 3}


def test_activity_runs_the_agent_and_heartbeats(fake_llm: FakeLlmServer, tmp_path: Path) -> None:
    llm = read_llm_defaults({"STIGMER_LLM_API_KEY": "test-key-123", "STIGMER_LLM_BASE_URL": fake_llm.url})
    beats: list[object] = []
    env = ActivityEnvironment()
    env.on_heartbeat = lambda *details: beats.append(details[0])
    result = asyncio.run(env.run(AgentActivities(llm, tmp_path).run_agent, AgentExecutionInput(prompt="hello", thread_id="th/1")))
    assert result.answer == ANSWER_PREFIX + "hello"
    assert (result.provider, result.thread_id) == ("anthropic", "th/1")
    assert (tmp_path / "thread-th_1").is_dir()  # the thread id is made safe for a folder name
    assert beats, "no heartbeat was sent"


def test_missing_key_for_an_input_provider_is_not_retryable(tmp_path: Path) -> None:
    llm = LlmDefaults(provider="anthropic", stigmer_api_key="k")
    request = AgentExecutionInput(prompt="hi", model=ModelSettings(provider="openai"))
    with pytest.raises(ApplicationError) as caught:
        asyncio.run(ActivityEnvironment().run(AgentActivities(llm, tmp_path).run_agent, request))
    assert caught.value.non_retryable and caught.value.type == CONFIGURATION_ERROR
    assert "OPENAI_API_KEY" in str(caught.value)


def test_a_thread_remembers_its_conversation(fake_llm: FakeLlmServer, tmp_path: Path) -> None:
    llm = read_llm_defaults({"STIGMER_LLM_API_KEY": "test-key-123", "STIGMER_LLM_BASE_URL": fake_llm.url})
    activities = AgentActivities(llm, tmp_path)
    env = ActivityEnvironment()
    first = AgentExecutionInput(prompt='My name is Ada. [fake:tool=write_file {"file_path": "/name.txt", "content": "Ada"}]', thread_id="chat")
    asyncio.run(env.run(activities.run_agent, first))
    fake_llm.clear()
    second = asyncio.run(env.run(activities.run_agent, AgentExecutionInput(prompt="What is my name?", thread_id="chat")))

    sent = json.dumps(fake_llm.requests[0]["body"]["messages"])
    assert "My name is Ada." in sent and "What is my name?" in sent  # the history reached the model
    assert second.answer == ANSWER_PREFIX + "What is my name?"
    assert second.tool_calls == [] and second.usage.total_tokens == 15  # this execution's part only
    assert (tmp_path / "thread-chat" / "name.txt").read_text() == "Ada"
    assert not any("history" in p.name for p in (tmp_path / "thread-chat").iterdir())  # kept outside the workspace

    other = asyncio.run(env.run(activities.run_agent, AgentExecutionInput(prompt="Fresh start")))
    assert other.answer == ANSWER_PREFIX + "Fresh start"
    assert "My name is Ada." not in json.dumps(fake_llm.requests[-1]["body"]["messages"])
