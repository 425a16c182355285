"""The scenarios of the replay corpus (agent-runner/histories/<release>/<scenario>.json) and how a
recorded history is made fit to commit.

Each scenario drives one execution the way a stigmer client does (start, Steps query, Decide
update, cancel, thread turns by update-with-start, CancelTurn signal) against whatever worker
serves the queue: the frozen executable of a release when the corpus is recorded
(tests/record_histories.py), a worker in the test process in test_histories.py, which keeps
every scenario working between releases.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowFailureError, WorkflowHandle, WorkflowHistory, WorkflowUpdateFailedError
from temporalio.service import RPCError

from agent_runner.contracts import (
    CANCEL_TURN_SIGNAL,
    DECIDE_UPDATE,
    STEPS_QUERY,
    AgentExecutionInput,
    AgentExecutionResult,
    Decision,
    DecisionResult,
    StepsQuery,
    StepsView,
)
from agent_runner.workspace import thread_workflow_id
from support.in_process import execute, failure_of, thread_turn

WRITE = '[fake:tool=write_file {"file_path": "/hello.txt", "content": "hi"}]'
# What the issue asks every release's corpus to hold; later releases may add scenarios.
REQUIRED = ("tool_calls", "approval_approved", "cancelled", "thread_turns")
# Paths in the recorded histories that were under the recording's own folder read as under this.
RECORDED_ROOT = "/recorded"


@dataclass
class Recording:
    """Where the scenarios run: a client, the queue a worker serves, a folder of the worker's
    machine for the workspace scenario, and a prefix that keeps ids apart on a shared server."""

    client: Client
    queue: str
    folder: Path
    prefix: str


Scenario = Callable[[Recording], Awaitable[WorkflowHistory]]


async def _start(run: Recording, name: str, request: AgentExecutionInput) -> WorkflowHandle[Any, AgentExecutionResult]:
    return await run.client.start_workflow(
        "ExecuteAgent", request, id=f"{run.prefix}{name}", task_queue=run.queue, result_type=AgentExecutionResult
    )


async def _until(handle: WorkflowHandle[Any, Any], done: Callable[[StepsView], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if done(await handle.query(STEPS_QUERY, StepsQuery(), result_type=StepsView)):
                return
        except RPCError:  # not started yet
            pass
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id}: the steps never got there")


async def tool_calls(run: Recording) -> WorkflowHistory:
    prompt = f'Note and list. {WRITE} [fake:tool=ls {{"path": "/"}}]'
    return (await execute(run.client, run.queue, AgentExecutionInput(prompt=prompt), f"{run.prefix}tool-calls"))[1]


async def _decided(run: Recording, name: str, decision: Decision) -> WorkflowHistory:
    handle = await _start(run, name, AgentExecutionInput(prompt="Save. " + WRITE, approve_tools=["write_file"]))
    await _until(handle, lambda view: bool(view.waiting_for_approval))
    await handle.execute_update(DECIDE_UPDATE, decision, result_type=DecisionResult)
    await handle.result()
    return await handle.fetch_history()


async def approval_approved(run: Recording) -> WorkflowHistory:
    return await _decided(run, "approval-approved", Decision(approve=True))


async def approval_denied(run: Recording) -> WorkflowHistory:
    return await _decided(run, "approval-denied", Decision(approve=False, reason="not today"))


async def cancelled(run: Recording) -> WorkflowHistory:
    """Cancelled while its first model call is in flight (the stand-in answers after 2 s)."""
    handle = await _start(run, "cancelled", AgentExecutionInput(prompt="Save. [fake:delay=2]" + WRITE))
    await _until(handle, lambda view: bool(view.steps))
    await handle.cancel()
    try:
        await handle.result()
    except WorkflowFailureError:
        return await handle.fetch_history()
    raise AssertionError("the execution was not cancelled")


async def workspace(run: Recording) -> WorkflowHistory:
    """A file step in the user's directory: each one an activity (CheckWorkspace, backend_op)."""
    folder = run.folder / "workspace"
    folder.mkdir(parents=True, exist_ok=True)
    request = AgentExecutionInput(prompt="Save here. " + WRITE, workspace=str(folder))
    return (await execute(run.client, run.queue, request, f"{run.prefix}workspace"))[1]


async def sub_agent(run: Recording) -> WorkflowHistory:
    prompt = 'Delegate. [fake:tool=task {"description": "Count to three", "subagent_type": "general-purpose"}]'
    return (await execute(run.client, run.queue, AgentExecutionInput(prompt=prompt), f"{run.prefix}sub-agent"))[1]


async def retried_step(run: Recording) -> WorkflowHistory:
    request = AgentExecutionInput(prompt="Flaky provider [fake:fail=503*1]")
    return (await execute(run.client, run.queue, request, f"{run.prefix}retried-step"))[1]


async def failed_step(run: Recording) -> WorkflowHistory:
    return (await failure_of(run.client, run.queue, AgentExecutionInput(prompt="Refused [fake:fail=401]")))[1]


async def thread_turns(run: Recording) -> WorkflowHistory:
    thread = f"{run.prefix}turns"
    await thread_turn(run.client, run.queue, thread, AgentExecutionInput(prompt='Remember. [fake:tool=write_file {"file_path": "/n.txt", "content": "Ada"}]'), "turn-1")
    await thread_turn(run.client, run.queue, thread, AgentExecutionInput(prompt='And now? [fake:tool=read_file {"file_path": "/n.txt"}]'), "turn-2")
    return await run.client.get_workflow_handle(thread_workflow_id(thread)).fetch_history()


async def thread_cancelled_turn(run: Recording) -> WorkflowHistory:
    """A turn cancelled by CancelTurn while its model call is in flight; the thread goes on."""
    thread = f"{run.prefix}cancelled-turn"
    handle = run.client.get_workflow_handle(thread_workflow_id(thread))
    doomed = asyncio.ensure_future(
        thread_turn(run.client, run.queue, thread, AgentExecutionInput(prompt="doomed [fake:delay=2]" + WRITE), "turn-1")
    )
    await _until(handle, lambda view: bool(view.steps))
    await handle.signal(CANCEL_TURN_SIGNAL, "turn-1")
    try:
        await doomed
        raise AssertionError("the turn was not cancelled")
    except WorkflowUpdateFailedError:
        pass
    await thread_turn(run.client, run.queue, thread, AgentExecutionInput(prompt="second"), "turn-2")
    return await handle.fetch_history()


SCENARIOS: dict[str, Scenario] = {
    "tool_calls": tool_calls,
    "approval_approved": approval_approved,
    "approval_denied": approval_denied,
    "cancelled": cancelled,
    "workspace": workspace,
    "sub_agent": sub_agent,
    "retried_step": retried_step,
    "failed_step": failed_step,
    "thread_turns": thread_turns,
    "thread_cancelled_turn": thread_cancelled_turn,
}


def fit_to_commit(history: WorkflowHistory, folder: Path) -> str:
    """The history as JSON with nothing of the machine that recorded it: failures' stack traces
    emptied (replay never reads them), worker identities (`pid@host`) neutral, and paths under
    `folder` (the recording's own) moved to RECORDED_ROOT, in payloads too (replay compares
    activity types and order, not their inputs)."""
    scrub = _Scrub(str(folder.resolve()), socket.gethostname())
    return json.dumps(scrub.value(json.loads(history.to_json())), indent=1) + "\n"


class _Scrub:
    def __init__(self, folder: str, host: str) -> None:
        self.folder = folder
        self.identity = re.compile(r"\d+@" + re.escape(host)) if host else None

    def text(self, value: str) -> str:
        value = value.replace(self.folder, RECORDED_ROOT)
        return self.identity.sub("recorder", value) if self.identity else value

    def value(self, value: Any) -> Any:
        if isinstance(value, dict):
            if isinstance(value.get("data"), str) and _is_json_payload(value):
                return {**value, "data": _b64(self.text(base64.b64decode(value["data"]).decode()))}
            return {k: ("" if k == "stackTrace" else self.value(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return self.text(value) if isinstance(value, str) else value


def _is_json_payload(value: dict[str, Any]) -> bool:
    encoding = value.get("metadata", {}).get("encoding", "")
    return isinstance(encoding, str) and base64.b64decode(encoding).startswith(b"json/")


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# Absolute paths of a machine: a recorded history must hold none (RECORDED_ROOT aside).
_MACHINE_PATH = re.compile(r"(?:^|[\s\"'=(])(/(?:tmp|home|root|Users|work|var|private|opt)/|[A-Za-z]:\\\\)")


def machine_paths_in(text: str, also: Sequence[str] = ()) -> list[str]:
    """The machine paths a history's JSON holds, payloads decoded: [] when it is fit to commit."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("data"), str) and _is_json_payload(value):
                walk(base64.b64decode(value["data"]).decode())
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.extend(m.group(1) for m in _MACHINE_PATH.finditer(value))
            found.extend(p for p in also if p and p in value)

    walk(json.loads(text))
    return found
