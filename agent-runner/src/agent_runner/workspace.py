"""The folder on a worker's disk where an execution's files are saved once it ends."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from agent_runner.contracts import THREAD_WORKFLOW_ID_PREFIX
from agent_runner.errors import StartupError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(raw: str) -> str:
    """`raw` reduced to characters that are safe in a file name."""
    name = _UNSAFE.sub("_", raw).strip("._") or "unnamed"
    return name[:120]


def workspace_folder_name(execution_id: str, thread_id: Optional[str]) -> str:
    """One folder per thread, else one per execution."""
    return f"thread-{safe_name(thread_id)}" if thread_id else f"run-{safe_name(execution_id)}"


def thread_workflow_id(thread_id: str) -> str:
    """The id of a thread's AgentThread workflow (the stigmer CLI builds the same)."""
    return THREAD_WORKFLOW_ID_PREFIX + thread_id


def ensure_workspace_root(root: Path) -> None:
    """Checked at start: a root that cannot be written would fail every execution later."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / ".write-check"
        probe.write_text("ok")
        probe.unlink()
    except OSError as error:
        raise StartupError(
            f"cannot write the workspace folder {root} ({error.strerror or error})", "set STIGMER_WORKSPACE_ROOT"
        ) from None
