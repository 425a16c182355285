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
# A conversation over several turns: one workflow per thread, a turn per update.
THREAD_WORKFLOW_NAME = "AgentThread"
TURN_UPDATE = "Turn"
# What a client reads and answers while an execution runs (both workflows have them).
STEPS_QUERY = "Steps"
DECIDE_UPDATE = "Decide"
# Cancels a thread's running turn (its argument: the Turn update's id); the thread goes on.
CANCEL_TURN_SIGNAL = "CancelTurn"
THREAD_WORKFLOW_ID_PREFIX = "stigmer-thread-"
# The activities of ours; the model calls are the durable-agent plugin's (deepagents.invoke_model).
RESOLVE_MODEL_ACTIVITY = "ResolveModel"
SAVE_FILES_ACTIVITY = "SaveFiles"
# With a workspace (AgentExecutionInput.workspace): the directory checked, the files it lists.
CHECK_WORKSPACE_ACTIVITY = "CheckWorkspace"
WORKSPACE_FILES_ACTIVITY = "ListWorkspaceFiles"
# The worker-side backend factory (DeepAgentsPlugin(backends=...)) that opens a workspace.
WORKSPACE_BACKEND = "stigmer.workspace"

# Error types of failures that retrying cannot fix; each reaches the user as one line.
CONFIGURATION_ERROR = "AgentConfigurationError"  # missing key, unknown provider
PROVIDER_REFUSED_ERROR = "ModelProviderRefused"  # 4xx other than 408/409/429: bad key, bad model, context too long
STEP_LIMIT_ERROR = "AgentStepLimit"  # the execution used its model calls without a final answer
OUTPUT_LIMIT_ERROR = "ModelOutputLimit"  # the model's answer was cut by max_tokens in the middle of a tool call
AGENT_ERROR = "AgentFailed"  # anything else the agent raised; the message names it
TURN_CANCELLED_ERROR = "TurnCancelled"  # a thread's turn cancelled by the user (CancelTurn)
# Retryable, until the step's attempts are used up: 429, 5xx, timeouts, connection errors.
PROVIDER_UNAVAILABLE_ERROR = "ModelProviderUnavailable"

# Model calls one execution may make (sub-agents included) unless its input says otherwise.
DEFAULT_MAX_MODEL_CALLS = 250


@dataclass
class ModelSettings:
    """Which chat model to use; every field left out falls back to the worker's env."""

    provider: Optional[str] = None
    model: Optional[str] = None
    temperature: Optional[float] = None
    max_tokens: Optional[int] = None


@dataclass
class AgentExecutionInput:
    """Input of ExecuteAgent, and of a thread's Turn update.

    `workspace`: an absolute path of a directory ON THE WORKER'S MACHINE (`stigmer run
    --workspace DIR`). The agent's file tools then read and write that directory, each file
    step an activity on a worker, and the result's `files` lists the files it created or
    changed there; nothing is saved under the worker's workspace root. Paths that lead out of
    it are refused. For local stacks, where the worker runs on the user's machine: with
    workers on several machines, each file step may run on any of them, which must all see
    the directory at that path (a shared filesystem), or the steps fail or see other files.
    Without it the agent's files live in its state and are saved into
    `<workspace root>/run-<id>/` (or `thread-<id>/`) when it ends.
    """

    prompt: str
    instructions: Optional[str] = None
    model: Optional[ModelSettings] = None
    thread_id: Optional[str] = None
    # At most this many model calls (sub-agents included); DEFAULT_MAX_MODEL_CALLS when absent.
    max_model_calls: Optional[int] = None
    # Tools that wait for the user's approval (`Decide` update) before they run.
    approve_tools: list[str] = field(default_factory=list)
    # The user's directory the agent works in (see above); None: its own files, as always.
    workspace: Optional[str] = None


@dataclass
class ToolCallRecord:
    """One tool call the agent made, with what the tool returned."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    output: str = ""


@dataclass
class FileRecord:
    """A file the agent left in its workspace; with a workspace directory, one it created or
    changed there (path from the directory, as "/a.txt"; size on the worker's disk)."""

    path: str
    size: int = 0


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
    files: list[FileRecord] = field(default_factory=list)
    model_calls: int = 0


@dataclass
class SaveFilesInput:
    """Files of an execution's state to write into its workspace folder on the worker."""

    folder: str
    files: dict[str, Any] = field(default_factory=dict)  # path -> deepagents FileData


@dataclass
class WorkspaceFilesInput:
    """The files of a workspace directory whose sizes the result reports."""

    workspace: str
    paths: list[str] = field(default_factory=list)  # "/a.txt", from the directory


@dataclass
class ThreadState:
    """Input of AgentThread: what a thread carries into a new run (continue-as-new)."""

    thread_id: str
    messages: list[Any] = field(default_factory=list)  # LangChain message dicts
    files: dict[str, Any] = field(default_factory=dict)  # path -> deepagents FileData
    # Continue as new between turns once the history holds this many events (0: the default).
    continue_as_new_after_events: int = 0


@dataclass
class StepsQuery:
    """Argument of the Steps query: the steps from offset `after` on."""

    after: int = 0


@dataclass
class StepsView:
    """What the Steps query answers: steps are JSON objects with `seq`, `kind` and `at`.

    Kinds: model_call_started {n}; model_call {n, tokens, total_tokens, tool_calls, text};
    tool_call {tool, args, call_id}; tool_result {tool, call_id, ok, output};
    approval_wanted {tool, args, call_id}; approval {tool, call_id, approved, reason}.
    A thread's steps also carry `turn`, the id of the Turn update they belong to.
    """

    steps: list[dict[str, Any]] = field(default_factory=list)
    next: int = 0  # the offset to ask for next
    run_id: str = ""  # steps restart from 0 in a new run (a thread continued as new)
    waiting_for_approval: list[dict[str, Any]] = field(default_factory=list)
    model_calls: int = 0
    total_tokens: int = 0


@dataclass
class Decision:
    """Argument of the Decide update: the answer to the oldest tool call waiting (or `call_id`)."""

    approve: bool
    reason: str = ""
    call_id: str = ""


@dataclass
class DecisionResult:
    tool: str
    args: str
    call_id: str
    approved: bool
