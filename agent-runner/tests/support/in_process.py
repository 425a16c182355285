"""An agent-runner worker inside the test process, against a real Temporal dev server.

Built with the runner's own pieces (settings from an env, the plugin, the worker), so
the workflow, its sandbox and the model activities run as in the executable; only the
process boundary is missing. Tests of crashes use a separate process instead.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from temporalio.client import Client, WithStartWorkflowOperation, WorkflowFailureError, WorkflowHistory
from temporalio.common import WorkflowIDConflictPolicy

from agent_runner.activities import AgentActivities
from agent_runner.agent_stack import import_agent_stack
from agent_runner.config import read_settings
from agent_runner.contracts import AgentExecutionInput, AgentExecutionResult, ThreadState
from agent_runner.plugin import build_plugin
from agent_runner.serve import build_worker
from agent_runner.workspace import thread_workflow_id
from fake_llm import FakeLlmServer
from support.temporal_dev import TemporalDevServer


def fake_llm_env(fake_llm: FakeLlmServer, workspace_root: Path, **extra: str) -> dict[str, str]:
    return {
        "STIGMER_LLM_PROVIDER": "anthropic",
        "STIGMER_LLM_BASE_URL": fake_llm.url,
        "STIGMER_LLM_API_KEY": fake_llm.api_key or "any",
        "OPENAI_API_KEY": fake_llm.api_key or "any",
        "OPENAI_BASE_URL": fake_llm.url + "/v1",
        "OLLAMA_BASE_URL": fake_llm.url,
        "STIGMER_WORKSPACE_ROOT": str(workspace_root),
        **extra,
    }


@asynccontextmanager
async def running_worker(temporal: TemporalDevServer, task_queue: str, env: Mapping[str, str]) -> AsyncIterator[Client]:
    """A polling worker; yields a client to start executions with. The agent stack is imported
    first, not in the background as the executable does (tests/test_agent_stack.py covers that)."""
    import_agent_stack()
    settings = read_settings({"TEMPORAL_SERVICE_ADDRESS": temporal.address, "TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE": task_queue, **env})
    activities = AgentActivities(settings.llm, settings.workspace_root)
    client = await Client.connect(temporal.address, plugins=[build_plugin(activities.chat_model)])
    worker = build_worker(client, settings, activities)
    async with worker:
        yield client


async def execute(client: Client, task_queue: str, request: AgentExecutionInput, workflow_id: str = "") -> tuple[AgentExecutionResult, WorkflowHistory]:
    handle = await client.start_workflow(
        "ExecuteAgent", request, id=workflow_id or f"agent-{uuid.uuid4().hex[:12]}", task_queue=task_queue, result_type=AgentExecutionResult
    )
    result = await handle.result()
    return result, await handle.fetch_history()


async def failure_of(client: Client, task_queue: str, request: AgentExecutionInput) -> tuple[Any, WorkflowHistory]:
    """The ApplicationError an execution failed with, and its history."""
    handle = await client.start_workflow("ExecuteAgent", request, id=f"agent-{uuid.uuid4().hex[:12]}", task_queue=task_queue)
    try:
        await handle.result()
    except WorkflowFailureError as error:
        return error.cause, await handle.fetch_history()
    raise AssertionError("the execution succeeded")


async def thread_turn(
    client: Client, task_queue: str, thread_id: str, request: AgentExecutionInput, update_id: str = "", continue_as_new_after_events: int = 0
) -> AgentExecutionResult:
    """One turn of a thread, the way `stigmer run --thread` sends it: update-with-start."""
    start = WithStartWorkflowOperation(
        "AgentThread",
        ThreadState(thread_id, continue_as_new_after_events=continue_as_new_after_events),
        id=thread_workflow_id(thread_id),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    return await client.execute_update_with_start_workflow(
        "Turn", request, start_workflow_operation=start, id=update_id or None, result_type=AgentExecutionResult
    )
