"""What a client can read and answer while an execution runs: shared by both workflows.

The `Steps` query gives the steps from an offset on (no history events, so a client may
poll it often); the `Decide` update answers a tool call that waits for approval, and is
rejected, with nothing recorded, when none waits.
"""

from __future__ import annotations

from temporalio import workflow

from agent_runner.approvals import ApprovalGate
from agent_runner.contracts import DECIDE_UPDATE, STEPS_QUERY, Decision, DecisionResult, StepsQuery, StepsView
from agent_runner.observed import Observed
from agent_runner.steps import StepLog


class ObservedExecution:
    def __init__(self) -> None:
        steps = StepLog()
        self.observed = Observed(steps, ApprovalGate(steps))

    @workflow.query(name=STEPS_QUERY)
    def steps_since(self, query: StepsQuery) -> StepsView:
        log = self.observed.steps
        steps, offset = log.since(query.after)
        view = StepsView(steps=steps, next=offset, run_id=workflow.info().run_id, waiting_for_approval=self.observed.gate.pending())
        for step in reversed(log.steps):
            if step["kind"] == "model_call":
                view.model_calls, view.total_tokens = step["n"], step["total_tokens"]
                break
        return view

    @workflow.update(name=DECIDE_UPDATE)
    def decide(self, decision: Decision) -> DecisionResult:
        return self.observed.gate.decide(decision)

    @decide.validator
    def check_decision(self, decision: Decision) -> None:
        self.observed.gate.check(decision)
