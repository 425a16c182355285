"""Processes killed for real: the daemon restarts what dies, and dies cleanly itself."""
from __future__ import annotations

import os
import signal
import time

from conftest import Stack


def test_killed_agent_runner_is_restarted_and_the_inflight_execution_completes(stack: Stack) -> None:
    stack.start()
    first = stack.component("agent-runner")["pid"]
    # The model stand-in answers after 6 s: the execution is in flight when the worker dies.
    run = stack.spawn("run", "[fake:delay=6] survive a crash")
    stack.wait_for(lambda: any("agent_runner" in c or "agent-runner" in c for _, c in stack.processes()), what="worker")
    time.sleep(3)
    os.killpg(first, signal.SIGKILL)
    stack.wait_for(lambda: stack.component("agent-runner")["restarts"] == 1, what="restart count")
    stack.wait_for(lambda: stack.component("agent-runner")["state"] == "ready", what="agent-runner ready again")
    assert stack.component("agent-runner")["pid"] != first
    out, err = run.communicate(timeout=240)
    assert run.returncode == 0, err
    assert out.strip() == "fake-llm answer: survive a crash"


def test_killed_temporal_is_restarted_and_the_stack_serves_again(stack: Stack) -> None:
    stack.start()
    temporal = stack.component("temporal")["pid"]
    os.kill(temporal, signal.SIGKILL)
    stack.wait_for(lambda: stack.component("temporal")["restarts"] == 1, what="temporal restart")
    stack.wait_for(lambda: stack.status()["ready"], what="stack ready again")
    assert stack.run("run", "after the crash", check=True).stdout.strip() == "fake-llm answer: after the crash"


def test_killed_daemon_takes_its_children_and_the_next_start_works(stack: Stack) -> None:
    stack.start()
    daemon = stack.status()["daemon"]["pid"]
    children = [c["pid"] for c in stack.status()["components"]]
    os.kill(daemon, signal.SIGKILL)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and stack.processes():
        time.sleep(0.05)
    assert stack.processes() == [], f"left behind after 2 s: {stack.processes()} (children were {children})"
    status = stack.run("server", "status")
    assert status.returncode == 8
    stack.start()
    assert stack.status()["ready"]


def test_the_daemon_log_says_why_the_stack_stopped(stack: Stack) -> None:
    log = stack.home / "logs" / "daemon.log"
    stack.start()
    stack.run("server", "stop", check=True)
    assert "stop asked over the control socket (stigmer server stop)" in log.read_text()
    assert "stop signal received" not in log.read_text()
    stack.start()
    os.kill(stack.status()["daemon"]["pid"], signal.SIGTERM)
    stack.wait_for(lambda: not stack.processes(), what="the stack to stop on SIGTERM")
    after_start = log.read_text().rsplit("daemon started", 1)[1]
    assert "stop signal received" in after_start and "control socket" not in after_start
