"""Starting the agent-runner as a separate process (from source or frozen) and watching its log."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Optional

AGENT_RUNNER_DIR = Path(__file__).resolve().parents[2]
FROZEN_BINARY = AGENT_RUNNER_DIR / "dist" / "agent-runner"  # one file: local use and these tests
FROZEN_FOLDER = AGENT_RUNNER_DIR / "dist" / "agent-runner-folder"  # one folder: what releases ship
VENV_DIR = AGENT_RUNNER_DIR / ".venv"


def source_command() -> list[str]:
    return [str(VENV_DIR / "bin" / "python"), "-m", "agent_runner"]


def frozen_command() -> list[str]:
    return [str(FROZEN_BINARY)]


def is_ready_line(line: str) -> bool:
    """The ready event, in either log format (the contract a supervisor relies on)."""
    if line.startswith("{"):
        try:
            return bool(json.loads(line).get("event") == "ready")
        except json.JSONDecodeError:
            return False
    return " event=ready" in line


class RunnerProcess:
    """A running agent-runner whose stderr lines are collected as they arrive."""

    def __init__(self, command: Sequence[str], env: dict[str, str]) -> None:
        self.command = list(command)
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            self.command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # signals in tests reach only this process tree
        )
        self.lines: list[str] = []
        self.stdout = ""
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for_line(self, predicate: Callable[[str], bool], timeout: float) -> str:
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for line in self.lines[seen:]:
                    if predicate(line):
                        return line
                seen = len(self.lines)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.process.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(f"no matching log line within {timeout}s; log:\n" + self.log())
                self._changed.wait(min(remaining, 0.5))

    def wait_ready(self, timeout: float = 120.0) -> str:
        return self.wait_for_line(is_ready_line, timeout)

    def wait_exit(self, timeout: float) -> int:
        code = self.process.wait(timeout)
        self._reader.join(5)
        if self.process.stdout is not None:
            self.stdout = self.process.stdout.read()
        return code

    def log(self) -> str:
        return "\n".join(self.lines)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def runner_env(**overrides: Optional[str]) -> dict[str, str]:
    """A minimal environment: no inherited provider keys or Temporal settings."""
    env = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "TMPDIR", "USER")}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    for key, value in overrides.items():
        if value is not None:
            env[key] = value
    return env
