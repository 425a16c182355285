"""The stack where no process of it can find a Python interpreter, as on a user's laptop."""
from __future__ import annotations

import subprocess

import pytest
from support import no_python

from conftest import Stack


@pytest.mark.skipif(not no_python.available(), reason="needs root and unshare for a private mount namespace")
def test_journey_without_any_python(stack: Stack) -> None:
    def hidden(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(no_python.wrap(stack.command(*args)), env=stack.env, capture_output=True, text=True,
                              timeout=timeout)

    started = hidden("server", "start", *stack.port_flags())
    assert started.returncode == 0, started.stderr
    assert no_python.MARKER in started.stderr
    answer = hidden("run", "no interpreter here")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "fake-llm answer: no interpreter here"
    # The daemon and its children run in the namespace where Python is hidden.
    for pid, _ in stack.processes():
        maps = open(f"/proc/{pid}/mountinfo").read()
        assert "stigmer-no-python" in maps
    stopped = hidden("server", "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert stack.processes() == []
