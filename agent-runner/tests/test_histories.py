"""Recorded ExecuteAgent histories replay, from source and inside the frozen executable (where
no Python can be found): the workflow code still makes the decisions it made when they were
recorded. The committed histories are the contract with executions already in flight; a new
release must replay every one of them (STIGMER_RECORD_FIXTURES=1 records them again)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHistory

from agent_runner.contracts import AgentExecutionInput
from agent_runner.workspace import thread_workflow_id
from fake_llm import FakeLlmServer
from support import no_python
from support.deployment import set_current_version
from support.in_process import execute, failure_of, fake_llm_env, running_worker, thread_turn
from support.launch import command_for
from support.runner_process import runner_env
from support.temporal_dev import TemporalDevServer

pytestmark = pytest.mark.temporal

HISTORIES = Path(__file__).parent / "fixtures" / "histories"


async def _tool_calls(client: Client, queue: str) -> WorkflowHistory:
    prompt = 'Note and list. [fake:tool=write_file {"file_path": "/hello.txt", "content": "hi"}] [fake:tool=ls {"path": "/"}]'
    return (await execute(client, queue, AgentExecutionInput(prompt=prompt), "tool-calls"))[1]


async def _thread_turn(client: Client, queue: str) -> WorkflowHistory:
    await thread_turn(client, queue, "t1", AgentExecutionInput(prompt='Remember. [fake:tool=write_file {"file_path": "/n.txt", "content": "Ada"}]'))
    await thread_turn(client, queue, "t1", AgentExecutionInput(prompt='And now? [fake:tool=read_file {"file_path": "/n.txt"}]'))
    return await client.get_workflow_handle(thread_workflow_id("t1")).fetch_history()


async def _sub_agent(client: Client, queue: str) -> WorkflowHistory:
    prompt = 'Delegate. [fake:tool=task {"description": "Count to three", "subagent_type": "general-purpose"}]'
    return (await execute(client, queue, AgentExecutionInput(prompt=prompt), "sub-agent"))[1]


async def _retried_step(client: Client, queue: str) -> WorkflowHistory:
    return (await execute(client, queue, AgentExecutionInput(prompt="Flaky provider [fake:fail=503*1]"), "retried-step"))[1]


async def _failed_step(client: Client, queue: str) -> WorkflowHistory:
    return (await failure_of(client, queue, AgentExecutionInput(prompt="Refused [fake:fail=401]")))[1]


SCENARIOS: dict[str, Callable[[Client, str], Awaitable[WorkflowHistory]]] = {
    "tool_calls": _tool_calls,
    "thread_turn": _thread_turn,
    "sub_agent": _sub_agent,
    "retried_step": _retried_step,
    "failed_step": _failed_step,
}


async def _versioned_tool_calls(client: Client, queue: str) -> WorkflowHistory:
    prompt = 'Note. [fake:tool=write_file {"file_path": "/v.txt", "content": "v"}]'
    return (await execute(client, queue, AgentExecutionInput(prompt=prompt), "versioned-tool-calls"))[1]


async def _versioned_thread_turn(client: Client, queue: str) -> WorkflowHistory:
    await thread_turn(client, queue, "t2", AgentExecutionInput(prompt='Remember. [fake:tool=write_file {"file_path": "/n.txt", "content": "Ada"}]'))
    await thread_turn(client, queue, "t2", AgentExecutionInput(prompt="And now?"))
    return await client.get_workflow_handle(thread_workflow_id("t2")).fetch_history()


VERSIONED_SCENARIOS: dict[str, Callable[[Client, str], Awaitable[WorkflowHistory]]] = {
    "versioned_tool_calls": _versioned_tool_calls,
    "versioned_thread_turn": _versioned_thread_turn,
}


def _without_stack_traces(value: Any) -> Any:
    """The history with its failures' stack traces emptied: they name this machine's files, and
    replay never reads them."""
    if isinstance(value, dict):
        return {k: ("" if k == "stackTrace" else _without_stack_traces(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_stack_traces(v) for v in value]
    return value


def _replay(kind: str, *histories: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command_for(kind) + ["replay", *map(str, histories)], env=runner_env(), capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def fresh_histories(temporal: TemporalDevServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every scenario run now, against the current code; written to the fixtures too when recording."""
    folder = tmp_path_factory.mktemp("histories")

    written: dict[str, Path] = {}

    def write(name: str, history: WorkflowHistory) -> None:
        written[name] = folder / f"{name}.json"
        written[name].write_text(json.dumps(_without_stack_traces(json.loads(history.to_json())), indent=1) + "\n")

    async def record() -> dict[str, Path]:
        with FakeLlmServer(api_key="test-key-123") as fake_llm:
            async with running_worker(temporal, "histories", fake_llm_env(fake_llm, folder / "workspaces")) as client:
                for name, scenario in SCENARIOS.items():
                    write(name, await scenario(client, "histories"))
            # What a stack's runner records: a worker that is a version of a Worker Deployment
            # (pinned executions, auto-upgrade threads).
            env = fake_llm_env(fake_llm, folder / "workspaces", TEMPORAL_DEPLOYMENT_NAME="histories", TEMPORAL_WORKER_BUILD_ID="1.0.0")
            async with running_worker(temporal, "histories-versioned", env) as client:
                await asyncio.to_thread(set_current_version, temporal, "histories", "1.0.0")
                for name, scenario in VERSIONED_SCENARIOS.items():
                    write(name, await scenario(client, "histories-versioned"))
        return written

    histories = asyncio.run(record())
    if os.environ.get("STIGMER_RECORD_FIXTURES") == "1":
        for name, path in histories.items():
            (HISTORIES / path.name).write_text(path.read_text())
    return histories


def test_every_scenario_is_recorded_and_committed(fresh_histories: dict[str, Path]) -> None:
    assert sorted(p.stem for p in HISTORIES.glob("*.json")) == sorted([*SCENARIOS, *VERSIONED_SCENARIOS])


def test_fresh_histories_replay(kind: str, fresh_histories: dict[str, Path]) -> None:
    result = _replay(kind, *fresh_histories.values())
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"replayed {name}.json: ok" for name in fresh_histories]


def test_committed_histories_replay(kind: str) -> None:
    committed = sorted(HISTORIES.glob("*.json"))
    result = _replay(kind, *committed)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(committed) == len(SCENARIOS) + len(VERSIONED_SCENARIOS)


def test_replay_detects_a_changed_workflow(kind: str, tmp_path: Path) -> None:
    """A history whose step differs from what the code schedules must fail to replay, in one line."""
    tampered = tmp_path / "tampered.json"
    tampered.write_text((HISTORIES / "tool_calls.json").read_text().replace('"ResolveModel"', '"SomeOtherActivity"'))
    result = _replay(kind, tampered)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line != no_python.MARKER]
    assert len(lines) == 1 and "Nondeterminism" in lines[0] and "SomeOtherActivity" in lines[0], result.stderr
