"""What a client sees of an execution while it runs: its steps (the Steps query), tool calls
that wait for approval (the Decide update), cancellation, and the usage memo. In a worker inside
the test process against a real Temporal dev server; the LLM is the fake-LLM stand-in."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError, CancelledError
from temporalio.service import RPCError

from agent_runner.contracts import (
    CANCEL_TURN_SIGNAL,
    CONFIGURATION_ERROR,
    DECIDE_UPDATE,
    STEPS_QUERY,
    AgentExecutionInput,
    AgentExecutionResult,
    Decision,
    DecisionResult,
    StepsQuery,
    StepsView,
    TURN_CANCELLED_ERROR,
)
from fake_llm import FakeLlmServer
from support.in_process import fake_llm_env, running_worker, thread_turn
from support.temporal_dev import TemporalDevServer

pytestmark = pytest.mark.temporal

WRITE = '[fake:tool=write_file {"file_path": "/hello.txt", "content": "hi"}]'


async def _start(client: Client, task_queue: str, request: AgentExecutionInput) -> WorkflowHandle[Any, AgentExecutionResult]:
    return await client.start_workflow(
        "ExecuteAgent", request, id=f"agent-{uuid.uuid4().hex[:12]}", task_queue=task_queue, result_type=AgentExecutionResult
    )


async def _steps(handle: WorkflowHandle[Any, Any], after: int = 0) -> StepsView:
    return await handle.query(STEPS_QUERY, StepsQuery(after=after), result_type=StepsView)


async def _until(handle: WorkflowHandle[Any, Any], done: Callable[[StepsView], bool], timeout: float = 30) -> StepsView:
    deadline = time.monotonic() + timeout
    view = None
    while time.monotonic() < deadline:
        try:
            view = await _steps(handle)
        except RPCError:  # not started yet
            view = None
        if view is not None and done(view):
            return view
        await asyncio.sleep(0.05)
    raise AssertionError(f"steps never got there: {view}")


def _run(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, root: Path, body: Callable[[Client], Awaitable[None]]) -> None:
    async def run() -> None:
        async with running_worker(temporal, task_queue, fake_llm_env(fake_llm, root)) as client:
            await body(client)

    asyncio.run(run())


def _kinds(view: StepsView) -> list[tuple[str, str]]:
    return [(s["kind"], s.get("tool", str(s.get("n", "")))) for s in view.steps]


def test_steps_appear_while_the_execution_runs(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> None:
    async def body(client: Client) -> None:
        # Each answer waits 1 s at the model server, so the steps are read while it runs.
        handle = await _start(client, task_queue, AgentExecutionInput(prompt="Save. [fake:delay=1]" + WRITE))
        early = await _until(handle, lambda v: any(s["kind"] == "tool_result" for s in v.steps))
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        assert ("model_call", "2") not in _kinds(early)  # seen before the second model call was answered
        await handle.result()
        view = await _steps(handle)
        assert _kinds(view) == [
            ("model_call_started", "1"),
            ("model_call", "1"),
            ("tool_call", "write_file"),
            ("tool_result", "write_file"),
            ("model_call_started", "2"),
            ("model_call", "2"),
        ]
        assert view.steps[: len(early.steps)] == early.steps
        assert [s["seq"] for s in view.steps] == list(range(6)) and view.next == 6
        assert view.steps[1]["tool_calls"] == ["write_file"] and view.steps[1]["total_tokens"] == 15
        assert view.steps[2]["args"] == "file_path=/hello.txt, content=hi"
        assert view.steps[3]["ok"] is True and "hello.txt" in view.steps[3]["output"]
        assert (view.model_calls, view.total_tokens) == (2, 30)
        # Offsets: a client asks only for what it has not seen.
        assert [s["seq"] for s in (await _steps(handle, after=4)).steps] == [4, 5]
        # The usage is in the memo, where a listing of executions reads it.
        memo = await (await handle.describe()).memo()
        assert memo == {"model_calls": 2, "total_tokens": 30}

    _run(temporal, fake_llm, task_queue, tmp_path, body)


def test_approved_tool_runs_after_the_answer(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> None:
    async def body(client: Client) -> None:
        handle = await _start(client, task_queue, AgentExecutionInput(prompt="Save. " + WRITE, approve_tools=["write_file"]))
        view = await _until(handle, lambda v: bool(v.waiting_for_approval))
        assert view.waiting_for_approval[0]["tool"] == "write_file"
        assert view.waiting_for_approval[0]["args"] == "file_path=/hello.txt, content=hi"
        assert _kinds(view)[-1] == ("approval_wanted", "write_file")
        assert len(fake_llm.requests) == 1
        answer = await handle.execute_update(DECIDE_UPDATE, Decision(approve=True), result_type=DecisionResult)
        assert (answer.tool, answer.approved) == ("write_file", True)
        result = await handle.result()
        assert [f.path for f in result.files] == ["/hello.txt"]
        assert (tmp_path / f"run-{handle.id}" / "hello.txt").read_text() == "hi"
        kinds = _kinds(await _steps(handle))
        assert kinds[2:6] == [("tool_call", "write_file"), ("approval_wanted", "write_file"), ("approval", "write_file"), ("tool_result", "write_file")]

    _run(temporal, fake_llm, task_queue, tmp_path, body)


def test_denied_tool_never_runs_and_the_agent_is_told(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    async def body(client: Client) -> None:
        handle = await _start(client, task_queue, AgentExecutionInput(prompt="Save. " + WRITE, approve_tools=["write_file", "edit_file"]))
        await _until(handle, lambda v: bool(v.waiting_for_approval))
        await handle.execute_update(DECIDE_UPDATE, Decision(approve=False, reason="not today"), result_type=DecisionResult)
        result = await handle.result()
        assert result.files == []
        assert not (tmp_path / f"run-{handle.id}").exists()
        assert "denied" in result.tool_calls[0].output and "not today" in result.tool_calls[0].output
        # The model's next request carries the denial as the tool's result.
        assert "The user denied this write_file call: not today" in str(fake_llm.requests[-1]["body"])
        last = (await _steps(handle)).steps
        assert [s for s in last if s["kind"] == "tool_result"][0]["ok"] is False

    _run(temporal, fake_llm, task_queue, tmp_path, body)


def test_an_answer_when_nothing_waits_is_rejected(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> None:
    async def body(client: Client) -> None:
        handle = await _start(client, task_queue, AgentExecutionInput(prompt="Save. [fake:delay=2]" + WRITE, approve_tools=["edit_file"]))
        await _until(handle, lambda v: bool(v.steps))
        with pytest.raises(WorkflowUpdateFailedError) as failure:
            await handle.execute_update(DECIDE_UPDATE, Decision(approve=True), result_type=DecisionResult)
        assert "no tool call waits for approval" in str(failure.value.cause)
        await handle.result()  # write_file was not on the list: it ran without asking
        events = (await handle.fetch_history()).events
        assert not [e for e in events if e.HasField("workflow_execution_update_accepted_event_attributes")]

    _run(temporal, fake_llm, task_queue, tmp_path, body)


def test_approval_waits_across_a_new_worker(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> None:
    """The wait is workflow state: a worker that never saw the execution replays it to the same question."""

    async def body() -> None:
        env = fake_llm_env(fake_llm, tmp_path)
        async with running_worker(temporal, task_queue, env) as client:
            handle = await _start(client, task_queue, AgentExecutionInput(prompt="Save. " + WRITE, approve_tools=["write_file"]))
            await _until(handle, lambda v: bool(v.waiting_for_approval))
        async with running_worker(temporal, task_queue, env) as client:
            handle = client.get_workflow_handle(handle.id, result_type=AgentExecutionResult)
            view = await _steps(handle)
            assert view.waiting_for_approval and view.waiting_for_approval[0]["tool"] == "write_file"
            await handle.execute_update(DECIDE_UPDATE, Decision(approve=True), result_type=DecisionResult)
            result = await handle.result()
        assert [f.path for f in result.files] == ["/hello.txt"]
        assert len(fake_llm.requests) == 2  # the model call before the wait was not made again

    asyncio.run(body())


def test_cancel_ends_the_execution_as_cancelled(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> None:
    async def body(client: Client) -> None:
        handle = await _start(client, task_queue, AgentExecutionInput(prompt="Save. [fake:delay=3]" + WRITE))
        await _until(handle, lambda v: bool(v.steps))
        asked = time.monotonic()
        await handle.cancel()
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        took = time.monotonic() - asked
        assert isinstance(failure.value.cause, CancelledError)
        assert (await handle.describe()).status == WorkflowExecutionStatus.CANCELED
        assert took < 10, took  # generous: the figure is measured by bench/run
        await asyncio.sleep(4)  # past the in-flight call's delay
        assert len(fake_llm.requests) == 1  # no model call after the cancellation

    _run(temporal, fake_llm, task_queue, tmp_path, body)


def test_unknown_tool_to_approve_is_a_configuration_error(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    async def body(client: Client) -> None:
        handle = await _start(client, task_queue, AgentExecutionInput(prompt="hi", approve_tools=["write_fil"]))
        with pytest.raises(WorkflowFailureError) as failure:
            await handle.result()
        cause = failure.value.cause
        assert isinstance(cause, ApplicationError) and cause.type == CONFIGURATION_ERROR
        assert cause.message.startswith("no tool named write_fil to approve; the agent's tools are ls, read_file")
        assert fake_llm.requests == []

    _run(temporal, fake_llm, task_queue, tmp_path, body)


def test_thread_steps_name_their_turn(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> None:
    async def body(client: Client) -> None:
        thread = f"t-{uuid.uuid4().hex[:8]}"
        await thread_turn(client, task_queue, thread, AgentExecutionInput(prompt="first " + WRITE), update_id="turn-1")
        await thread_turn(client, task_queue, thread, AgentExecutionInput(prompt="second"), update_id="turn-2")
        view = await _steps(client.get_workflow_handle(f"stigmer-thread-{thread}"))
        assert [s["turn"] for s in view.steps] == ["turn-1"] * 6 + ["turn-2"] * 2

    _run(temporal, fake_llm, task_queue, tmp_path, body)


def test_a_cancelled_turn_leaves_the_thread_going(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> None:
    async def body(client: Client) -> None:
        thread = f"t-{uuid.uuid4().hex[:8]}"
        handle = client.get_workflow_handle(f"stigmer-thread-{thread}")
        turn = asyncio.ensure_future(
            thread_turn(client, task_queue, thread, AgentExecutionInput(prompt="doomed [fake:delay=3]" + WRITE), update_id="turn-1")
        )
        await _until(handle, lambda v: bool(v.steps))
        await handle.signal(CANCEL_TURN_SIGNAL, "turn-1")
        with pytest.raises(WorkflowUpdateFailedError) as failure:
            await turn
        cause = failure.value.cause
        assert isinstance(cause, ApplicationError) and (cause.type, cause.message) == (TURN_CANCELLED_ERROR, "the turn was cancelled")
        result = await thread_turn(client, task_queue, thread, AgentExecutionInput(prompt="second"), update_id="turn-2")
        assert result.answer
        # The cancelled turn left nothing in the conversation: the next turn's model call never saw it.
        assert "doomed" not in str(fake_llm.requests[-1]["body"])
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING

    _run(temporal, fake_llm, task_queue, tmp_path, body)


def test_a_sub_agents_tool_calls_are_steps_and_wait_for_approval(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    inner = '[fake:tool=write_file {"file_path": "/sub.txt", "content": "from the sub-agent"}]'
    task = json.dumps({"description": f"Save it. {inner}", "subagent_type": "general-purpose"})

    async def body(client: Client) -> None:
        handle = await _start(client, task_queue, AgentExecutionInput(prompt=f"Delegate. [fake:tool=task {task}]", approve_tools=["write_file"]))
        view = await _until(handle, lambda v: bool(v.waiting_for_approval))
        assert view.waiting_for_approval[0]["args"] == 'file_path=/sub.txt, content="from the sub-agent"'
        assert [k for k in _kinds(view) if k[0] == "tool_call"] == [("tool_call", "task"), ("tool_call", "write_file")]
        await handle.execute_update(DECIDE_UPDATE, Decision(approve=False), result_type=DecisionResult)
        result = await handle.result()
        assert result.files == []  # the sub-agent's write never ran
        assert result.model_calls == 4  # the agent, the sub-agent twice, the agent's answer

    _run(temporal, fake_llm, task_queue, tmp_path, body)
