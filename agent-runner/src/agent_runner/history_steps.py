"""Naming the step of a recorded history that a replay failed at, for one line a person reads.

A failed replay says what did not match but, for some mismatches, not where; these helpers
find the event (from the message, or the workflow task found by replaying shorter prefixes)
and describe it in the agent's words: which activity and which of its calls (`model call 3`),
which turn of a thread.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Optional

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

from agent_runner.contracts import TURN_UPDATE

# What an activity's calls are, counted from the first in the history.
STEP_NAMES = {"deepagents.invoke_model": "model call", "deepagents.backend_op": "file step"}

_EVENT_ID = re.compile(r"HistoryEvent\(id: (\d+)")
_SCHEDULED_NAME = re.compile(r"scheduled event '([^']+)'")


def event_id_in(reason: str) -> Optional[int]:
    """The history event a nondeterminism message names (`HistoryEvent(id: 37, ...)`), if any."""
    match = _EVENT_ID.search(reason)
    return int(match.group(1)) if match else None


def task_starts(events: Sequence[HistoryEvent]) -> list[int]:
    """Ids of every workflow task started after the first: a history cut at one of them replays
    every task before it (the cut task is the one in flight)."""
    started = [e.event_id for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED]
    return started[1:]


def step_of_task(events: Sequence[HistoryEvent], before: int, reason: str) -> Optional[int]:
    """The event of the last workflow task completed before event `before` that the mismatch
    concerns: the scheduled activity the message quotes, else the task's first command."""
    completed = [e.event_id for e in events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED and e.event_id < before]
    if not completed:
        return None
    task = completed[-1]
    commands = [e for e in events if _attributes(e) is not None and getattr(_attributes(e), "workflow_task_completed_event_id", 0) == task]
    quoted = _SCHEDULED_NAME.search(reason)
    if quoted:
        for event in commands:
            if event.HasField("activity_task_scheduled_event_attributes"):
                if event.activity_task_scheduled_event_attributes.activity_type.name == quoted.group(1):
                    return event.event_id
    return commands[0].event_id if commands else task


def describe(events: Sequence[HistoryEvent], event_id: int) -> str:
    """`event 19 (ActivityTaskScheduled deepagents.invoke_model, model call 2)`; a thread's
    events name their turn."""
    by_id = {e.event_id: e for e in events}
    event = by_id.get(event_id)
    if event is None:
        return f"event {event_id}"
    words = [_type_name(event)]
    detail = _detail(event, by_id)
    if detail:
        words.append(detail)
    turn = "" if event.HasField("workflow_execution_update_accepted_event_attributes") else _turn_open_at(events, event_id)
    text = " ".join(words) + (f", in turn {turn}" if turn else "")
    return f"event {event_id} ({text})"


def _type_name(event: HistoryEvent) -> str:
    name = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
    return "".join(part.capitalize() for part in name.split("_"))


def _attributes(event: HistoryEvent) -> Any:
    field = event.WhichOneof("attributes")
    return getattr(event, field) if field else None


def _detail(event: HistoryEvent, by_id: dict[int, HistoryEvent]) -> str:
    attributes = _attributes(event)
    if event.HasField("activity_task_scheduled_event_attributes"):
        return _activity_step(event, by_id)
    scheduled = getattr(attributes, "scheduled_event_id", 0)
    if scheduled and scheduled in by_id and by_id[scheduled].HasField("activity_task_scheduled_event_attributes"):
        return _activity_step(by_id[scheduled], by_id)  # started, completed, failed, cancelled
    if event.HasField("marker_recorded_event_attributes"):
        return _marker(event)
    if event.HasField("workflow_execution_update_accepted_event_attributes"):
        request = event.workflow_execution_update_accepted_event_attributes.accepted_request
        return f"{request.input.name} {request.meta.update_id}"
    if event.HasField("workflow_execution_update_completed_event_attributes"):
        return str(event.workflow_execution_update_completed_event_attributes.meta.update_id)
    if event.HasField("workflow_execution_signaled_event_attributes"):
        return str(event.workflow_execution_signaled_event_attributes.signal_name)
    if event.HasField("timer_started_event_attributes"):
        return f"timer {event.timer_started_event_attributes.timer_id}"
    return ""


def _activity_step(scheduled: HistoryEvent, by_id: dict[int, HistoryEvent]) -> str:
    name = scheduled.activity_task_scheduled_event_attributes.activity_type.name
    nth = sum(
        1
        for e in by_id.values()
        if e.event_id <= scheduled.event_id
        and e.HasField("activity_task_scheduled_event_attributes")
        and e.activity_task_scheduled_event_attributes.activity_type.name == name
    )
    if name in STEP_NAMES:
        return f"{name}, {STEP_NAMES[name]} {nth}"
    return f"{name} #{nth}" if nth > 1 else name


def _marker(event: HistoryEvent) -> str:
    attributes = event.marker_recorded_event_attributes
    patch = attributes.details.get("patch-data")
    if patch is not None and patch.payloads:
        try:
            return f"{attributes.marker_name} {json.loads(patch.payloads[0].data)['id']}"
        except (ValueError, KeyError, TypeError):
            pass
    return str(attributes.marker_name)


def _turn_open_at(events: Sequence[HistoryEvent], event_id: int) -> str:
    """The thread's turn (a Turn update) accepted before the event and not yet completed, if one."""
    open_turn = ""
    for event in events:
        if event.event_id > event_id:
            break
        if event.HasField("workflow_execution_update_accepted_event_attributes"):
            request = event.workflow_execution_update_accepted_event_attributes.accepted_request
            if request.input.name == TURN_UPDATE:
                open_turn = request.meta.update_id
        elif event.HasField("workflow_execution_update_completed_event_attributes") and event.event_id < event_id:
            if event.workflow_execution_update_completed_event_attributes.meta.update_id == open_turn:
                open_turn = ""
    return open_turn
