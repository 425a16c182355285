"""Replaying recorded ExecuteAgent and AgentThread histories: proves the workflow code (and its
sandbox) still makes the same decisions, from source or inside the frozen executable.

A history is named by its folder and file (`0.1.0/tool_calls.json` in the corpus of every
release, `agent-runner/histories/`); a failure is one line that names the history and the step
it broke at, e.g. `replay of 0.1.0/tool_calls.json failed at event 19 (ActivityTaskScheduled
deepagents.invoke_model, model call 2): [TMPRL1100] Nondeterminism error: ...`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Optional

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from agent_runner import history_steps
from agent_runner.agent_stack import import_agent_stack
from agent_runner.errors import StartupError
from agent_runner.plugin import build_plugin
from agent_runner.thread_workflow import AgentThread
from agent_runner.workflow import ExecuteAgent

WORKFLOWS: tuple[type, ...] = (ExecuteAgent, AgentThread)


async def replay_history_files(paths: Sequence[Path], on_ok: Callable[[str], None], workflows: Sequence[type] = WORKFLOWS) -> None:
    """Replays each history in turn, calling `on_ok` with its name; raises on the first that
    fails (nondeterminism, or a file that is not a history). `workflows` replaces the code
    replayed (the tests' deliberately changed variants)."""
    # Imported before any replay: a workflow imports the stack where it uses it, and an import
    # inside a workflow task would count against Temporal's two-second deadlock limit.
    import_agent_stack()
    replayer = Replayer(workflows=list(workflows), plugins=[build_plugin()])
    for path in paths:
        name = history_name(path)
        history = _read(path, name)
        reason = await _failure(replayer, history)
        if reason is not None:
            event = await _failed_event(replayer, history, reason)
            where = f" at {history_steps.describe(history.events, event)}" if event else ""
            raise StartupError(f"replay of {name} failed{where}: {reason}", "the workflow code no longer matches this history")
        on_ok(name)


def history_name(path: Path) -> str:
    """`<folder>/<file>`: in the corpus, the release that recorded it and the scenario."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def _read(path: Path, name: str) -> WorkflowHistory:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise StartupError(f"cannot read history file {name} ({error.strerror})", "pass a readable JSON history") from None
    try:
        return WorkflowHistory.from_json(path.stem, text)
    except Exception as error:
        raise StartupError(f"{name} is not a workflow history ({type(error).__name__})", "pass a JSON history") from None


async def _failure(replayer: Replayer, history: WorkflowHistory) -> Optional[str]:
    """Why the history does not replay, in one line; None when it does."""
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    if result.replay_failure is None:
        return None
    detail = " ".join(str(result.replay_failure).split())
    # The SDK wraps core's message in a Rust debug dump: keep the message itself.
    return detail.split("message: ", 1)[-1].split('", ')[0].strip('"')[:300]


async def _failed_event(replayer: Replayer, history: WorkflowHistory, reason: str) -> Optional[int]:
    """The event the replay failed at: named in the message, else found by replaying the
    history cut before each workflow task (a cut that fails holds the task that broke; the
    first such cut is found by bisection, a few replays)."""
    named = history_steps.event_id_in(reason)
    if named is not None:
        return named
    cuts = history_steps.task_starts(history.events)
    low, high = 0, len(cuts)  # high == len(cuts): the whole history, known to fail
    while low < high:
        middle = (low + high) // 2
        prefix = WorkflowHistory(history.workflow_id, [e for e in history.events if e.event_id <= cuts[middle]])
        if await _failure(replayer, prefix) is not None:
            high = middle
        else:
            low = middle + 1
    end = cuts[low] if low < len(cuts) else history.events[-1].event_id + 1
    return history_steps.step_of_task(history.events, end, reason)
