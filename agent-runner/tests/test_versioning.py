"""Worker Versioning: two runners of one Worker Deployment on one task queue, as the daemon runs
them during a rolling upgrade. An execution finishes on the build that started it (pinned); a new
one starts on the current build; a thread moves to the current build at its next turn. Workers in
the test process against a real Temporal dev server; the LLM is the fake-LLM stand-in. Each build
saves files into its own workspace root, which shows which build finished an execution."""

from __future__ import annotations

import asyncio
import json
import uuid
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client

from agent_runner.contracts import AgentExecutionInput, AgentExecutionResult
from agent_runner.workspace import thread_workflow_id
from fake_llm import FakeLlmServer
from support.deployment import set_current_version
from support.in_process import fake_llm_env, running_worker, thread_turn
from support.temporal_dev import TemporalDevServer

pytestmark = pytest.mark.temporal

WRITE = '[fake:tool=write_file {"file_path": "/hello.txt", "content": "hi"}]'


def _behavior(client_info: Any) -> str:
    from temporalio.api.enums.v1 import VersioningBehavior

    return VersioningBehavior.Name(client_info.behavior)


async def _versioning(client: Client, workflow_id: str) -> tuple[str, str]:
    info = (await client.get_workflow_handle(workflow_id).describe()).raw_description.workflow_execution_info.versioning_info
    return info.deployment_version.build_id, _behavior(info)


def _env(fake_llm: FakeLlmServer, root: Path, deployment: str, build_id: str) -> dict[str, str]:
    (root / build_id).mkdir(parents=True, exist_ok=True)
    return fake_llm_env(fake_llm, root / build_id, TEMPORAL_DEPLOYMENT_NAME=deployment, TEMPORAL_WORKER_BUILD_ID=build_id)


def test_execution_finishes_on_the_build_that_started_it(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    deployment = f"stack-{task_queue}"

    async def body() -> None:
        async with AsyncExitStack() as stack:
            client = await stack.enter_async_context(running_worker(temporal, task_queue, _env(fake_llm, tmp_path, deployment, "1.0.0")))
            await asyncio.to_thread(set_current_version, temporal, deployment, "1.0.0")
            # Each model answer takes 1 s: the first execution is in flight when 2.0.0 becomes current.
            first = await client.start_workflow(
                "ExecuteAgent", AgentExecutionInput(prompt="Save. [fake:delay=1]" + WRITE), id=f"agent-{uuid.uuid4().hex[:12]}",
                task_queue=task_queue, result_type=AgentExecutionResult,
            )
            await stack.enter_async_context(running_worker(temporal, task_queue, _env(fake_llm, tmp_path, deployment, "2.0.0")))
            await asyncio.to_thread(set_current_version, temporal, deployment, "2.0.0")
            second = await client.start_workflow(
                "ExecuteAgent", AgentExecutionInput(prompt="Again. " + WRITE), id=f"agent-{uuid.uuid4().hex[:12]}",
                task_queue=task_queue, result_type=AgentExecutionResult,
            )
            assert (await first.result()).files and (await second.result()).files
            assert await _versioning(client, first.id) == ("1.0.0", "VERSIONING_BEHAVIOR_PINNED")
            assert await _versioning(client, second.id) == ("2.0.0", "VERSIONING_BEHAVIOR_PINNED")
            # SaveFiles ran where each execution ended: the first on the build that started it.
            assert (tmp_path / "1.0.0" / f"run-{first.id}" / "hello.txt").read_text() == "hi"
            assert (tmp_path / "2.0.0" / f"run-{second.id}" / "hello.txt").read_text() == "hi"
            assert not (tmp_path / "2.0.0" / f"run-{first.id}").exists()

    asyncio.run(body())


def test_thread_moves_to_the_current_build_at_its_next_turn(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    deployment = f"stack-{task_queue}"
    thread = uuid.uuid4().hex[:8]

    async def body() -> None:
        async with AsyncExitStack() as stack:
            client = await stack.enter_async_context(running_worker(temporal, task_queue, _env(fake_llm, tmp_path, deployment, "1.0.0")))
            await asyncio.to_thread(set_current_version, temporal, deployment, "1.0.0")
            await thread_turn(client, task_queue, thread, AgentExecutionInput(prompt="remember the word kiwi"))
            assert await _versioning(client, thread_workflow_id(thread)) == ("1.0.0", "VERSIONING_BEHAVIOR_AUTO_UPGRADE")
            await stack.enter_async_context(running_worker(temporal, task_queue, _env(fake_llm, tmp_path, deployment, "2.0.0")))
            await asyncio.to_thread(set_current_version, temporal, deployment, "2.0.0")
            await thread_turn(client, task_queue, thread, AgentExecutionInput(prompt="which word?"))
            assert await _versioning(client, thread_workflow_id(thread)) == ("2.0.0", "VERSIONING_BEHAVIOR_AUTO_UPGRADE")
            # The conversation came along: the second turn's model call carried the first turn.
            assert "kiwi" in json.dumps(fake_llm.requests[-1])

    asyncio.run(body())
