"""SIGTERM while an agent execution is in flight: its model call finishes, the process exits 0.

The fake-LLM stand-in delays its answer so the activity is surely running when the
signal arrives. A second signal follows the first and must not crash anything. For
the frozen executable the signal goes to the one-file bootloader, which must
forward it to the worker process it started.
"""

from __future__ import annotations

import json
import signal
import time
import uuid
from pathlib import Path

import pytest

from agent_runner.contracts import AgentExecutionInput
from fake_llm import ANSWER_PREFIX, FakeLlmServer
from support.launch import start_runner
from support.temporal_dev import TemporalDevServer
from support.workflows import activity_steps, result, start

pytestmark = pytest.mark.temporal

LLM_DELAY_SECONDS = 4


def _wait_for_llm_request(fake_llm: FakeLlmServer, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not fake_llm.requests:
        assert time.monotonic() < deadline, "the agent never called the LLM"
        time.sleep(0.05)


def test_sigterm_lets_the_running_execution_finish(
    kind: str, temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    runner = start_runner(kind, temporal, fake_llm, task_queue, tmp_path, STIGMER_SHUTDOWN_GRACE_SECONDS="30")
    try:
        runner.wait_ready()
        workflow_id = f"shutdown-{uuid.uuid4().hex[:8]}"
        start(temporal.address, task_queue, AgentExecutionInput(prompt=f"slow one [fake:delay={LLM_DELAY_SECONDS}]"), workflow_id)
        _wait_for_llm_request(fake_llm)
        signalled_at = time.monotonic()
        runner.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        runner.process.send_signal(signal.SIGTERM)  # an impatient second signal
        code = runner.wait_exit(60)
        took = time.monotonic() - signalled_at
    finally:
        runner.stop()

    assert code == 0, runner.log()
    events = [json.loads(line).get("event") for line in runner.lines if line.startswith("{")]
    assert events.count("execution_started") == 1, runner.log()
    assert "stopping" in events and events[-1] == "stopped", runner.log()
    assert took >= LLM_DELAY_SECONDS - 1.5, "the process did not wait for the running execution"
    assert "Traceback" not in runner.log()

    # The model call completed on the stopped worker; a new worker only has to finish the workflow.
    successor = start_runner("source", temporal, fake_llm, task_queue, tmp_path)
    try:
        successor.wait_ready()
        outcome, history = result(temporal.address, workflow_id)
    finally:
        successor.stop()
    assert outcome.answer == ANSWER_PREFIX + "slow one"
    assert activity_steps(history) == [("ResolveModel", 1), ("deepagents.invoke_model", 1)]
    assert len(fake_llm.requests) == 1  # the model was not asked again


def test_sigint_while_idle_exits_promptly_and_cleans_up(
    kind: str, temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    private_tmp = tmp_path / "tmp"  # where the one-file executable unpacks itself
    private_tmp.mkdir()
    runner = start_runner(kind, temporal, fake_llm, task_queue, tmp_path / "ws", TMPDIR=str(private_tmp))
    try:
        runner.wait_ready()
        if kind == "frozen":
            assert [p.name[:4] for p in private_tmp.iterdir()] == ["_MEI"]
        runner.process.send_signal(signal.SIGINT)
        assert runner.wait_exit(30) == 0, runner.log()
    finally:
        runner.stop()
    assert list(private_tmp.iterdir()) == []  # no extraction folder left behind
