"""The user's journey: start from a signed release, run an agent, look, stop."""
from __future__ import annotations

import json
import time
from pathlib import Path

from conftest import FAKE_LLM_KEY, VERSION, Stack


def environment_of(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace").split("\0")


def test_start_run_status_logs_stop_leaves_nothing(stack: Stack, fake_llm: str) -> None:
    started = stack.start()
    assert "the stack is ready" in started.stderr
    assert "installing release " + VERSION in started.stderr
    assert "temporal" in started.stdout and "agent-runner" in started.stdout

    status = stack.status()
    assert status["running"] and status["ready"]
    states = {c["name"]: c["state"] for c in status["components"]}
    assert states == {"temporal": "ready", "agent-runner": "ready"}
    runner = stack.component("agent-runner")
    assert runner["binary"].startswith(str(stack.home / "versions" / "agent-runner" / VERSION))
    assert stack.component("temporal")["ports"]["grpc"] == stack.ports["grpc"]
    # Secrets given to the stack appear in no output of stigmer's.
    assert FAKE_LLM_KEY not in json.dumps(status)
    # The provider key reaches agent-runner's process and not Temporal's.
    assert f"OPENAI_API_KEY={FAKE_LLM_KEY}" in environment_of(stack.component("agent-runner")["pid"])
    assert not [entry for entry in environment_of(stack.component("temporal")["pid"]) if FAKE_LLM_KEY in entry]

    answer = stack.run("run", "Say hello to the journey", check=True)
    assert answer.stdout.strip() == "fake-llm answer: Say hello to the journey"
    result = json.loads(stack.run("run", "--json", "[fake:tool=ls {\"path\": \"/\"}] list files", check=True).stdout)
    assert result["provider"] == "openai" and result["model"] == "gpt-e2e"
    assert [call["name"] for call in result["tool_calls"]] == ["ls"]
    assert result["usage"]["total_tokens"] == 30  # two model calls

    # The key really reached the provider stand-in, from the environment of `server start`.
    import urllib.request

    requests = json.loads(urllib.request.urlopen(f"{fake_llm}/_fake/requests").read())
    assert any(r["headers"].get("authorization") == f"Bearer {FAKE_LLM_KEY}" for r in requests)

    logs = stack.run("server", "logs", "--all", "-n", "200", check=True).stdout
    assert "temporal     | " in logs and "agent-runner | " in logs and "stigmer      | " in logs
    assert "event=ready" in logs
    # The supervisor's events are the daemon's lines; a component's own log repeats them for
    # `-c`, but merged they appear once.
    assert logs.count("agent-runner: started (pid") == 1 and "| stigmer: " not in logs, logs
    assert "stigmer: started (pid" in stack.run("server", "logs", "-c", "agent-runner", "-n", "200", check=True).stdout
    for name in ("stigmer", "temporal", "agent-runner"):
        assert FAKE_LLM_KEY not in (stack.home / "logs" / ("daemon.log" if name == "stigmer" else f"{name}.log")).read_text()

    stopped = stack.run("server", "stop", check=True)
    assert stopped.stdout.strip() == "stopped"
    assert stack.processes() == []
    assert stack.run("server", "status").returncode == 8


def test_already_running_start_says_so_and_succeeds(stack: Stack) -> None:
    stack.start()
    again = stack.start()
    assert "already running" in again.stderr
    assert "agent-runner" in again.stdout


def test_a_second_start_is_offline_and_fast(stack: Stack) -> None:
    stack.start()
    stack.run("server", "stop", check=True)
    # Nothing is downloaded again: the release server is not asked (pointed at a dead port).
    stack.env["STIGMER_RELEASES_URL"] = "http://127.0.0.1:9"
    began = time.monotonic()
    again = stack.start()
    assert "installing" not in again.stderr
    assert time.monotonic() - began < 120
    assert stack.status()["ready"]


def test_run_without_a_stack_says_how_to_start_it(stack: Stack) -> None:
    result = stack.run("run", "hello")
    assert result.returncode == 8
    assert result.stderr.strip() == (
        f"stigmer: error: the stack is not running, {stack.home}; start it with 'stigmer server start'")


def test_foreground_runs_in_the_terminal_and_ctrl_c_stops_everything(stack: Stack) -> None:
    import signal

    stack.run("server", "install", check=True)
    foreground = stack.spawn("server", "start", "--foreground", *stack.port_flags())
    stack.wait_for(lambda: stack.status()["ready"], what="the foreground stack to be ready")
    foreground.send_signal(signal.SIGINT)
    _, err = foreground.communicate(timeout=120)
    assert foreground.returncode == 0, err
    assert "agent-runner: stopped" in err and "temporal: stopped" in err
    assert stack.processes() == []


def test_workflows_survive_a_restart_of_the_stack(stack: Stack) -> None:
    import urllib.request

    stack.start()
    first = json.loads(stack.run("run", "--json", "remember me", check=True).stdout)
    restarted = stack.run("server", "restart", *stack.port_flags(), check=True)
    assert "agent-runner" in restarted.stdout
    url = (f"http://127.0.0.1:{stack.ports['http']}/api/v1/namespaces/default/workflows/"
           f"{first['workflow_id']}")
    described = json.loads(urllib.request.urlopen(url, timeout=10).read())
    assert described["workflowExecutionInfo"]["status"] == "WORKFLOW_EXECUTION_STATUS_COMPLETED"


def test_an_unresponsive_daemon_is_stopped_through_its_pid(stack: Stack) -> None:
    import os
    import signal

    stack.start()
    daemon = stack.status()["daemon"]["pid"]
    os.kill(daemon, signal.SIGSTOP)  # alive, holding its lock, answering nothing
    try:
        stopped = stack.run("server", "stop", timeout=120)
    finally:
        try:
            os.kill(daemon, signal.SIGCONT)
        except ProcessLookupError:
            pass
    assert stopped.returncode == 0, stopped.stderr
    assert "does not answer" in stopped.stderr or "forcing" in stopped.stderr
    time.sleep(2)
    assert stack.processes() == []
    assert stack.run("server", "status").returncode == 8
