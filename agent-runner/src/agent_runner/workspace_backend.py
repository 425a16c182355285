"""The user's own directory as the agent's files (`stigmer run --workspace DIR`).

Worker side, `WorkspaceDirectory` is deepagents' FilesystemBackend anchored at DIR in virtual
mode: a path is a path under DIR ("/a.txt" is DIR/a.txt) and one that leads outside it (`..`,
`~`, a symlink out) is refused with a tool error the model reads, before anything touches the
disk. Workflow side, `RoutedWorkspace` is the plugin's TemporalBackend naming the factory the
worker registers (plugin.py) with DIR as its argument: every file step (ls, read, write, edit,
glob, grep, delete) is a `deepagents.backend_op` activity, so any worker process builds the
backend itself and the step's result is in the history like a model call's. It remembers the
files that successful writes and edits touched, which the result lists (ListWorkspaceFiles).

deepagents' own scratch files (large tool results, offloaded conversation) stay in the agent's
state as before, never in the user's directory. There is no shell: FilesystemBackend is not a
sandbox, so deepagents offers no `execute` tool.

Passed through the workflow sandbox (plugin.py); the factory runs in the activity only.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from deepagents.backends import CompositeBackend, FilesystemBackend, StateBackend
from deepagents.backends.protocol import BackendProtocol, EditResult, WriteResult
from deepagents.backends.utils import validate_path
from temporalio.common import RetryPolicy
from temporalio.deepagents import TemporalBackend
from temporalio.exceptions import ApplicationError
from temporalio.workflow import ActivityConfig

from agent_runner.contracts import CONFIGURATION_ERROR, WORKSPACE_BACKEND

# Where deepagents' middleware puts its own files (results too large for the context, offloaded
# conversation): kept in the agent's state, as without a workspace.
SCRATCH_PREFIXES = ("/large_tool_results/", "/conversation_history/")

# A file step is quick and local; retried a little (a refused path is a result, not a failure).
# A dead worker's step is noticed by the missing heartbeat (the plugin beats at half of it).
FILE_STEP_OPTIONS = ActivityConfig(
    start_to_close_timeout=timedelta(seconds=60),
    heartbeat_timeout=timedelta(seconds=10),
    retry_policy=RetryPolicy(maximum_attempts=3, non_retryable_error_types=[CONFIGURATION_ERROR]),
)


class WorkspaceDirectory(FilesystemBackend):
    """FilesystemBackend in virtual mode whose refusals reach the model as the tool's error.

    FilesystemBackend raises ValueError for a path that resolves outside its root (a symlink
    out) and its file operations catch only OSError, so the activity would fail and be retried;
    a PermissionError is turned into the tool's error message by every operation instead, and
    names no host path.
    """

    def _resolve_path(self, key: str) -> Path:
        try:
            return super()._resolve_path(key)
        except ValueError:
            raise PermissionError(f"{key} is outside the workspace directory; use paths under / (its root)") from None


def workspace_problem(directory: str) -> str | None:
    """Why `directory` cannot be a workspace on this machine (one line), or None."""
    hint = "--workspace takes an absolute path of a directory on the machine the agent-runner runs on (local stacks)"
    if not os.path.isabs(directory):
        return f"the workspace {directory} is not an absolute path; {hint}"
    if not os.path.isdir(directory):
        why = "it is not there" if not os.path.exists(directory) else "it is a file"
        return f"the workspace {directory} is not a directory on the worker ({why}); {hint}"
    return None


def open_workspace(directory: Any) -> WorkspaceDirectory:
    """The factory the worker registers under WORKSPACE_BACKEND: run for each file step."""
    problem = workspace_problem(directory) if isinstance(directory, str) else f"the workspace {directory!r} is not a path"
    if problem:
        # The directory was checked when the execution started; it went away since.
        raise ApplicationError(problem, type=CONFIGURATION_ERROR, non_retryable=True)
    return WorkspaceDirectory(root_dir=directory, virtual_mode=True)


class RoutedWorkspace(TemporalBackend):
    """Each file operation an activity on a worker; remembers the files written or edited."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # TemporalBackend's own arguments: its __new__ reads them too, to pick the class that
        # mirrors the backend's capabilities (delete yes, execute no).
        super().__init__(*args, **kwargs)
        self.touched: list[str] = []

    async def awrite(self, file_path: str, content: str) -> WriteResult:
        result = await self._op("awrite")(file_path, content)
        self._touch(file_path, result)
        return cast(WriteResult, result)

    async def aedit(self, file_path: str, old_string: str, new_string: str, replace_all: bool = False) -> EditResult:
        result = await self._op("aedit")(file_path, old_string, new_string, replace_all=replace_all)
        self._touch(file_path, result)
        return cast(EditResult, result)

    def _op(self, name: str) -> Callable[..., Awaitable[Any]]:
        # The plugin's dispatcher for the op (TemporalBackend sets them on the class at import).
        return cast(Callable[..., Awaitable[Any]], getattr(super(), name))

    def _touch(self, file_path: str, result: Any) -> None:
        if getattr(result, "error", None) or not getattr(result, "path", None):
            return
        path = validate_path(file_path)
        if path not in self.touched:
            self.touched.append(path)


def workspace_files(directory: str, paths: list[str]) -> list[tuple[str, int]]:
    """(path, size) of each of `paths` that is a file in the directory now (one written, then deleted, is not)."""
    backend = WorkspaceDirectory(root_dir=directory, virtual_mode=True)
    files = []
    for path in sorted(paths):
        try:
            target = backend._resolve_path(path)
            if target.is_file():
                files.append((path, target.stat().st_size))
        except OSError:
            continue
    return files


def routed_backend(directory: str) -> tuple[CompositeBackend, RoutedWorkspace]:
    """The agent's backend for a workspace, and its part that touches the directory."""
    workspace = RoutedWorkspace(
        WORKSPACE_BACKEND, factory_argument=directory, backend_type=WorkspaceDirectory, activity_options=FILE_STEP_OPTIONS
    )
    scratch: dict[str, Any] = {prefix: StateBackend() for prefix in SCRATCH_PREFIXES}
    # A TemporalBackend is a BackendProtocol by its methods, not by its class.
    return CompositeBackend(default=cast(BackendProtocol, workspace), routes=scratch), workspace
