"""The frozen worker dies with its bootloader, even when the bootloader is SIGKILLed.

That is what lets a supervisor killed with SIGKILL take the whole agent-runner with it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from agent_runner import parent_death


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State:"))
    except (OSError, StopIteration):
        return False
    return "Z" not in state.split()[1]


def test_not_frozen_means_nothing_to_do() -> None:
    assert parent_death.die_with_bootloader() is False


@pytest.mark.frozen
def test_worker_dies_within_two_seconds_of_a_sigkilled_bootloader(frozen_binary: Path) -> None:
    # A server that accepts connections and never answers keeps the worker busy connecting.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "TEMPORAL_SERVICE_ADDRESS": f"127.0.0.1:{silent.getsockname()[1]}",
        "STIGMER_TEMPORAL_CONNECT_TIMEOUT_SECONDS": "60",
        "STIGMER_LLM_PROVIDER": "openai",
        "OPENAI_API_KEY": "sk-test",
    }
    bootloader = subprocess.Popen([str(frozen_binary)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _children(bootloader.pid):
            time.sleep(0.05)
        workers = _children(bootloader.pid)
        assert workers, "the one-file bootloader started no worker"
        time.sleep(2)  # past start-up: the worker is waiting on Temporal
        os.kill(bootloader.pid, signal.SIGKILL)
        bootloader.wait()
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and _alive(workers[0]):
            time.sleep(0.05)
        assert not _alive(workers[0]), "the worker outlived its SIGKILLed bootloader"
    finally:
        for pid in _children(bootloader.pid):
            os.kill(pid, signal.SIGKILL)
        if bootloader.poll() is None:
            bootloader.kill()
        silent.close()
