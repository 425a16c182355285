"""The chat model the agent sees inside the workflow: every call is a durable activity.

Temporal's `TemporalModel` turns each generation into one `deepagents.invoke_model`
activity. This subclass also keeps the execution's ledger: it counts every model
call (the main agent's, sub-agents' and summaries', which all share this one model
object) with its tokens, and refuses the call past the execution's limit.

Passed through the workflow sandbox (imported once, not per execution): the class
is built once, and its code runs deterministically from the recorded results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatResult
from temporalio.deepagents import TemporalModel
from temporalio.exceptions import ApplicationError

from agent_runner.contracts import STEP_LIMIT_ERROR, TokenUsage


@dataclass
class Ledger:
    """What the execution's model calls have cost so far."""

    max_model_calls: int
    model_calls: int = 0
    usage: TokenUsage = field(default_factory=TokenUsage)

    def admit(self) -> None:
        if self.model_calls >= self.max_model_calls:
            raise ApplicationError(
                f"the agent made {self.model_calls} model calls without a final answer, its limit; "
                "raise it with 'stigmer run --max-model-calls N' (or [agent] max_model_calls in config.toml)",
                type=STEP_LIMIT_ERROR,
                non_retryable=True,
            )
        self.model_calls += 1

    def record(self, result: ChatResult) -> None:
        for generation in result.generations:
            message = getattr(generation, "message", None)
            metadata = message.usage_metadata if isinstance(message, AIMessage) else None
            if metadata:
                self.usage.input_tokens += metadata.get("input_tokens", 0)
                self.usage.output_tokens += metadata.get("output_tokens", 0)
                self.usage.total_tokens += metadata.get("total_tokens", 0)


class LedgeredModel(TemporalModel):
    """A `TemporalModel` that books every call in `ledger`."""

    ledger: Optional[Ledger] = None

    async def _agenerate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        if self.ledger is not None:
            self.ledger.admit()
        result = await super()._agenerate(messages, stop=stop, run_manager=run_manager, **kwargs)
        if self.ledger is not None:
            self.ledger.record(result)
        return result
