"""Recorded ExecuteAgent histories replay, from source and inside the frozen executable (where
no Python can be found): the workflow code still makes the decisions it made when they were
recorded. The committed histories here come from an unversioned worker in the test process
(STIGMER_RECORD_FIXTURES=1 records them again); what a stack's runner records is the corpus of
every release (histories/, test_corpus.py), whose scenarios are run here too on a versioned
worker, so they keep working between releases."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowHistory

from agent_runner.contracts import AgentExecutionInput
from agent_runner.workspace import thread_workflow_id
from fake_llm import FakeLlmServer
from support import corpus, no_python
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


def _replay(kind: str, *histories: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command_for(kind) + ["replay", *map(str, histories)], env=runner_env(), capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def fresh_histories(temporal: TemporalDevServer, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every scenario run now, against the current code; the unversioned ones are written to the
    fixtures too when recording, the corpus scenarios (in `stack/`) never are."""
    folder = tmp_path_factory.mktemp("histories")
    (folder / "stack").mkdir()
    written: list[Path] = []

    def write(path: Path, history: WorkflowHistory) -> None:
        path.write_text(corpus.fit_to_commit(history, folder))
        written.append(path)

    async def record() -> None:
        with FakeLlmServer(api_key="test-key-123") as fake_llm:
            async with running_worker(temporal, "histories", fake_llm_env(fake_llm, folder / "workspaces")) as client:
                for name, scenario in SCENARIOS.items():
                    write(folder / f"{name}.json", await scenario(client, "histories"))
            # What a stack's runner records: a worker that is a version of a Worker Deployment
            # (pinned executions, auto-upgrade threads).
            env = fake_llm_env(fake_llm, folder / "workspaces", TEMPORAL_DEPLOYMENT_NAME="histories", TEMPORAL_WORKER_BUILD_ID="1.0.0")
            async with running_worker(temporal, "histories-versioned", env) as client:
                await asyncio.to_thread(set_current_version, temporal, "histories", "1.0.0")
                run = corpus.Recording(client, "histories-versioned", folder, "fresh-")
                for name, stack_scenario in corpus.SCENARIOS.items():
                    write(folder / "stack" / f"{name}.json", await stack_scenario(run))

    asyncio.run(record())
    if os.environ.get("STIGMER_RECORD_FIXTURES") == "1":
        for path in written:
            if path.parent == folder:
                (HISTORIES / path.name).write_text(path.read_text())
    return written


def test_every_scenario_is_recorded_and_committed(fresh_histories: list[Path]) -> None:
    assert sorted(p.stem for p in HISTORIES.glob("*.json")) == sorted(SCENARIOS)
    assert len(fresh_histories) == len(SCENARIOS) + len(corpus.SCENARIOS)


def test_fresh_histories_replay(kind: str, fresh_histories: list[Path]) -> None:
    result = _replay(kind, *fresh_histories)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"replayed {path.parent.name}/{path.name}: ok" for path in fresh_histories]


def test_committed_histories_replay(kind: str) -> None:
    committed = sorted(HISTORIES.glob("*.json"))
    result = _replay(kind, *committed)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"replayed histories/{path.name}: ok" for path in committed]
    assert len(committed) == len(SCENARIOS)


def _tampered(tmp_path: Path, nth_model_call: int = 0) -> tuple[Path, int]:
    """tool_calls.json with one scheduled step renamed, and that event's id: the first step
    (ResolveModel), or the nth model call renamed ResolveModel (the name the failure quotes then
    also matches an earlier event)."""
    history = json.loads((HISTORIES / "tool_calls.json").read_text())
    scheduled = [e for e in history["events"] if "activityTaskScheduledEventAttributes" in e]
    if nth_model_call:
        event = [e for e in scheduled if e["activityTaskScheduledEventAttributes"]["activityType"]["name"] == "deepagents.invoke_model"][nth_model_call - 1]
        event["activityTaskScheduledEventAttributes"]["activityType"]["name"] = "ResolveModel"
    else:
        event = scheduled[0]
        event["activityTaskScheduledEventAttributes"]["activityType"]["name"] = "SomeOtherActivity"
    path = tmp_path / f"tampered-{nth_model_call}.json"
    path.write_text(json.dumps(history))
    return path, int(event["eventId"])


def _error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line != no_python.MARKER]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_replay_detects_a_changed_workflow(kind: str, tmp_path: Path) -> None:
    """A history whose step differs from what the code schedules fails to replay, in one line that
    names the history and the step (found by replaying shorter prefixes when the message does not)."""
    path, first = _tampered(tmp_path)
    line = _error_line(_replay(kind, path))
    assert line.startswith(f"agent-runner: error: replay of {tmp_path.name}/tampered-0.json failed at event {first} (ActivityTaskScheduled SomeOtherActivity): "), line
    assert "Nondeterminism" in line
    path, third = _tampered(tmp_path, 3)
    line = _error_line(_replay(kind, path))
    assert f"/tampered-3.json failed at event {third} (ActivityTaskScheduled ResolveModel #2): " in line, line
