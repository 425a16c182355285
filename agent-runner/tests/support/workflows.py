"""Starting ExecuteAgent through Temporal the way a client does."""

from __future__ import annotations

import asyncio
import uuid

from temporalio.client import Client, WorkflowHistory

from agent_runner.contracts import AgentExecutionInput, AgentExecutionResult


async def _execute(address: str, task_queue: str, request: AgentExecutionInput, workflow_id: str) -> tuple[AgentExecutionResult, WorkflowHistory]:
    client = await Client.connect(address)
    handle = await client.start_workflow("ExecuteAgent", request, id=workflow_id, task_queue=task_queue, result_type=AgentExecutionResult)
    result = await asyncio.wait_for(handle.result(), 120)
    return result, await handle.fetch_history()


def execute(address: str, task_queue: str, request: AgentExecutionInput, workflow_id: str = "") -> tuple[AgentExecutionResult, WorkflowHistory]:
    """Runs one ExecuteAgent to completion; returns its result and its history."""
    return asyncio.run(_execute(address, task_queue, request, workflow_id or f"agent-{uuid.uuid4().hex[:12]}"))


async def _start(address: str, task_queue: str, request: AgentExecutionInput, workflow_id: str) -> None:
    client = await Client.connect(address)
    await client.start_workflow("ExecuteAgent", request, id=workflow_id, task_queue=task_queue)


def start(address: str, task_queue: str, request: AgentExecutionInput, workflow_id: str) -> None:
    asyncio.run(_start(address, task_queue, request, workflow_id))


async def _result(address: str, workflow_id: str, timeout: float) -> tuple[AgentExecutionResult, WorkflowHistory]:
    client = await Client.connect(address)
    handle = client.get_workflow_handle(workflow_id, result_type=AgentExecutionResult)
    result = await asyncio.wait_for(handle.result(), timeout)
    return result, await handle.fetch_history()


def result(address: str, workflow_id: str, timeout: float = 120) -> tuple[AgentExecutionResult, WorkflowHistory]:
    return asyncio.run(_result(address, workflow_id, timeout))


def activity_steps(history: WorkflowHistory) -> list[tuple[str, int]]:
    """(activity type, attempt) of every activity that started, in order: to see what ran twice."""
    scheduled: dict[int, str] = {}
    started = []
    for event in history.events:
        if event.HasField("activity_task_scheduled_event_attributes"):
            scheduled[event.event_id] = event.activity_task_scheduled_event_attributes.activity_type.name
        if event.HasField("activity_task_started_event_attributes"):
            attributes = event.activity_task_started_event_attributes
            started.append((scheduled[attributes.scheduled_event_id], attributes.attempt))
    return started
