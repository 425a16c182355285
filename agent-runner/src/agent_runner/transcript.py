"""Reading the answer and the tool calls out of an agent's messages, bounded for a result."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from agent_runner.contracts import ToolCallRecord

# Tool arguments and outputs can be whole files; the result keeps enough to show what
# happened and stays far below Temporal's payload limit (the full transcript is in the
# execution's history, one model call at a time).
MAX_TOOL_OUTPUT_CHARS = 2000
MAX_TOOL_ARGUMENT_CHARS = 500
MAX_TOOL_CALL_RECORDS = 200


def final_answer(messages: Sequence[BaseMessage]) -> str:
    for message in reversed(messages):
        if isinstance(message, AIMessage) and not message.tool_calls:
            return message.text.strip()
    return ""


def tool_calls(messages: Sequence[BaseMessage]) -> list[ToolCallRecord]:
    outputs = {m.tool_call_id: m.text for m in messages if isinstance(m, ToolMessage)}
    records = []
    for message in messages:
        if not isinstance(message, AIMessage):
            continue
        for call in message.tool_calls:
            call_id = call.get("id") or ""
            records.append(
                ToolCallRecord(
                    name=call["name"],
                    args={key: _bounded(value) for key, value in (call.get("args") or {}).items()},
                    id=call_id,
                    output=outputs.get(call_id, "")[:MAX_TOOL_OUTPUT_CHARS],
                )
            )
    # The latest calls say most about how the execution ended.
    return records[-MAX_TOOL_CALL_RECORDS:]


def _bounded(value: object) -> object:
    if isinstance(value, str) and len(value) > MAX_TOOL_ARGUMENT_CHARS:
        return value[:MAX_TOOL_ARGUMENT_CHARS] + f"... ({len(value)} characters)"
    if isinstance(value, (dict, list)) and len(str(value)) > MAX_TOOL_ARGUMENT_CHARS:
        return str(value)[:MAX_TOOL_ARGUMENT_CHARS] + "..."
    return value
