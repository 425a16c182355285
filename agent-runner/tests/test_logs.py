"""Log lines: the ready event is parseable in both formats; tracebacks only at debug level."""

from __future__ import annotations

import json
import logging

import pytest

from agent_runner import logs
from support.runner_process import is_ready_line


def _emit(capsys: pytest.CaptureFixture[str], log_format: str, level: str = "info") -> list[str]:
    logs.configure(log_format, level)
    log = logs.logger()
    logs.event(log, "ready", "polling for agent executions", task_queue="q", namespace="default")
    try:
        raise ValueError("boom")
    except ValueError:
        log.error("activity failed", exc_info=True)
    return capsys.readouterr().err.strip().splitlines()


def test_plain_ready_line(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _emit(capsys, "plain")
    assert " event=ready task_queue=q namespace=default" in lines[0]
    assert is_ready_line(lines[0])
    assert lines[1].endswith('error="ValueError: boom"')
    assert len(lines) == 2  # no traceback below info... debug


def test_json_ready_line(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _emit(capsys, "json")
    ready = json.loads(lines[0])
    assert ready["event"] == "ready" and ready["level"] == "info" and ready["task_queue"] == "q"
    assert '"event":"ready"' in lines[0]
    failed = json.loads(lines[1])
    assert failed["error"] == "ValueError: boom" and "traceback" not in failed


def test_debug_level_carries_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    lines = _emit(capsys, "json", "debug")
    assert "Traceback" in json.loads(lines[1])["traceback"]


def test_not_ready_lines_are_not_mistaken_for_ready() -> None:
    assert not is_ready_line("2026-01-01T00:00:00.000Z INFO agent_runner: stopping event=stopping")
    assert not is_ready_line('{"event":"stopped"}')


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    yield
    logging.getLogger().handlers.clear()
