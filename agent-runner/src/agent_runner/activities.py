"""The worker-side steps of an execution, besides the model calls themselves.

The model calls are the durable-agent plugin's activities; `chat_model` is what
they build the real client with, from the worker's settings (keys never enter
an execution's history).
"""

from __future__ import annotations

import asyncio
import base64
import os
import tempfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from temporalio import activity
from temporalio.exceptions import ApplicationError

from agent_runner import ollama_server
from agent_runner.config import LlmDefaults
from agent_runner.contracts import (
    CHECK_WORKSPACE_ACTIVITY,
    CONFIGURATION_ERROR,
    RESOLVE_MODEL_ACTIVITY,
    SAVE_FILES_ACTIVITY,
    WORKSPACE_FILES_ACTIVITY,
    FileRecord,
    ModelSettings,
    SaveFilesInput,
    WorkspaceFilesInput,
)
from agent_runner.errors import StartupError
from agent_runner.model_spec import ModelSpec, parse_model_name
from agent_runner.providers import DEFAULT_OLLAMA_BASE_URL

# The agent stack (LangChain, deepagents) is imported where it is used: the worker polls
# before it is imported (agent_stack.py), and these activities wait for it.
if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel


def configuration_error(error: StartupError) -> ApplicationError:
    return ApplicationError(error.one_line(), type=CONFIGURATION_ERROR, non_retryable=True)


class AgentActivities:
    """Holds the worker's defaults; Temporal calls the activities, the plugin `chat_model`."""

    def __init__(self, llm: LlmDefaults, workspace_root: Path) -> None:
        self.llm = llm
        self.workspace_root = workspace_root
        self._models: dict[str, BaseChatModel] = {}

    @activity.defn(name=RESOLVE_MODEL_ACTIVITY)
    async def resolve_model(self, settings: ModelSettings) -> ModelSettings:
        """The input's model settings completed from the worker's env, checked once per execution."""
        try:
            resolved = self.llm.resolve(settings.provider, settings.model, settings.temperature, settings.max_tokens)
            self.llm.require_api_key(resolved)
        except StartupError as error:
            raise configuration_error(error) from None
        if resolved.provider == "ollama":
            # Its model list is local and cheap: `stigmer run --model` gets the pulled models in
            # one line now, rather than an HTTP 404 from the first model call.
            problem = await asyncio.to_thread(ollama_server.check_model, resolved.base_url or DEFAULT_OLLAMA_BASE_URL, resolved.model)
            if problem is not None:
                raise configuration_error(problem)
        return ModelSettings(resolved.provider, resolved.model, resolved.temperature, resolved.max_tokens)

    def chat_model(self, name: str) -> BaseChatModel:
        """The real chat model behind a durable model's name (`model_spec`); built once per name,
        so its client and connections serve every call of every execution that names it."""
        if name not in self._models:
            self._models[name] = self._build_chat_model(name)
        return self._models[name]

    def _build_chat_model(self, name: str) -> BaseChatModel:
        try:
            spec: ModelSpec = parse_model_name(name)
            resolved = self.llm.resolve(spec.provider, spec.model, spec.temperature, spec.max_tokens)
            self.llm.require_api_key(resolved)
        except StartupError as error:
            raise configuration_error(error) from None
        except ValueError as error:
            raise ApplicationError(str(error), type=CONFIGURATION_ERROR, non_retryable=True) from None
        from agent_runner.chat_models import build_chat_model

        return build_chat_model(resolved)

    @activity.defn(name=SAVE_FILES_ACTIVITY)
    async def save_files(self, request: SaveFilesInput) -> None:
        """Writes the agent's files into its workspace folder; rewriting the same files is harmless."""
        folder = self.workspace_root / request.folder
        for path, data in request.files.items():
            target = _inside(folder, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            content = str(data.get("content", ""))
            raw = base64.b64decode(content) if data.get("encoding") == "base64" else content.encode("utf-8")
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                out.write(raw)
            os.replace(temporary, target)

    @activity.defn(name=CHECK_WORKSPACE_ACTIVITY)
    async def check_workspace(self, workspace: str) -> None:
        """The user's directory (`--workspace`) is there on this machine: checked once, before any model call."""
        from agent_runner.workspace_backend import workspace_problem

        problem = workspace_problem(workspace)
        if problem:
            raise ApplicationError(problem, type=CONFIGURATION_ERROR, non_retryable=True)

    @activity.defn(name=WORKSPACE_FILES_ACTIVITY)
    async def workspace_files(self, request: WorkspaceFilesInput) -> list[FileRecord]:
        """The files the agent wrote or edited in the user's directory, with their sizes on disk."""
        from agent_runner.workspace_backend import workspace_files

        return [FileRecord(path, size) for path, size in workspace_files(request.workspace, request.paths)]


def _inside(folder: Path, path: str) -> Path:
    """`path` (rooted at the workspace) under `folder`; refuses one that leaves it."""
    parts = [p for p in PurePosixPath("/" + path).parts[1:] if p not in ("", ".")]
    if not parts or ".." in parts:
        raise ApplicationError(f"the agent's file path {path!r} leaves its workspace", non_retryable=True)
    return folder.joinpath(*parts)
