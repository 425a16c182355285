"""The AgentThread workflow: a conversation kept in Temporal, one turn per update.

One long-lived workflow per thread (id `stigmer-thread-<thread id>`) holds the
conversation and the agent's files in its state, so a turn works from any machine that
serves the task queue. Each turn arrives as the `Turn` update and runs like an
ExecuteAgent, its model calls durable steps; turns run one at a time, in order. A turn
is recorded in the history once, however often its completion is retried (an update's
id is its identity). When Temporal suggests it, between turns, the workflow continues
as new with the conversation and the files, so its history stays small. Ctrl-C in
`stigmer run --thread` sends the `CancelTurn` signal: the running turn alone is cancelled.

A turn may name its own workspace (the user's directory, `AgentExecutionInput.workspace`):
that turn's file tools work on that directory only, and the thread's own files are neither
visible to it nor changed by it; they are there again for the next turn without a workspace.
The conversation goes on across both kinds of turns. A workspace is per turn, not remembered
by the thread: each turn that should work in the directory names it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from temporalio import workflow
from temporalio.common import VersioningBehavior
from temporalio.exceptions import ApplicationError, is_cancelled_exception

# The agent stack (LangChain, the turn) is imported where it is used, not here: the worker loads
# this module before the stack is imported (agent_stack.py).
if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

with workflow.unsafe.imports_passed_through():
    from agent_runner.contracts import (
        CANCEL_TURN_SIGNAL,
        THREAD_WORKFLOW_NAME,
        TURN_CANCELLED_ERROR,
        TURN_UPDATE,
        AgentExecutionInput,
        AgentExecutionResult,
        ThreadState,
    )
    from agent_runner.observed_execution import ObservedExecution
    from agent_runner.workspace import workspace_folder_name

# Events after which the thread continues as new even before Temporal suggests it: replaying a
# thread on a new worker stays quick.
MAX_HISTORY_EVENTS = 5_000


class AgentThreadBody(ObservedExecution):
    """The thread's state and handlers; AgentThread and VersionedAgentThread below add the run."""

    @workflow.init
    def __init__(self, state: ThreadState) -> None:
        super().__init__()
        # The state is taken here, not in `run`: a turn that arrives with the start (update with
        # start, or waiting across a continue-as-new) runs before `run` does.
        from langchain_core.messages import messages_from_dict

        self.thread_id = state.thread_id
        self.messages: list[BaseMessage] = list(messages_from_dict(state.messages))
        self.files: dict[str, Any] = dict(state.files)
        self.max_events = state.continue_as_new_after_events or MAX_HISTORY_EVENTS
        self.turns = 0
        self.lock = asyncio.Lock()
        self.running_turn: tuple[str, asyncio.Future[Any]] | None = None  # (update id, its work)
        self.cancelled_turns: set[str] = set()

    async def live(self) -> None:
        from langchain_core.messages import messages_to_dict

        await workflow.wait_condition(lambda: self._should_continue_as_new() and workflow.all_handlers_finished())
        workflow.continue_as_new(ThreadState(self.thread_id, messages_to_dict(self.messages), self.files, self.max_events))

    @workflow.update(name=TURN_UPDATE)
    async def turn(self, request: AgentExecutionInput) -> AgentExecutionResult:
        from agent_runner.agent_turn import run_turn

        async with self.lock:
            request.thread_id = self.thread_id
            update = workflow.current_update_info()
            self.observed.steps.turn = update.id if update else ""
            turn_id = self.observed.steps.turn
            work = asyncio.ensure_future(
                run_turn(request, workspace_folder_name("", self.thread_id), self.observed, self.messages, self.files)
            )
            self.running_turn = (turn_id, work)
            if turn_id in self.cancelled_turns:  # cancelled while it waited for the turn before it
                work.cancel()
            try:
                outcome = await work
            except BaseException as error:
                if turn_id in self.cancelled_turns and (isinstance(error, asyncio.CancelledError) or is_cancelled_exception(error)):
                    # The conversation stays as it was before the turn; the thread goes on.
                    raise ApplicationError("the turn was cancelled", type=TURN_CANCELLED_ERROR, non_retryable=True) from None
                raise
            finally:
                self.running_turn = None
            self.messages, self.files = outcome.messages, outcome.files
            self.turns += 1
            return outcome.result

    @workflow.signal(name=CANCEL_TURN_SIGNAL)
    def cancel_turn(self, turn_id: str) -> None:
        self.cancelled_turns.add(turn_id)
        if self.running_turn and self.running_turn[0] == turn_id:
            self.running_turn[1].cancel()

    @turn.validator
    def accept_turn(self, request: AgentExecutionInput) -> None:
        if not request.prompt.strip():
            raise ValueError("a turn needs a prompt")

    def _should_continue_as_new(self) -> bool:
        if self.turns == 0 or self.lock.locked():
            return False
        info = workflow.info()
        return info.is_continue_as_new_suggested() or info.get_current_history_length() > self.max_events


@workflow.defn(name=THREAD_WORKFLOW_NAME)
class AgentThread(AgentThreadBody):
    """The thread on an unversioned worker (no Worker Deployment named)."""

    @workflow.run
    async def run(self, state: ThreadState) -> None:
        await self.live()


# A thread lives across releases: it is not pinned to the runner that started it but moves to the
# stack's current version at its next task (after a `server update`), so its workflow code must
# replay the histories of earlier releases (the replay corpus guards that). Temporal refuses a
# versioning behaviour on an unversioned worker, hence two classes of one workflow type.
@workflow.defn(name=THREAD_WORKFLOW_NAME, versioning_behavior=VersioningBehavior.AUTO_UPGRADE)
class VersionedAgentThread(AgentThreadBody):
    """The thread on a worker that is a version of the stack's Worker Deployment."""

    @workflow.run
    async def run(self, state: ThreadState) -> None:
        await self.live()
