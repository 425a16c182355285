"""The replay corpus: every release's recorded histories (histories/<release>/, recorded by that
release's frozen executable with `make record-histories`) replay on this code, from source and in
the frozen executable where no Python can be found. A workflow change that would break the
executions those releases left in flight fails here, naming the history and the step."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow

from agent_runner.agent_turn import run_turn
from agent_runner.contracts import CHECK_WORKSPACE_ACTIVITY, AgentExecutionInput, AgentExecutionResult, ThreadState
from agent_runner.errors import StartupError
from agent_runner.observed_execution import ObservedExecution
from agent_runner.replay import replay_history_files
from agent_runner.thread_workflow import AgentThread, AgentThreadBody
from agent_runner.workflow import ExecuteAgent
from support.corpus import REQUIRED, machine_paths_in
from support.launch import command_for
from support.runner_process import AGENT_RUNNER_DIR, runner_env

CORPUS = AGENT_RUNNER_DIR / "histories"
RELEASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())
SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")


def _events(history: Path) -> list[dict[str, object]]:
    events: list[dict[str, object]] = json.loads(history.read_text())["events"]
    return events


def _scheduled(history: Path, activity: str) -> list[int]:
    """Ids of the events that scheduled `activity`, in order."""
    return [
        int(str(e["eventId"]))
        for e in _events(history)
        if isinstance(a := e.get("activityTaskScheduledEventAttributes"), dict) and a["activityType"]["name"] == activity
    ]


def test_every_release_has_a_corpus_fit_to_commit() -> None:
    assert RELEASES, "no corpus under histories/"
    for release in RELEASES:
        assert SEMVER.match(release.name), release
        names = {p.stem for p in release.glob("*.json")}
        assert set(REQUIRED) <= names, f"{release.name} lacks {set(REQUIRED) - names}"
        for history in release.glob("*.json"):
            text = history.read_text()
            assert machine_paths_in(text, [str(AGENT_RUNNER_DIR.parent), str(Path.home()) + "/"]) == [], history
            # Recorded as a stack runs: a version of the Worker Deployment, built as that release.
            builds = {
                str(e["workflowTaskCompletedEventAttributes"]["deploymentVersion"]["buildId"])  # type: ignore[index]
                for e in _events(history)
                if "workflowTaskCompletedEventAttributes" in e
            }
            assert builds == {release.name}, (history, builds)


@pytest.mark.frozen
def test_every_release_corpus_replays(kind: str) -> None:
    histories = sorted(CORPUS.glob("*/*.json"))
    result = subprocess.run(
        command_for(kind) + ["replay", *map(str, histories)], env=runner_env(), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"replayed {h.parent.name}/{h.name}: ok" for h in histories]


# Deliberate workflow changes, as a release might make them: each breaks executions in flight.


@workflow.defn(name="ExecuteAgent", sandboxed=False)
class CheckFirst(ObservedExecution):
    """A new first step (the workspace checked even without one)."""

    @workflow.run
    async def run(self, request: AgentExecutionInput) -> AgentExecutionResult:
        await workflow.execute_activity(CHECK_WORKSPACE_ACTIVITY, "/", start_to_close_timeout=timedelta(seconds=60))
        return (await run_turn(request, "folder", self.observed)).result


@workflow.defn(name="ExecuteAgent", sandboxed=False)
class OneModelCall(ObservedExecution):
    """A lower limit of model calls: the execution now fails where it made its second call."""

    @workflow.run
    async def run(self, request: AgentExecutionInput) -> AgentExecutionResult:
        return (await run_turn(replace(request, max_model_calls=1), "folder", self.observed)).result


@workflow.defn(name="AgentThread", sandboxed=False)
class NewRunEveryTurn(AgentThreadBody):
    """A thread that continues as new after every turn."""

    def _should_continue_as_new(self) -> bool:
        return self.turns > 0 and not self.lock.locked()

    @workflow.run
    async def run(self, state: ThreadState) -> None:
        await self.live()


def _failure(history: Path, *workflows: type) -> str:
    with pytest.raises(StartupError) as failure:
        asyncio.run(replay_history_files([history], lambda name: None, workflows))
    return failure.value.one_line()


@pytest.mark.parametrize("release", RELEASES, ids=[r.name for r in RELEASES])
def test_a_changed_workflow_fails_naming_the_history_and_the_step(release: Path) -> None:
    tool_calls = release / "tool_calls.json"
    first = _scheduled(tool_calls, "ResolveModel")[0]
    line = _failure(tool_calls, CheckFirst, AgentThread)
    assert line.startswith(f"replay of {release.name}/tool_calls.json failed at event {first} (ActivityTaskScheduled ResolveModel): "), line
    assert "Nondeterminism" in line and "\n" not in line

    second = _scheduled(tool_calls, "deepagents.invoke_model")[1]
    line = _failure(tool_calls, OneModelCall, AgentThread)
    assert line.startswith(
        f"replay of {release.name}/tool_calls.json failed at event {second} (ActivityTaskScheduled deepagents.invoke_model, model call 2): "
    ), line

    turns = release / "thread_turns.json"
    accepted = [int(str(e["eventId"])) for e in _events(turns) if "workflowExecutionUpdateAcceptedEventAttributes" in e]
    line = _failure(turns, ExecuteAgent, NewRunEveryTurn)
    assert line.startswith(f"replay of {release.name}/thread_turns.json failed at event {accepted[1]} (WorkflowExecutionUpdateAccepted Turn turn-2): "), line
