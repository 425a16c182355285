"""One turn of an agent, as workflow code: shared by ExecuteAgent and AgentThread.

Settle the model (one activity), run the agent loop in the workflow with every model call
an activity, save the files it left on the worker's disk, report. With a workspace (the
user's directory) that directory is checked first, the file steps are activities too, and
the files it wrote there are listed instead of saved. Failures become one
`ApplicationError` line with a stable type. Passed through the workflow sandbox.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from langchain_core.messages import BaseMessage
from langgraph.errors import GraphRecursionError
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, is_cancelled_exception

from agent_runner import durable_agent, logs
from agent_runner.contracts import (
    AGENT_ERROR,
    CHECK_WORKSPACE_ACTIVITY,
    CONFIGURATION_ERROR,
    DEFAULT_MAX_MODEL_CALLS,
    RESOLVE_MODEL_ACTIVITY,
    SAVE_FILES_ACTIVITY,
    STEP_LIMIT_ERROR,
    WORKSPACE_FILES_ACTIVITY,
    AgentExecutionInput,
    AgentExecutionResult,
    FileRecord,
    ModelSettings,
    SaveFilesInput,
    WorkspaceFilesInput,
)
from agent_runner.model_spec import ModelSpec
from agent_runner.observed import Observed

# Quick local steps (settings, files on the worker's disk).
LOCAL_STEP = timedelta(seconds=60)
LOCAL_RETRY = RetryPolicy(maximum_attempts=5, non_retryable_error_types=[CONFIGURATION_ERROR])
# One SaveFiles activity carries at most this much file content (Temporal's payload limit is 2 MiB).
SAVE_FILES_BATCH_CHARS = 1_000_000


@dataclass
class TurnOutcome:
    result: AgentExecutionResult
    messages: list[BaseMessage]  # the whole conversation after the turn
    files: dict[str, Any]  # every file of the agent's state after the turn (unchanged by a turn with a workspace)



async def run_turn(
    request: AgentExecutionInput,
    folder: str,
    observed: Observed,
    history: Sequence[BaseMessage] = (),
    files: dict[str, Any] | None = None,
) -> TurnOutcome:
    """Runs the turn; raises the ApplicationError it fails with (see `failure_of`)."""
    try:
        return await _run_turn(request, folder, observed, history, files or {})
    except Exception as error:
        if is_cancelled_exception(error):
            # Cancelled by the user: the workflow ends as cancelled, not as failed.
            log_event("execution_cancelled", "agent execution cancelled")
            raise
        failure = failure_of(error)
        log_event("execution_failed", failure.message, logging.WARNING, error_type=failure.type)
        raise failure from None


async def _run_turn(
    request: AgentExecutionInput, folder: str, observed: Observed, history: Sequence[BaseMessage], files: dict[str, Any]
) -> TurnOutcome:
    unknown = sorted(set(request.approve_tools) - set(durable_agent.TOOL_NAMES))
    if unknown:
        raise ApplicationError(
            f"no tool named {', '.join(unknown)} to approve; the agent's tools are {', '.join(durable_agent.TOOL_NAMES)}",
            type=CONFIGURATION_ERROR,
            non_retryable=True,
        )
    if request.workspace:
        await workflow.execute_activity(
            CHECK_WORKSPACE_ACTIVITY, request.workspace, start_to_close_timeout=LOCAL_STEP, retry_policy=LOCAL_RETRY
        )
    settings = await workflow.execute_activity(
        RESOLVE_MODEL_ACTIVITY,
        request.model or ModelSettings(),
        result_type=ModelSettings,
        start_to_close_timeout=LOCAL_STEP,
        retry_policy=LOCAL_RETRY,
    )
    spec = ModelSpec(str(settings.provider), str(settings.model), settings.temperature, settings.max_tokens)
    log_event("execution_started", "agent execution started", provider=spec.provider, model=spec.model)
    outcome = await durable_agent.run_in_workflow(
        spec.name(),
        request.prompt,
        request.instructions,
        request.max_model_calls or DEFAULT_MAX_MODEL_CALLS,
        observed.steps,
        observed.gate,
        request.approve_tools,
        history,
        files,
        request.workspace,
    )
    if request.workspace:
        listed = await _workspace_files(request.workspace, outcome.written)
        kept = files  # the state's files (a thread's) are not this turn's: left as they were
    else:
        listed = durable_agent.file_records(outcome.files)
        kept = outcome.files
        await _save_files(folder, outcome.files)
    result = AgentExecutionResult(
        answer=outcome.answer,
        tool_calls=outcome.tool_calls,
        usage=outcome.usage,
        provider=spec.provider,
        model=spec.model,
        thread_id=request.thread_id,
        files=listed,
        model_calls=outcome.model_calls,
    )
    log_event(
        "execution_finished",
        "agent execution finished",
        model_calls=result.model_calls,
        tool_calls=len(result.tool_calls),
        total_tokens=result.usage.total_tokens,
    )
    return TurnOutcome(result, outcome.messages, kept)


async def _save_files(folder: str, files: dict[str, Any]) -> None:
    for batch in _batches(files):
        await workflow.execute_activity(
            SAVE_FILES_ACTIVITY,
            SaveFilesInput(folder=folder, files=batch),
            start_to_close_timeout=LOCAL_STEP,
            retry_policy=LOCAL_RETRY,
        )


async def _workspace_files(workspace: str, written: list[str]) -> list[FileRecord]:
    """The files the agent created or changed in the user's directory, sizes from the worker's disk.

    Which files: those its successful write_file / edit_file steps named (their results are in
    the history, sub-agents' included), not a scan of the directory before and after: a user's
    directory may be large, and other programs change files in it meanwhile. The sizes are read
    at the end, so a file deleted after it was written is not listed."""
    if not written:
        return []
    records: list[FileRecord] = await workflow.execute_activity(
        WORKSPACE_FILES_ACTIVITY,
        WorkspaceFilesInput(workspace=workspace, paths=written),
        result_type=list[FileRecord],
        start_to_close_timeout=LOCAL_STEP,
        retry_policy=LOCAL_RETRY,
    )
    return records


def failure_of(error: Exception) -> ApplicationError:
    """What a turn fails with: one line and a stable type, never retried."""
    if isinstance(error, ActivityError):
        return _one_line(error.cause or error)
    if isinstance(error, GraphRecursionError):
        return ApplicationError("the agent went round its graph too many times", type=STEP_LIMIT_ERROR, non_retryable=True)
    if isinstance(error, ApplicationError):
        return error
    # A failure of the agent itself: fail the turn and say what it was, rather than retry a
    # workflow task that would fail the same way forever.
    summary = " ".join(str(error).split())[:300]
    return ApplicationError(f"the agent failed: {type(error).__name__}: {summary}", type=AGENT_ERROR, non_retryable=True)


def log_event(event: str, message: str, level: int = logging.INFO, **fields: object) -> None:
    """A log event of the runner's, written once: not again when the workflow is replayed."""
    if not workflow.unsafe.is_replaying():
        logs.event(logs.logger(), event, message, level=level, workflow_id=workflow.info().workflow_id, **fields)


def _one_line(cause: BaseException) -> ApplicationError:
    """The step's own failure, as the turn's: its message and type, not retried."""
    if isinstance(cause, ApplicationError):
        return ApplicationError(cause.message, type=cause.type, non_retryable=True)
    message = getattr(cause, "message", None) or str(cause) or type(cause).__name__
    return ApplicationError(f"a step of the agent failed: {message}", type=AGENT_ERROR, non_retryable=True)


def _batches(files: dict[str, Any]) -> list[dict[str, Any]]:
    batches: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
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
