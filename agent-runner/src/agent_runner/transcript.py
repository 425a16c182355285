"""Reading the answer, the tool calls and the token usage out of an agent's messages."""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from agent_runner.contracts import TokenUsage, ToolCallRecord

# Tool outputs can be whole files; the result keeps enough to show what happened.
MAX_TOOL_OUTPUT_CHARS = 2000


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
                    args=dict(call.get("args") or {}),
                    id=call_id,
                    output=outputs.get(call_id, "")[:MAX_TOOL_OUTPUT_CHARS],
                )
            )
    return records


def token_usage(messages: Sequence[BaseMessage]) -> TokenUsage:
    usage = TokenUsage()
    for message in messages:
        metadata = message.usage_metadata if isinstance(message, AIMessage) else None
        if metadata:
            usage.input_tokens += metadata.get("input_tokens", 0)
            usage.output_tokens += metadata.get("output_tokens", 0)
            usage.total_tokens += metadata.get("total_tokens", 0)
    return usage
