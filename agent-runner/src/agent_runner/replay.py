"""Replaying a recorded ExecuteAgent history: proves the workflow code (and its sandbox)
still makes the same decisions, from source or inside the frozen executable."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from agent_runner.errors import StartupError
from agent_runner.workflow import ExecuteAgent


async def replay_history_file(path: Path) -> str:
    """Replays the history in `path`; returns its file name, raises on nondeterminism."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise StartupError(f"cannot read history file {path} ({error.strerror})", "pass a readable JSON history") from None
    history = WorkflowHistory.from_json(path.stem, text)
    await Replayer(workflows=[ExecuteAgent]).replay_workflow(history)
    return path.name
