"""The agent loop as it runs inside the ExecuteAgent workflow.

A deepagents (LangGraph) agent whose control loop runs in the workflow and is
replayed from its history; each model call is an activity (`LedgeredModel`). The
file tools work on files held in the agent's state (deepagents' StateBackend), so
they run in the workflow too: their results follow from the recorded model calls,
and a step resumed by another worker, on another machine, sees every file that
earlier steps wrote, without any local file (docs/adr/0003-durable-agent-steps.md).
With a workspace (the user's directory, `stigmer run --workspace DIR`) they work on that
directory instead, each file step an activity (workspace_backend.py).

Passed through the workflow sandbox: imported once per worker, run per execution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from deepagents import create_deep_agent
from deepagents.middleware.subagents import GENERAL_PURPOSE_SUBAGENT
from langchain_core.messages import BaseMessage, HumanMessage
from temporalio import workflow
from temporalio.common import RetryPolicy

from agent_runner import transcript
from agent_runner.approvals import ApprovalGate
from agent_runner.contracts import (
    CONFIGURATION_ERROR,
    PROVIDER_REFUSED_ERROR,
    FileRecord,
    TokenUsage,
    ToolCallRecord,
)
from agent_runner.durable_model import Ledger, LedgeredModel
from agent_runner.step_middleware import StepMiddleware
from agent_runner.steps import StepLog
from agent_runner.workspace_backend import RoutedWorkspace, routed_backend

DEFAULT_INSTRUCTIONS = (
    "You are an agent run by stigmer. You have a private workspace of files: "
    "use the file tools (paths start at /, the workspace root) to read, write and list "
    "files when the task needs them. Answer the user directly and concisely."
)
WORKSPACE_INSTRUCTIONS = (
    "You are an agent run by stigmer. You work in the user's directory of files: "
    "use the file tools (paths start at /, the directory's root; nothing outside it can be reached) "
    "to read, write and list files when the task needs them. Answer the user directly and concisely."
)

# The agent's tools (deepagents' built-ins): the names `approve_tools` may list.
TOOL_NAMES = ("ls", "read_file", "write_file", "edit_file", "delete", "glob", "grep", "execute", "write_todos", "task")

# A backstop only: the model-call limit in the ledger is the limit users set. Each model
# turn is a few graph steps (middleware, model, tools).
GRAPH_RECURSION_LIMIT = 10_000

# One model call per activity. A dead worker is noticed by the missing heartbeat (the
# plugin beats at half this timeout), so its step is retried within about 10 s; provider
# outages are retried with backoff here, never by the provider SDK (its retries are off).
MODEL_CALL_OPTIONS: dict[str, Any] = {
    "start_to_close_timeout": timedelta(minutes=10),
    "heartbeat_timeout": timedelta(seconds=10),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=60),
        maximum_attempts=10,
        non_retryable_error_types=[CONFIGURATION_ERROR, PROVIDER_REFUSED_ERROR],
    ),
}


@dataclass
class AgentOutcome:
    answer: str
    tool_calls: list[ToolCallRecord]
    usage: TokenUsage
    model_calls: int
    files: dict[str, Any]  # path -> deepagents FileData, as the agent left them
    messages: list[BaseMessage]  # the whole conversation, history included
    written: list[str] = field(default_factory=list)  # with a workspace: the files written or edited there


async def run_in_workflow(
    model_name: str,
    prompt: str,
    instructions: str | None,
    max_model_calls: int,
    steps: StepLog,
    gate: ApprovalGate,
    approve_tools: Sequence[str] = (),
    history: Sequence[BaseMessage] = (),
    files: dict[str, Any] | None = None,
    workspace: str | None = None,
) -> AgentOutcome:
    """Run the agent to its final answer; only callable from workflow code.

    With `workspace` (a directory already checked on the worker) the file tools work there and
    `files` is ignored; without it they work on `files`, held in the agent's state."""
    ledger = Ledger(max_model_calls=max_model_calls, steps=steps)
    model = LedgeredModel(
        model=model_name, activity_options=dict(MODEL_CALL_OPTIONS), ledger=ledger, disable_streaming=True
    )
    middleware = [StepMiddleware(steps, gate, approve_tools)]
    # The sub-agent the `task` tool starts has the same middleware: its tool calls are steps
    # too, and a tool on the approval list waits there as well.
    subagents: list[Any] = [{**GENERAL_PURPOSE_SUBAGENT, "middleware": middleware}]
    directory: RoutedWorkspace | None = None
    if workspace:
        backend, directory = routed_backend(workspace)
        agent = create_deep_agent(
            model=model,
            system_prompt=instructions or WORKSPACE_INSTRUCTIONS,
            middleware=middleware,
            subagents=subagents,
            backend=backend,
        )
        files = {}
    else:
        # Exactly as before workspaces existed: recorded histories replay unchanged.
        agent = create_deep_agent(
            model=model, system_prompt=instructions or DEFAULT_INSTRUCTIONS, middleware=middleware, subagents=subagents
        )
    question = HumanMessage(content=prompt, id=str(workflow.uuid4()))
    initial: Any = {"messages": [*history, question], "files": dict(files or {})}
    state = await agent.ainvoke(initial, config={"recursion_limit": GRAPH_RECURSION_LIMIT})
    messages = list(state.get("messages", []))
    # This execution's part starts at its question (middleware may have compacted the history).
    ids = [m.id for m in messages]
    new = messages[ids.index(question.id) :] if question.id in ids else messages
    return AgentOutcome(
        answer=transcript.final_answer(new),
        tool_calls=transcript.tool_calls(new),
        usage=ledger.usage,
        model_calls=ledger.model_calls,
        files=dict(state.get("files") or {}) if directory is None else {},
        messages=messages,
        written=list(directory.touched) if directory else [],
    )


def file_records(files: dict[str, Any]) -> list[FileRecord]:
    return [FileRecord(path=path, size=_size(data or {})) for path, data in sorted(files.items())]


def _size(data: dict[str, Any]) -> int:
    content = str(data.get("content", ""))
    if data.get("encoding") == "base64":
        return len(content) * 3 // 4 - content[-2:].count("=")
    return len(content.encode("utf-8"))
