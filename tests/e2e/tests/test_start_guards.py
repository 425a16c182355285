"""What `server start` refuses or serialises, and what it leaves behind when it does."""
from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from conftest import Stack


def daemons(stack: Stack) -> list[int]:
    return [pid for pid, command in stack.processes() if " daemon " in command]


def test_five_concurrent_starts_make_one_daemon(stack: Stack) -> None:
    starts = [stack.spawn("server", "start", *stack.port_flags()) for _ in range(5)]
    results = [p.communicate(timeout=300) for p in starts]
    assert [p.returncode for p in starts] == [0] * 5, [err for _, err in results]
    assert len(daemons(stack)) == 1
    assert stack.status()["ready"]


def test_a_taken_port_is_named_before_anything_starts(stack: Stack) -> None:
    holder = socket.socket()
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    holder.bind(("127.0.0.1", stack.ports["http"]))
    holder.listen(1)
    try:
        result = stack.run("server", "start", *stack.port_flags())
    finally:
        holder.close()
    assert result.returncode == 7
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"port {stack.ports['http']} (Temporal HTTP API) is already in use by pid" in lines[0]
    assert "--http-port" in lines[0]
    assert stack.processes() == []


def test_stop_during_start_stops_everything(stack: Stack, tmp_path: Path) -> None:
    # An agent-runner that never says ready keeps the start in progress however fast the real
    # one has become (0.4 s): the stop always lands during the start.
    never_ready = tmp_path / "never-ready-runner"
    never_ready.write_text("#!/bin/sh\necho 'starting, slowly' >&2\nsleep 600\n")
    never_ready.chmod(0o755)
    start = stack.spawn("server", "start", *stack.port_flags(), "--use-local-binary", f"agent-runner={never_ready}")
    # Stop as soon as a daemon exists, while components are still starting.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not daemons(stack):
        time.sleep(0.05)
    assert daemons(stack), "no daemon appeared"
    stop = stack.run("server", "stop", check=True)
    assert stop.returncode == 0
    _, err = start.communicate(timeout=120)
    assert start.returncode != 0
    assert "stopped before the stack was ready" in err
    assert stack.processes() == []
    assert not [c for _, c in _all_processes() if str(never_ready) in c], "the starting runner was left running"


def _all_processes() -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and "State:\tZ" not in (entry / "status").read_text():
                found.append((int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")))
        except OSError:
            continue
    return found


def test_a_component_that_cannot_start_fails_the_start_with_its_last_lines(stack: Stack) -> None:
    # No API key for OpenAI itself: agent-runner refuses to start, every time. (With
    # STIGMER_LLM_BASE_URL, a server of one's own, a key is optional: test_providers.)
    del stack.env["OPENAI_API_KEY"]
    del stack.env["STIGMER_LLM_BASE_URL"]
    result = stack.run("server", "start", *stack.port_flags())
    assert result.returncode != 0
    assert "agent-runner failed to start" in result.stderr
    assert "OPENAI_API_KEY" in result.stderr
    assert "Traceback" not in result.stderr and "Python" not in result.stderr
    assert stack.processes() == []
    assert subprocess.run(stack.command("server", "status"), env=stack.env, capture_output=True).returncode == 8
