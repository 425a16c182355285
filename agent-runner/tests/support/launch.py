"""Starting a runner the way each test needs it: from source, or frozen with Python hidden."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from fake_llm import FakeLlmServer
from support import no_python
from support.runner_process import AGENT_RUNNER_DIR, RunnerProcess, frozen_command, runner_env, source_command
from support.temporal_dev import TemporalDevServer

KINDS = ("source", "frozen")


def command_for(kind: str) -> list[str]:
    if kind == "source":
        return source_command()
    # The source tree is hidden too: the executable must carry everything itself.
    return no_python.wrap(frozen_command(), extra_hidden_dirs=[AGENT_RUNNER_DIR / "src"])


def start_runner(
    kind: str,
    temporal: TemporalDevServer,
    fake_llm: FakeLlmServer,
    task_queue: str,
    workspace_root: Path,
    log_format: str = "json",
    **extra: Optional[str],
) -> RunnerProcess:
    env = runner_env(
        TEMPORAL_SERVICE_ADDRESS=temporal.address,
        TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE=task_queue,
        STIGMER_LLM_PROVIDER="anthropic",
        STIGMER_LLM_BASE_URL=fake_llm.url,
        STIGMER_LLM_API_KEY=fake_llm.api_key,
        OPENAI_API_KEY=fake_llm.api_key,
        OPENAI_BASE_URL=fake_llm.url + "/v1",
        STIGMER_WORKSPACE_ROOT=str(workspace_root),
        STIGMER_LOG_FORMAT=log_format,
        **extra,
    )
    runner = RunnerProcess(command_for(kind), env)
    if kind == "frozen":
        runner.wait_for_line(lambda line: line == no_python.MARKER, 30)
    return runner
