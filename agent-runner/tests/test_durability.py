"""Executions survive their workers: real agent-runner processes (frozen, where no Python can be
found) on one task queue, killed for real mid-run; the fake-LLM stand-in counts the model calls.

Two homes (each runner has its own workspace folder, as on two machines) serve one queue; the
runner holding the step in flight is the one stopped, so the other must finish the execution.
"""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.client import Client

from agent_runner.contracts import AgentExecutionInput, AgentExecutionResult
from fake_llm import ANSWER_PREFIX, FakeLlmServer
from support import no_python
from support.launch import start_runner
from support.runner_process import RunnerProcess
from support.temporal_dev import TemporalDevServer

pytestmark = [pytest.mark.temporal, pytest.mark.frozen]

STEPS = 4  # tool steps, then the answer: five model calls
DELAY = 2.5  # seconds each model call takes at the stand-in
PROMPT = f"[fake:delay={DELAY}] Work in steps. " + "".join(
    f'[fake:tool=write_file {{"file_path": "/step{i}.txt", "content": "step {i}"}}]' for i in range(1, STEPS + 1)
)


@pytest.fixture
def two_homes(frozen_binary: Path, temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> Iterator[list[RunnerProcess]]:
    if not no_python.available():
        pytest.fail("the frozen tests need root and unshare(1) to hide Python")
    runners = [start_runner("frozen", temporal, fake_llm, task_queue, tmp_path / f"home{i}", log_format="plain") for i in (1, 2)]
    try:
        for runner in runners:
            runner.wait_ready()
        yield runners
    finally:
        for runner in runners:
            runner.stop()


def _steps_seen(fake_llm: FakeLlmServer) -> list[int]:
    """For each model request, the step it was for: how many tool results its conversation held."""
    return [sum(1 for m in r["body"]["messages"] for b in (m["content"] if isinstance(m["content"], list) else []) if b.get("type") == "tool_result") for r in fake_llm.requests]


async def _worker_in_flight(client: Client, workflow_id: str) -> int:
    """The pid of the worker that holds the execution's running step (identity `pid@host`)."""
    while True:
        description = await client.get_workflow_handle(workflow_id).describe()
        pending = [a for a in description.raw_description.pending_activities if a.last_worker_identity]
        if pending:
            return int(pending[0].last_worker_identity.split("@")[0])
        await asyncio.sleep(0.1)


def _runner_of(pid: int, runners: list[RunnerProcess]) -> RunnerProcess:
    """The runner whose process tree (a session of its own) holds `pid`."""
    session = os.getsid(pid)
    return next(r for r in runners if r.pid == session)


async def _interrupt_at_third_call(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, runners: list[RunnerProcess], sig: signal.Signals
) -> tuple[AgentExecutionResult, RunnerProcess, RunnerProcess]:
    client = await Client.connect(temporal.address)
    workflow_id = f"durable-{uuid.uuid4().hex[:8]}"
    handle = await client.start_workflow("ExecuteAgent", AgentExecutionInput(prompt=PROMPT), id=workflow_id, task_queue=task_queue, result_type=AgentExecutionResult)
    while len(fake_llm.requests) < 3:
        await asyncio.sleep(0.05)
    victim = _runner_of(await _worker_in_flight(client, workflow_id), runners)
    os.killpg(victim.pid, sig)
    survivor = next(r for r in runners if r is not victim)
    result = await asyncio.wait_for(handle.result(), 120)
    return result, victim, survivor


def _files_in(home: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in home.glob("run-*/*.txt")}


def test_sigkill_of_the_worker_in_flight_repeats_at_most_that_call(
    two_homes: list[RunnerProcess], temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    result, victim, survivor = asyncio.run(_interrupt_at_third_call(temporal, fake_llm, task_queue, two_homes, signal.SIGKILL))
    assert result.answer == ANSWER_PREFIX + f"Updated file /step{STEPS}.txt"
    seen = Counter(_steps_seen(fake_llm))
    assert sorted(seen) == list(range(STEPS + 1)), seen
    repeated = {step: n for step, n in seen.items() if n > 1}
    assert repeated == {2: 2}, f"only the call in flight (step 2) may run twice: {seen}"
    # The files of the steps before the kill were written in the agent's state: the survivor has them all.
    assert [f.path for f in result.files] == [f"/step{i}.txt" for i in range(1, STEPS + 1)]
    survivor_home = tmp_path / ("home2" if survivor is two_homes[1] else "home1")
    assert _files_in(survivor_home) == {f"step{i}.txt": f"step {i}" for i in range(1, STEPS + 1)}
    assert victim.process.wait(10) != 0


def test_sigterm_lets_the_step_in_flight_finish_and_hands_over_the_rest(
    two_homes: list[RunnerProcess], temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str
) -> None:
    result, victim, _ = asyncio.run(_interrupt_at_third_call(temporal, fake_llm, task_queue, two_homes, signal.SIGTERM))
    assert result.answer == ANSWER_PREFIX + f"Updated file /step{STEPS}.txt"
    assert sorted(_steps_seen(fake_llm)) == list(range(STEPS + 1))  # every call once, none repeated
    assert victim.wait_exit(60) == 0
    assert any("event=stopped" in line for line in victim.lines), victim.log()
