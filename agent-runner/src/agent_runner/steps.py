"""The steps of an execution as they happen, kept in the workflow for the Steps query.

Model calls and tool calls append here from workflow code, so the list is rebuilt the
same way when the workflow is replayed: a client that asks after a restart sees every
step again, in order. Entries are short (arguments and outputs cut) and the list is
bounded, so the query answer stays far below Temporal's payload limit.
"""

from __future__ import annotations

import json
from typing import Any

from temporalio import workflow

# Enough for the longest runs the model-call limit allows (250 calls, a few tools each).
MAX_STEPS = 5_000
MAX_TEXT_CHARS = 200
# Steps per query answer: a client that fell behind catches up over several queries.
MAX_STEPS_PER_ANSWER = 500


def short(value: object, limit: int = MAX_TEXT_CHARS) -> str:
    """One line of at most `limit` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_args(args: dict[str, Any]) -> str:
    """`path=/a.txt, content="hello…"`: what a tool was asked, at a glance."""
    parts = []
    for key, value in args.items():
        shown = value if isinstance(value, (int, float, bool)) or value is None else json.dumps(value, ensure_ascii=False)
        if isinstance(value, str) and value and " " not in value and len(value) <= 60:
            shown = value
        parts.append(f"{key}={short(shown, 60)}")
    return short(", ".join(parts))


class StepLog:
    """The steps of the executions of one workflow run, oldest first."""

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []
        self.dropped = 0  # steps left out past MAX_STEPS (offsets still count them)
        self.turn = ""  # the Turn update the next steps belong to (threads only)

    @property
    def count(self) -> int:
        return self.dropped + len(self.steps)

    def add(self, kind: str, **fields: Any) -> None:
        step: dict[str, Any] = {"seq": self.count, "kind": kind, "at": workflow.now().isoformat().replace("+00:00", "Z")}
        if self.turn:
            step["turn"] = self.turn
        step.update(fields)
        self.steps.append(step)
        if len(self.steps) > MAX_STEPS:
            # The latest steps say most about where the execution is.
            del self.steps[0]
            self.dropped += 1

    def since(self, offset: int) -> tuple[list[dict[str, Any]], int]:
        """Steps from `offset` (a count of steps) on, and the offset after the last one given."""
        start = max(offset - self.dropped, 0)
        chosen = self.steps[start : start + MAX_STEPS_PER_ANSWER]
        return chosen, self.dropped + start + len(chosen)
