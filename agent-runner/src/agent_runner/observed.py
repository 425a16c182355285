"""What a client sees of a turn while it runs: its steps, and the calls waiting for approval.

Its own module, light to import: the workflows hold one from their start, before the agent
stack is needed (agent_stack.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from agent_runner.approvals import ApprovalGate
from agent_runner.steps import StepLog


@dataclass
class Observed:
    steps: StepLog
    gate: ApprovalGate
