"""Threads kept in Temporal: one AgentThread workflow per thread, a turn per update. Against
a real Temporal dev server; the LLM is the fake-LLM stand-in for the paid APIs. The thread
across worker restarts is served by frozen agent-runners where no Python can be found."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import uuid
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType, WorkflowExecutionStatus
from temporalio.client import Client, WorkflowHistory

from agent_runner.contracts import AgentExecutionInput
from agent_runner.workspace import thread_workflow_id
from fake_llm import ANSWER_PREFIX, FakeLlmServer
from support import no_python
from support.in_process import fake_llm_env, running_worker, thread_turn
from support.launch import start_runner
from support.temporal_dev import TemporalDevServer

pytestmark = pytest.mark.temporal


def _updates_completed(history: WorkflowHistory) -> list[str]:
    return [
        e.workflow_execution_update_completed_event_attributes.meta.update_id
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED
    ]


def _conversation(request: dict[str, Any]) -> str:
    return json.dumps(request["body"]["messages"])


def test_turns_share_the_conversation_and_the_files(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> None:
    thread = f"chat-{uuid.uuid4().hex[:6]}"

    async def body() -> Any:
        async with running_worker(temporal, task_queue, fake_llm_env(fake_llm, tmp_path)) as client:
            first = AgentExecutionInput(prompt='My name is Ada. [fake:tool=write_file {"file_path": "/name.txt", "content": "Ada"}]')
            await thread_turn(client, task_queue, thread, first, update_id="turn-1")
            fake_llm.clear()
            second = await thread_turn(client, task_queue, thread, AgentExecutionInput(prompt='What is my name? [fake:tool=read_file {"file_path": "/name.txt"}]'), update_id="turn-2")
            # The same turn sent again (a client retrying): answered from the history, not run again.
            calls = len(fake_llm.requests)
            again = await thread_turn(client, task_queue, thread, AgentExecutionInput(prompt="ignored: this id is done"), update_id="turn-2")
            history = await client.get_workflow_handle(thread_workflow_id(thread)).fetch_history()
            return second, again, calls, history

    second, again, calls, history = asyncio.run(body())
    assert "My name is Ada." in _conversation(fake_llm.requests[0]) and "What is my name?" in _conversation(fake_llm.requests[0])
    assert second.answer.startswith(ANSWER_PREFIX) and second.answer.endswith("Ada")  # the file of the first turn
    assert (second.thread_id, second.model_calls, second.usage.total_tokens) == (thread, 2, 30)  # this turn only
    assert again == second and len(fake_llm.requests) == calls
    assert _updates_completed(history) == ["turn-1", "turn-2"]
    assert (tmp_path / f"thread-{thread}" / "name.txt").read_text() == "Ada"


def test_a_thread_continues_as_new_and_keeps_its_conversation(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    thread = f"long-{uuid.uuid4().hex[:6]}"

    async def body() -> Any:
        async with running_worker(temporal, task_queue, fake_llm_env(fake_llm, tmp_path)) as client:
            for i in range(3):
                await thread_turn(client, task_queue, thread, AgentExecutionInput(prompt=f"turn number {i}"), continue_as_new_after_events=10)
            query = f"WorkflowId = '{thread_workflow_id(thread)}' AND ExecutionStatus = 'ContinuedAsNew'"
            for _ in range(100):  # visibility is eventually consistent
                continued = [w async for w in client.list_workflows(query)]
                if len(continued) == 3:
                    break
                await asyncio.sleep(0.1)
            return continued, await client.get_workflow_handle(thread_workflow_id(thread)).describe()

    continued, current = asyncio.run(body())
    # Each turn took the history past 10 events: the thread continued as new after each.
    assert len(continued) == 3 and current.status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
    last = _conversation(fake_llm.requests[-1])
    assert all(f"turn number {i}" in last for i in range(3))  # the conversation crossed both boundaries


def test_a_thread_of_three_turns_across_worker_restarts(
    frozen_binary: Path, temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    if not no_python.available():
        pytest.fail("the frozen tests need root and unshare(1) to hide Python")
    thread = f"restarts-{uuid.uuid4().hex[:6]}"

    async def turns() -> WorkflowHistory:
        client = await Client.connect(temporal.address)
        first = start_runner("frozen", temporal, fake_llm, task_queue, tmp_path / "a", log_format="plain")
        first.wait_ready()
        await thread_turn(client, task_queue, thread, AgentExecutionInput(prompt="first turn"), update_id="t1")
        first.stop()  # SIGTERM: a graceful restart
        second = start_runner("frozen", temporal, fake_llm, task_queue, tmp_path / "b", log_format="plain")
        second.wait_ready()
        await thread_turn(client, task_queue, thread, AgentExecutionInput(prompt="second turn"), update_id="t2")
        # The third turn's second model call is in flight when its worker is killed.
        third = asyncio.ensure_future(
            thread_turn(client, task_queue, thread, AgentExecutionInput(prompt='[fake:delay=2] third turn [fake:tool=ls {"path": "/"}]'), update_id="t3")
        )
        while sum("third turn" in _conversation(r) for r in fake_llm.requests) < 2:
            await asyncio.sleep(0.05)
        os.killpg(second.pid, signal.SIGKILL)
        successor = start_runner("frozen", temporal, fake_llm, task_queue, tmp_path / "c", log_format="plain")
        try:
            successor.wait_ready()
            result = await asyncio.wait_for(third, 120)
            assert result.answer.startswith(ANSWER_PREFIX)
            return await client.get_workflow_handle(thread_workflow_id(thread)).fetch_history()
        finally:
            successor.stop()

    history = asyncio.run(turns())
    assert _updates_completed(history) == ["t1", "t2", "t3"]  # each turn recorded once
    third_calls = [r for r in fake_llm.requests if "third turn" in _conversation(r)]
    assert 2 <= len(third_calls) <= 3  # at most the call in flight at the kill ran twice
    final = _conversation(third_calls[-1])
    assert all(prompt in final for prompt in ("first turn", "second turn", "third turn"))  # the history is complete
    assert sum("first turn" in _conversation(r) for r in fake_llm.requests) == 1 + len(fake_llm.requests) - 1  # every later call carries it
