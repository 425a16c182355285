"""The JSON contract of the ExecuteAgent workflow.

Plain dataclasses with snake_case fields: Temporal's default JSON converter turns
them into the objects a client (the stigmer CLI, through Temporal's HTTP API)
sends and receives. Unknown fields are ignored, missing optional ones default.
This module is imported inside the workflow sandbox, so it imports nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

WORKFLOW_NAME = "ExecuteAgent"
RUN_AGENT_ACTIVITY = "RunAgent"
# The error type of a failure that retrying cannot fix (missing key, unknown provider).
CONFIGURATION_ERROR = "AgentConfigurationError"


@dataclass
class ModelSettings:
    """Which chat model to use; every field left out falls back to the worker's env."""

    provider: Optional[str] = None
    model: Optional[str] = None
    temperature: Optional[float] = None
    max_tokens: Optional[int] = None


@dataclass
class AgentExecutionInput:
    """Input of ExecuteAgent."""

    prompt: str
    instructions: Optional[str] = None
    model: Optional[ModelSettings] = None
    thread_id: Optional[str] = None


@dataclass
class ToolCallRecord:
    """One tool call the agent made, with what the tool returned."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    output: str = ""


@dataclass
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0


@dataclass
class AgentExecutionResult:
    """Output of ExecuteAgent."""

    answer: str
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    usage: TokenUsage = field(default_factory=TokenUsage)
    provider: str = ""
    model: str = ""
    thread_id: Optional[str] = None
