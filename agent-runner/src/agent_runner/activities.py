"""The activity that runs one agent execution, outside the workflow sandbox."""

from __future__ import annotations

from pathlib import Path

from temporalio import activity
from temporalio.exceptions import ApplicationError

from agent_runner import logs
from agent_runner.agent_loop import run_agent
from agent_runner.chat_models import build_chat_model
from agent_runner.config import LlmDefaults
from agent_runner.contracts import (
    CONFIGURATION_ERROR,
    RUN_AGENT_ACTIVITY,
    AgentExecutionInput,
    AgentExecutionResult,
    ModelSettings,
)
from agent_runner.errors import StartupError
from agent_runner.heartbeat import heartbeating
from agent_runner.thread_history import ThreadHistory
from agent_runner.workspace import workspace_for


class AgentActivities:
    """Holds the worker's defaults; Temporal calls `run_agent` for each execution."""

    def __init__(self, llm: LlmDefaults, workspace_root: Path) -> None:
        self.llm = llm
        self.workspace_root = workspace_root
        self.threads = ThreadHistory(workspace_root)

    @activity.defn(name=RUN_AGENT_ACTIVITY)
    async def run_agent(self, request: AgentExecutionInput) -> AgentExecutionResult:
        info = activity.info()
        settings = request.model or ModelSettings()
        try:
            resolved = self.llm.resolve(settings.provider, settings.model, settings.temperature, settings.max_tokens)
            self.llm.require_api_key(resolved)
        except StartupError as error:
            raise ApplicationError(error.one_line(), type=CONFIGURATION_ERROR, non_retryable=True) from None
        workspace = workspace_for(self.workspace_root, info.workflow_id or info.activity_id or "unknown", request.thread_id)
        log = logs.logger()
        logs.event(
            log,
            "execution_started",
            "agent execution started",
            workflow_id=info.workflow_id,
            attempt=info.attempt,
            provider=resolved.provider,
            model=resolved.model,
        )
        history = self.threads.load(request.thread_id) if request.thread_id else []
        progress = {"messages": len(history) + 1}

        def on_progress(count: int) -> None:
            progress["messages"] = count

        async with heartbeating(lambda: dict(progress)):
            outcome = await run_agent(
                build_chat_model(resolved),
                request.prompt,
                workspace,
                instructions=request.instructions,
                thread_id=request.thread_id,
                on_progress=on_progress,
                history=history,
            )
        if request.thread_id:
            self.threads.save(request.thread_id, outcome.messages)
        logs.event(
            log,
            "execution_finished",
            "agent execution finished",
            workflow_id=info.workflow_id,
            tool_calls=len(outcome.tool_calls),
            total_tokens=outcome.usage.total_tokens,
        )
        return AgentExecutionResult(
            answer=outcome.answer,
            tool_calls=outcome.tool_calls,
            usage=outcome.usage,
            provider=resolved.provider,
            model=resolved.model,
            thread_id=request.thread_id,
        )
