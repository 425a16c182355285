"""The ExecuteAgent workflow: deterministic glue that runs the agent as one activity.

It runs in Temporal's sandbox, so it imports only the plain contract dataclasses
and names the activity by string.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from agent_runner.contracts import (
        CONFIGURATION_ERROR,
        RUN_AGENT_ACTIVITY,
        WORKFLOW_NAME,
        AgentExecutionInput,
        AgentExecutionResult,
    )

# An agent may think for a long time; the heartbeat timeout catches a dead worker early.
AGENT_TIMEOUT = timedelta(hours=1)
HEARTBEAT_TIMEOUT = timedelta(seconds=60)
RETRY_POLICY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_attempts=3,
    non_retryable_error_types=[CONFIGURATION_ERROR],
)


@workflow.defn(name=WORKFLOW_NAME)
class ExecuteAgent:
    @workflow.run
    async def run(self, request: AgentExecutionInput) -> AgentExecutionResult:
        return await workflow.execute_activity(
            RUN_AGENT_ACTIVITY,
            request,
            result_type=AgentExecutionResult,
            start_to_close_timeout=AGENT_TIMEOUT,
            heartbeat_timeout=HEARTBEAT_TIMEOUT,
            retry_policy=RETRY_POLICY,
        )
