"""Tool calls that wait for the user's word before they run.

The wait is a condition in the workflow: it holds no worker slot, and a worker that
replays the workflow after a restart waits at the same call again, because the
request is rebuilt from the recorded model calls and the answer, an update, is in
the history. Answers go to the oldest call waiting unless they name one.
"""

from __future__ import annotations

from dataclasses import dataclass

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from agent_runner.contracts import Decision, DecisionResult
from agent_runner.steps import StepLog


@dataclass
class _Waiting:
    tool: str
    args: str
    call_id: str
    decision: Decision | None = None


class ApprovalGate:
    def __init__(self, steps: StepLog) -> None:
        self.steps = steps
        self.waiting: list[_Waiting] = []

    async def ask(self, tool: str, args: str, call_id: str) -> Decision:
        """Waits for the user's decision on this tool call."""
        entry = _Waiting(tool, args, call_id)
        self.waiting.append(entry)
        self.steps.add("approval_wanted", tool=tool, args=args, call_id=call_id)
        await workflow.wait_condition(lambda: entry.decision is not None)
        self.waiting.remove(entry)
        assert entry.decision is not None
        self.steps.add("approval", tool=tool, call_id=call_id, approved=entry.decision.approve, reason=entry.decision.reason)
        return entry.decision

    def check(self, decision: Decision) -> None:
        """Raises ValueError (the update is rejected, nothing recorded) when there is nothing to decide."""
        if self._target(decision) is None:
            if decision.call_id and self._open():
                raise ValueError(f"no tool call {decision.call_id!r} waits for approval")
            raise ValueError("no tool call waits for approval")

    def decide(self, decision: Decision) -> DecisionResult:
        entry = self._target(decision)
        if entry is None:  # answered by another update since this one was validated
            raise ApplicationError("no tool call waits for approval", non_retryable=True)
        entry.decision = decision
        return DecisionResult(tool=entry.tool, args=entry.args, call_id=entry.call_id, approved=decision.approve)

    def pending(self) -> list[dict[str, str]]:
        return [{"tool": e.tool, "args": e.args, "call_id": e.call_id} for e in self._open()]

    def _open(self) -> list[_Waiting]:
        return [e for e in self.waiting if e.decision is None]

    def _target(self, decision: Decision) -> _Waiting | None:
        for entry in self._open():
            if not decision.call_id or entry.call_id == decision.call_id:
                return entry
        return None
