"""Middleware of the agent in the workflow: each tool call becomes a step, some wait for approval.

Tool calls run in the workflow (deepagents' file tools work on the agent's state), so they
have no history events of their own; this is where the execution learns of them as they
happen. A tool on the approval list runs only once the user agrees; a denial reaches the
model as the tool's result, so the agent can go on without it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

from langchain.agents.middleware import AgentMiddleware
from langchain_core.messages import ToolMessage
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import Command

from agent_runner.approvals import ApprovalGate
from agent_runner.steps import StepLog, short, short_args


class StepMiddleware(AgentMiddleware):
    def __init__(self, steps: StepLog, gate: ApprovalGate, approve_tools: Collection[str]) -> None:
        super().__init__()
        self.steps = steps
        self.gate = gate
        self.approve_tools = frozenset(approve_tools)

    async def awrap_tool_call(
        self, request: ToolCallRequest, handler: Callable[[ToolCallRequest], Awaitable[ToolMessage | Command[Any]]]
    ) -> ToolMessage | Command[Any]:
        call = request.tool_call
        tool, call_id = call["name"], call.get("id") or ""
        args = short_args(call.get("args") or {})
        self.steps.add("tool_call", tool=tool, args=args, call_id=call_id)
        if tool in self.approve_tools:
            decision = await self.gate.ask(tool, args, call_id)
            if not decision.approve:
                why = f": {decision.reason}" if decision.reason else ""
                self.steps.add("tool_result", tool=tool, call_id=call_id, ok=False, output="denied by the user" + why)
                return ToolMessage(
                    content=f"The user denied this {tool} call{why}. It did not run. Do not try it again; "
                    "go on without it or say what you would have needed.",
                    tool_call_id=call_id,
                    name=tool,
                    status="error",
                )
        result = await handler(request)
        message = _message_of(result)
        ok = message is None or message.status != "error"
        self.steps.add("tool_result", tool=tool, call_id=call_id, ok=ok, output=short(message.text if message else ""))
        return result


def _message_of(result: ToolMessage | Command[Any]) -> ToolMessage | None:
    """The tool's message, also when the tool answered with a state update (a Command)."""
    if isinstance(result, ToolMessage):
        return result
    update = result.update if isinstance(result.update, dict) else {}
    for message in update.get("messages", []) or []:
        if isinstance(message, ToolMessage):
            return message
    return None
