"""Replaying a recorded ExecuteAgent history: proves the workflow code (and its sandbox)
still makes the same decisions, from source or inside the frozen executable."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from agent_runner.errors import StartupError
from agent_runner.plugin import build_plugin
from agent_runner.thread_workflow import AgentThread
from agent_runner.workflow import ExecuteAgent


async def replay_history_files(paths: Sequence[Path], on_ok: Callable[[str], None]) -> None:
    """Replays each history in turn, calling `on_ok` with its file name; raises on the first
    that fails (nondeterminism, or a file that is not a history)."""
    replayer = Replayer(workflows=[ExecuteAgent, AgentThread], plugins=[build_plugin()])
    for path in paths:
        await _replay(replayer, path)
        on_ok(path.name)


async def _replay(replayer: Replayer, path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise StartupError(f"cannot read history file {path} ({error.strerror})", "pass a readable JSON history") from None
    try:
        history = WorkflowHistory.from_json(path.stem, text)
    except Exception as error:
        raise StartupError(f"{path} is not a workflow history ({type(error).__name__})", "pass a JSON history") from None
    try:
        await replayer.replay_workflow(history)
    except Exception as error:
        detail = " ".join(str(error).split())
        reason = detail.split("message: ", 1)[-1].split('", ')[0].strip('"')[:300]
        raise StartupError(f"replay of {path.name} failed: {reason}", "the workflow code no longer matches this history") from None
