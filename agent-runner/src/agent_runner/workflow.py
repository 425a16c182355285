"""The ExecuteAgent workflow: one agent execution, its control loop replayed from its history.

Every model call is an activity recorded as it completes, so an interrupted execution
continues from the step that was in flight, on whichever worker picks it up. Failures
reach the client as one line with a stable error type; its steps can be read while it runs
and tools on its approval list wait for the user (observed_execution.py). Conversations that go on over
several executions are AgentThread workflows (thread_workflow.py).
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from agent_runner.contracts import (
        CONFIGURATION_ERROR,
        THREAD_WORKFLOW_NAME,
        TURN_UPDATE,
        WORKFLOW_NAME,
        AgentExecutionInput,
        AgentExecutionResult,
    )
    from agent_runner.observed_execution import ObservedExecution
    from agent_runner.workspace import thread_workflow_id, workspace_folder_name


@workflow.defn(name=WORKFLOW_NAME)
class ExecuteAgent(ObservedExecution):
    @workflow.run
    async def run(self, request: AgentExecutionInput) -> AgentExecutionResult:
        if request.thread_id:
            raise ApplicationError(
                f"a thread's turns go to its {THREAD_WORKFLOW_NAME} workflow "
                f"({thread_workflow_id(request.thread_id)!r}, update {TURN_UPDATE!r}), not to {WORKFLOW_NAME}; "
                "'stigmer run --thread ID' does this",
                type=CONFIGURATION_ERROR,
                non_retryable=True,
            )
        # Here, not at the top: the worker loads this module before the agent stack (agent_stack.py).
        from agent_runner.agent_turn import run_turn

        folder = workspace_folder_name(workflow.info().workflow_id, None)
        return (await run_turn(request, folder, self.observed)).result
