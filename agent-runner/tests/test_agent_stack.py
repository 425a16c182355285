"""The agent stack is imported after `ready`, and nothing that needs it runs before it is there.

The runner announces `ready` once it polls with Temporal alone; LangChain, deepagents and the
provider's SDK are imported in the background right after (agent_stack.py). An execution that
arrives in between waits for them without failing a workflow task (an import inside one
would trip Temporal's two-second deadlock detector); a failing import ends the process with
one line.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from temporalio.client import Client

from agent_runner.contracts import AgentExecutionInput, AgentExecutionResult
from fake_llm import ANSWER_PREFIX, FakeLlmServer
from support.launch import start_runner
from support.temporal_dev import TemporalDevServer

pytestmark = pytest.mark.temporal


def _event_index(lines: list[str], name: str) -> int:
    for index, line in enumerate(lines):
        if line.startswith("{") and json.loads(line).get("event") == name:
            return index
    return -1


async def _start_then_finish(address: str, task_queue: str, request: AgentExecutionInput, on_started: list[int], lines: list[str]) -> tuple[AgentExecutionResult, list[str]]:
    client = await Client.connect(address)
    handle = await client.start_workflow(
        "ExecuteAgent", request, id=f"agent-{uuid.uuid4().hex[:12]}", task_queue=task_queue, result_type=AgentExecutionResult
    )
    on_started.append(_event_index(list(lines), "agent_stack_loaded"))
    result = await asyncio.wait_for(handle.result(), 120)
    history = await handle.fetch_history()
    failed_tasks = [
        str(event.event_id)
        for event in history.events
        if event.HasField("workflow_task_failed_event_attributes") or event.HasField("workflow_task_timed_out_event_attributes")
    ]
    return result, failed_tasks


def test_ready_comes_before_the_agent_stack_and_the_first_execution_waits_for_it(
    kind: str, temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    runner = start_runner(kind, temporal, fake_llm, task_queue, tmp_path / "workspaces")
    try:
        runner.wait_ready()
        loaded_when_started: list[int] = []
        request = AgentExecutionInput(prompt='Write it. [fake:tool=write_file {"file_path": "/a.txt", "content": "early"}]')
        result, failed_tasks = asyncio.run(_start_then_finish(temporal.address, task_queue, request, loaded_when_started, runner.lines))
        # Started while the stack was still being imported: the case this test is about.
        assert loaded_when_started == [-1], runner.log()
        assert result.answer.startswith(ANSWER_PREFIX) and [c.name for c in result.tool_calls] == ["write_file"]
        assert failed_tasks == [], "a workflow task failed while the agent stack was loading"
        ready, loaded = _event_index(runner.lines, "ready"), _event_index(runner.lines, "agent_stack_loaded")
        assert 0 <= ready < loaded, runner.log()
    finally:
        runner.stop()
    assert runner.process.returncode == 0, runner.log()


def test_a_stack_that_fails_to_load_ends_the_runner_in_one_line(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    # A damaged installation, made from source: the provider's integration fails to import.
    shadow = tmp_path / "shadow" / "langchain_anthropic"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("cannot import name ChatAnthropic (damaged)")\n')
    runner = start_runner(
        "source", temporal, fake_llm, task_queue, tmp_path / "workspaces", log_format="plain", PYTHONPATH=str(shadow.parent)
    )
    try:
        runner.wait_ready()
        code = runner.wait_exit(60)
    finally:
        runner.stop()
    assert code == 2
    errors = [line for line in runner.lines if line.startswith("agent-runner: error:")]
    assert errors == [
        "agent-runner: error: the agent libraries failed to load (ImportError: cannot import name ChatAnthropic (damaged)); "
        "this agent-runner is damaged: reinstall stigmer"
    ], runner.log()
    assert not any("Traceback" in line for line in runner.lines), runner.log()


async def _pollers(address: str, task_queue: str) -> list[tuple[str, str, int]]:
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    client = await Client.connect(address)
    # `ready` is said once the worker polls; the server lists a poller once that poll has reached
    # its matching service, a moment later: ask until it does (or 10 s pass).
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        answer = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace="default", task_queue=TaskQueue(name=task_queue), task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
            )
        )
        if answer.pollers or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.1)
    return [
        (p.deployment_options.deployment_name, p.deployment_options.build_id, p.deployment_options.worker_versioning_mode)
        for p in answer.pollers
    ]


def test_an_unversioned_worker_names_its_version_instead_of_a_hash_of_its_modules(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    from temporalio.api.enums.v1 import WorkerVersioningMode

    runner = start_runner("source", temporal, fake_llm, task_queue, tmp_path / "workspaces")
    try:
        runner.wait_ready()
        pollers = asyncio.run(_pollers(temporal.address, task_queue))
    finally:
        runner.stop()
    assert pollers == [("stigmer-agent-runner", "0.0.0-dev", WorkerVersioningMode.WORKER_VERSIONING_MODE_UNVERSIONED)]
