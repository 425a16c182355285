"""Temporal's durable-agent plugin for deepagents, set up for stigmer's worker and replayer.

It registers the model-call and backend activities, the factory that opens a user's
directory for the file steps of an execution with a workspace (`open_workspace`, by name, so
any worker process runs them), the LangChain-aware data converter and the
sandbox pass-through of the agent stack; our own modules that run inside the workflow
pass through too, so they are imported once per process, not once per execution.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from temporalio.deepagents import DeepAgentsPlugin

from agent_runner.agent_stack import AgentStack
from agent_runner.contracts import WORKSPACE_BACKEND

WORKFLOW_SIDE_MODULES = (
    "agent_runner.agent_turn",
    "agent_runner.approvals",
    "agent_runner.observed",
    "agent_runner.observed_execution",
    "agent_runner.step_middleware",
    "agent_runner.steps",
    "agent_runner.contracts",
    "agent_runner.durable_agent",
    "agent_runner.durable_model",
    "agent_runner.model_spec",
    "agent_runner.transcript",
    "agent_runner.workspace",
    "agent_runner.workspace_backend",
    "agent_runner.errors",
    "agent_runner.logs",
)


def _no_models(name: str) -> Any:
    raise RuntimeError(f"this process replays histories and calls no model (asked for {name})")


def _open_workspace(directory: Any) -> Any:
    # Imported when a file step runs: the agent stack is not imported at start (agent_stack.py).
    from agent_runner.workspace_backend import open_workspace

    return open_workspace(directory)


def build_plugin(chat_model: Optional[Callable[[str], Any]] = None, stack: Optional[AgentStack] = None) -> DeepAgentsPlugin:
    """The plugin; `chat_model` builds the real client for a model name (None when only replaying).

    With `stack`, the worker polls before the agent stack is imported, and the plugin's
    patches of deepagents are installed once it is (`AgentStack.deferring`)."""
    plugin = DeepAgentsPlugin(
        model_provider=chat_model or _no_models,
        backends={WORKSPACE_BACKEND: _open_workspace},
        passthrough_modules=WORKFLOW_SIDE_MODULES,
    )
    if stack is not None:
        plugin.run_context = stack.deferring(plugin.run_context)
    return plugin
