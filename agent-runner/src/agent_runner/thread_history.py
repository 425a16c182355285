"""The conversation of a thread, kept between executions that share a thread id.

Stored as LangChain message dicts in one JSON file per thread, beside the workspaces
but outside them, so the agent's file tools can neither read nor rewrite it. Written
only after an execution succeeds (an activity retry does not append twice) and
replaced atomically. Concurrent executions of one thread: the last to finish wins.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from langchain_core.messages import BaseMessage, messages_from_dict, messages_to_dict

from agent_runner.workspace import safe_name

HISTORY_DIR = ".thread-history"


class ThreadHistory:
    def __init__(self, workspace_root: Path) -> None:
        self.directory = workspace_root / HISTORY_DIR

    def _file(self, thread_id: str) -> Path:
        return self.directory / f"{safe_name(thread_id)}.json"

    def load(self, thread_id: str) -> list[BaseMessage]:
        path = self._file(thread_id)
        if not path.exists():
            return []
        return list(messages_from_dict(json.loads(path.read_text(encoding="utf-8"))))

    def save(self, thread_id: str, messages: Sequence[BaseMessage]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self._file(thread_id)
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(messages_to_dict(list(messages)), out)
        os.replace(temporary, target)
