"""The agent itself: a deepagents (LangGraph) agent whose file tools are confined to a workspace."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from deepagents import create_deep_agent
from deepagents.backends import FilesystemBackend
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage

from agent_runner import transcript
from agent_runner.contracts import TokenUsage, ToolCallRecord

DEFAULT_INSTRUCTIONS = (
    "You are an agent run by stigmer. You work inside a private workspace directory: "
    "use the file tools (paths start at /, the workspace root) to read, write and list "
    "files when the task needs them. Answer the user directly and concisely."
)

# Bounds a runaway tool loop; each model call plus each tool call is a step or two.
RECURSION_LIMIT = 80


@dataclass
class AgentOutcome:
    answer: str
    tool_calls: list[ToolCallRecord]
    usage: TokenUsage
    messages: list[BaseMessage]  # the whole conversation, history included


async def run_agent(
    model: BaseChatModel,
    prompt: str,
    workspace: Path,
    instructions: Optional[str] = None,
    thread_id: Optional[str] = None,
    on_progress: Callable[[int], None] = lambda messages: None,
    history: Sequence[BaseMessage] = (),
) -> AgentOutcome:
    """Run the agent loop to its final answer; `on_progress` gets the message count as it grows.

    `history` is the thread's earlier conversation; the outcome's tool calls and usage
    cover this execution only.
    """
    agent = create_deep_agent(
        model=model,
        system_prompt=instructions or DEFAULT_INSTRUCTIONS,
        # virtual_mode: paths are anchored to the workspace, `..` and outside paths are refused.
        backend=FilesystemBackend(root_dir=workspace, virtual_mode=True),
    )
    config: dict[str, Any] = {"recursion_limit": RECURSION_LIMIT}
    if thread_id:
        config["configurable"] = {"thread_id": thread_id}
    question = HumanMessage(content=prompt, id=str(uuid.uuid4()))
    messages: list[BaseMessage] = [*history, question]
    async for state in agent.astream({"messages": messages}, config=config, stream_mode="values"):  # type: ignore[call-overload,unused-ignore]
        messages = list(state.get("messages", messages))
        on_progress(len(messages))
    # This execution's part starts at its question (middleware may have compacted the history).
    ids = [m.id for m in messages]
    new = messages[ids.index(question.id) :] if question.id in ids else messages
    return AgentOutcome(
        answer=transcript.final_answer(new),
        tool_calls=transcript.tool_calls(new),
        usage=transcript.token_usage(new),
        messages=messages,
    )
