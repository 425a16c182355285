"""The ExecuteAgent workflow: the agent's control loop, replayed from its history.

Every model call is an activity recorded as it completes, so an interrupted
execution continues from the step that was in flight, on whichever worker picks
it up. Failures reach the client as one line with a stable error type.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from langchain_core.messages import messages_from_dict, messages_to_dict
    from langgraph.errors import GraphRecursionError

    from agent_runner import durable_agent, logs
    from agent_runner.contracts import (
        AGENT_ERROR,
        CONFIGURATION_ERROR,
        DEFAULT_MAX_MODEL_CALLS,
        LOAD_THREAD_ACTIVITY,
        RESOLVE_MODEL_ACTIVITY,
        SAVE_FILES_ACTIVITY,
        SAVE_THREAD_ACTIVITY,
        STEP_LIMIT_ERROR,
        WORKFLOW_NAME,
        AgentExecutionInput,
        AgentExecutionResult,
        ModelSettings,
        SaveFilesInput,
        ThreadMessages,
    )
    from agent_runner.model_spec import ModelSpec
    from agent_runner.workspace import workspace_folder_name

# Quick local steps (settings, files on the worker's disk).
LOCAL_STEP = timedelta(seconds=60)
LOCAL_RETRY = RetryPolicy(maximum_attempts=5, non_retryable_error_types=[CONFIGURATION_ERROR])
# One SaveFiles activity carries at most this much file content (Temporal's payload limit is 2 MiB).
SAVE_FILES_BATCH_CHARS = 1_000_000


@workflow.defn(name=WORKFLOW_NAME)
class ExecuteAgent:
    @workflow.run
    async def run(self, request: AgentExecutionInput) -> AgentExecutionResult:
        try:
            result = await self._run(request)
        except Exception as error:
            failure = _failure(error)
            _log("execution_failed", failure.message, logging.WARNING, error_type=failure.type)
            raise failure from None
        _log(
            "execution_finished",
            "agent execution finished",
            model_calls=result.model_calls,
            tool_calls=len(result.tool_calls),
            total_tokens=result.usage.total_tokens,
        )
        return result

    async def _run(self, request: AgentExecutionInput) -> AgentExecutionResult:
        settings = await workflow.execute_activity(
            RESOLVE_MODEL_ACTIVITY,
            request.model or ModelSettings(),
            result_type=ModelSettings,
            start_to_close_timeout=LOCAL_STEP,
            retry_policy=LOCAL_RETRY,
        )
        spec = ModelSpec(str(settings.provider), str(settings.model), settings.temperature, settings.max_tokens)
        _log("execution_started", "agent execution started", provider=spec.provider, model=spec.model)
        history = []
        files: dict[str, object] = {}
        if request.thread_id:
            thread = await workflow.execute_activity(
                LOAD_THREAD_ACTIVITY,
                request.thread_id,
                result_type=ThreadMessages,
                start_to_close_timeout=LOCAL_STEP,
                retry_policy=LOCAL_RETRY,
            )
            history = list(messages_from_dict(thread.messages))
            files = dict(thread.files)
        outcome = await durable_agent.run_in_workflow(
            spec.name(),
            request.prompt,
            request.instructions,
            request.max_model_calls or DEFAULT_MAX_MODEL_CALLS,
            history,
            files,
        )
        folder = workspace_folder_name(workflow.info().workflow_id, request.thread_id)
        for batch in _batches(outcome.files):
            await workflow.execute_activity(
                SAVE_FILES_ACTIVITY,
                SaveFilesInput(folder=folder, files=batch),
                start_to_close_timeout=LOCAL_STEP,
                retry_policy=LOCAL_RETRY,
            )
        if request.thread_id:
            await workflow.execute_activity(
                SAVE_THREAD_ACTIVITY,
                ThreadMessages(request.thread_id, messages_to_dict(outcome.messages)),
                start_to_close_timeout=LOCAL_STEP,
                retry_policy=LOCAL_RETRY,
            )
        return AgentExecutionResult(
            answer=outcome.answer,
            tool_calls=outcome.tool_calls,
            usage=outcome.usage,
            provider=spec.provider,
            model=spec.model,
            thread_id=request.thread_id,
            files=durable_agent.file_records(outcome.files),
            model_calls=outcome.model_calls,
        )


def _failure(error: Exception) -> ApplicationError:
    """What the execution fails with: one line and a stable type, never retried."""
    if isinstance(error, ActivityError):
        return _one_line(error.cause or error)
    if isinstance(error, GraphRecursionError):
        return ApplicationError("the agent went round its graph too many times", type=STEP_LIMIT_ERROR, non_retryable=True)
    if isinstance(error, ApplicationError):
        return error
    # A failure of the agent itself: fail the execution and say what it was, rather than
    # retry a workflow task that would fail the same way forever.
    summary = " ".join(str(error).split())[:300]
    return ApplicationError(f"the agent failed: {type(error).__name__}: {summary}", type=AGENT_ERROR, non_retryable=True)


def _log(event: str, message: str, level: int = logging.INFO, **fields: object) -> None:
    """A log event of the runner's, written once: not again when the workflow is replayed."""
    if not workflow.unsafe.is_replaying():
        logs.event(logs.logger(), event, message, level=level, workflow_id=workflow.info().workflow_id, **fields)


def _one_line(cause: BaseException) -> ApplicationError:
    """The step's own failure, as the execution's: its message and type, not retried."""
    if isinstance(cause, ApplicationError):
        return ApplicationError(cause.message, type=cause.type, non_retryable=True)
    message = getattr(cause, "message", None) or str(cause) or type(cause).__name__
    return ApplicationError(f"a step of the agent failed: {message}", type=AGENT_ERROR, non_retryable=True)


def _batches(files: dict[str, object]) -> list[dict[str, object]]:
    batches: list[dict[str, object]] = []
    current: dict[str, object] = {}
    size = 0
    for path, data in sorted(files.items()):
        weight = len(str(data))
        if current and size + weight > SAVE_FILES_BATCH_CHARS:
            batches.append(current)
            current, size = {}, 0
        current[path] = data
        size += weight
    if current:
        batches.append(current)
    return batches
