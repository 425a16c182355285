"""Nothing left in a temp directory: not while the stack runs, not after a SIGKILL of the
agent-runner or of the daemon (docs/adr/0009). The released agent-runner is a folder unpacked
once at install, so a start writes nothing; the runner's TMPDIR is STIGMER_HOME/tmp, which
the daemon empties when it starts, for whatever a one-file build (`--use-local-binary`) unpacks.
The system temp directory is a private one here, so every byte in it is the stack's."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from conftest import REPO, Stack

ONE_FILE_RUNNER = REPO / "agent-runner" / "dist" / "agent-runner"


def _bytes_under(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) if root.exists() else 0


@pytest.fixture
def system_temp(stack: Stack, tmp_path: Path) -> Path:
    temp = tmp_path / "system-temp"
    temp.mkdir()
    for name in ("TMPDIR", "TMP", "TEMP"):
        stack.env[name] = str(temp)
    return temp


def _kill_daemon_and_wait(stack: Stack) -> None:
    os.kill(stack.status()["daemon"]["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and stack.processes():
        time.sleep(0.05)
    assert stack.processes() == []


def test_the_released_runner_leaves_no_byte_in_a_temp_directory_after_any_sigkill(stack: Stack, system_temp: Path) -> None:
    stack.start()
    runner = stack.component("agent-runner")
    assert runner["binary"].endswith("/agent-runner")
    assert stack.run("run", "a first execution", check=True).stdout.strip() == "fake-llm answer: a first execution"
    assert (_bytes_under(system_temp), _bytes_under(stack.home / "tmp")) == (0, 0), "written while running"

    os.killpg(runner["pid"], signal.SIGKILL)
    stack.wait_for(lambda: stack.component("agent-runner")["restarts"] == 1, what="restart count")
    stack.wait_for(lambda: stack.component("agent-runner")["state"] == "ready", what="agent-runner ready again")
    assert (_bytes_under(system_temp), _bytes_under(stack.home / "tmp")) == (0, 0), "left by the killed runner"

    _kill_daemon_and_wait(stack)  # its SIGKILL takes the runner with it
    assert (_bytes_under(system_temp), _bytes_under(stack.home / "tmp")) == (0, 0), "left by the killed daemon"


def test_what_a_one_file_runner_unpacks_stays_under_the_home_and_goes_at_the_next_start(stack: Stack, system_temp: Path) -> None:
    assert ONE_FILE_RUNNER.is_file(), "build it first: make -C agent-runner build-binary"
    stack.start("--use-local-binary", f"agent-runner={ONE_FILE_RUNNER}")
    unpacked = _bytes_under(stack.home / "tmp")
    assert unpacked > 10 * 1024 * 1024, "the one-file build unpacks itself under STIGMER_HOME/tmp"
    assert _bytes_under(system_temp) == 0

    _kill_daemon_and_wait(stack)
    assert _bytes_under(stack.home / "tmp") > 0  # a one-file bootloader killed cannot clean up
    assert _bytes_under(system_temp) == 0

    stack.start("--use-local-binary", f"agent-runner={ONE_FILE_RUNNER}")
    daemon_log = (stack.home / "logs" / "daemon.log").read_text()
    assert "temporary file(s) left by components that were killed" in daemon_log
    # Only the new runner's own unpacked bundle is there now, not the killed one's as well.
    assert _bytes_under(stack.home / "tmp") < unpacked * 1.5
    stack.run("server", "stop", check=True)
    assert _bytes_under(stack.home / "tmp") == 0  # a runner stopped with SIGTERM cleans up itself
    assert _bytes_under(system_temp) == 0
