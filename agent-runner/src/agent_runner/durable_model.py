"""The chat model the agent sees inside the workflow: every call is a durable activity.

Temporal's `TemporalModel` turns each generation into one `deepagents.invoke_model`
activity. This subclass also keeps the execution's ledger: it counts every model
call (the main agent's, sub-agents' and summaries', which all share this one model
object) with its tokens, refuses the call past the execution's limit, reports each call
as a step (steps.py) and keeps the usage in the workflow's memo, where `stigmer runs`
reads it from Temporal's visibility.

Passed through the workflow sandbox (imported once, not per execution): the class
is built once, and its code runs deterministically from the recorded results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatResult
from temporalio import workflow
from temporalio.deepagents import TemporalModel
from temporalio.exceptions import ApplicationError

from agent_runner.contracts import OUTPUT_LIMIT_ERROR, STEP_LIMIT_ERROR, TokenUsage
from agent_runner.steps import StepLog, short

# Executions recorded before the memo existed replay without it (their histories have no
# memo commands); new ones keep it.
USAGE_MEMO_PATCH = "usage-memo"


@dataclass
class Ledger:
    """What the execution's model calls have cost so far."""

    max_model_calls: int
    model_calls: int = 0
    usage: TokenUsage = field(default_factory=TokenUsage)
    steps: StepLog = field(default_factory=StepLog)

    def admit(self) -> None:
        if self.model_calls >= self.max_model_calls:
            raise ApplicationError(
                f"the agent made {self.model_calls} model calls without a final answer, its limit; "
                "raise it with 'stigmer run --max-model-calls N' (or [agent] max_model_calls in config.toml)",
                type=STEP_LIMIT_ERROR,
                non_retryable=True,
            )
        self.model_calls += 1
        self.steps.add("model_call_started", n=self.model_calls)

    def record(self, result: ChatResult) -> None:
        tokens = 0
        tool_calls: list[str] = []
        text = ""
        for generation in result.generations:
            message = getattr(generation, "message", None)
            if not isinstance(message, AIMessage):
                continue
            tool_calls += [call["name"] for call in message.tool_calls]
            text = text or short(message.text)
            metadata = message.usage_metadata
            if metadata:
                self.usage.input_tokens += metadata.get("input_tokens", 0)
                self.usage.output_tokens += metadata.get("output_tokens", 0)
                self.usage.total_tokens += metadata.get("total_tokens", 0)
                tokens += metadata.get("total_tokens", 0)
        self.steps.add(
            "model_call", n=self.model_calls, tokens=tokens, total_tokens=self.usage.total_tokens, tool_calls=tool_calls, text=text
        )
        if workflow.patched(USAGE_MEMO_PATCH):
            workflow.upsert_memo({"model_calls": self.model_calls, "total_tokens": self.usage.total_tokens})


class LedgeredModel(TemporalModel):
    """A `TemporalModel` that books every call in `ledger`."""

    ledger: Optional[Ledger] = None

    async def _agenerate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        if self.ledger is not None:
            self.ledger.admit()
        result = await super()._agenerate(messages, stop=stop, run_manager=run_manager, **kwargs)
        if self.ledger is not None:
            self.ledger.record(result)
        refuse_cut_tool_calls(result)
        return result


# How each provider says the answer stopped at the output limit (max_tokens / num_predict).
OUTPUT_LIMIT_REASONS = {"stop_reason": "max_tokens", "finish_reason": "length", "done_reason": "length"}


def refuse_cut_tool_calls(result: ChatResult) -> None:
    """Fails the turn when the model was cut off by its output limit in the middle of a tool call.

    The call's arguments are then incomplete (a file's content cut short, or JSON that does not
    parse); running it would do the wrong thing quietly, and asking again gets the same cut."""
    for generation in result.generations:
        message = getattr(generation, "message", None)
        if not isinstance(message, AIMessage):
            continue
        metadata = message.response_metadata or {}
        if not any(metadata.get(key) == value for key, value in OUTPUT_LIMIT_REASONS.items()):
            continue
        names = [str(call.get("name") or "a tool") for call in [*message.tool_calls, *message.invalid_tool_calls]]
        if not names:
            continue  # a text answer cut short is still an answer
        used = message.usage_metadata["output_tokens"] if message.usage_metadata else 0
        after = f" after {used} output tokens" if used else ""
        raise ApplicationError(
            f"the model reached its output limit{after} in the middle of a {names[-1]} call, which was not run; "
            "raise the limit with 'stigmer run --max-tokens N' (or STIGMER_LLM_MAX_TOKENS), or ask for smaller steps",
            type=OUTPUT_LIMIT_ERROR,
            non_retryable=True,
        )
