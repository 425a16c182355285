"""ExecuteAgent through a real Temporal dev server, served by the runner from source and by
the frozen executable run where no Python can be found. The LLM is the fake-LLM stand-in."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from agent_runner.contracts import AgentExecutionInput, ModelSettings
from fake_llm import ANSWER_PREFIX, FakeLlmServer
from support import no_python
from support.launch import start_runner
from support.temporal_dev import TemporalDevServer
from support.workflows import execute

pytestmark = pytest.mark.temporal

WRITE_PROMPT = 'Write a note. [fake:tool=write_file {"file_path": "/hello.txt", "content": "hi from stigmer"}]'


def test_execute_agent_end_to_end(
    kind: str, temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    runner = start_runner(kind, temporal, fake_llm, task_queue, tmp_path / "workspaces")
    try:
        ready = json.loads(runner.wait_ready())
        assert ready["task_queue"] == task_queue and ready["namespace"] == "default"

        workflow_id = f"e2e-{uuid.uuid4().hex[:8]}"
        result, _ = execute(
            temporal.address, task_queue, AgentExecutionInput(prompt=WRITE_PROMPT, instructions="Be brief."), workflow_id
        )
        assert result.answer.startswith(ANSWER_PREFIX) and "hello.txt" in result.answer
        assert [c.name for c in result.tool_calls] == ["write_file"]
        assert (result.usage.input_tokens, result.usage.output_tokens, result.usage.total_tokens) == (20, 10, 30)
        assert (result.provider, result.model) == ("anthropic", "claude-sonnet-4-6")
        assert (tmp_path / "workspaces" / f"run-{workflow_id}" / "hello.txt").read_text() == "hi from stigmer"
        assert result.model_calls == 2 and [f.path for f in result.files] == ["/hello.txt"]

        # The workflow input overrides the env's provider: OpenAI, key from OPENAI_API_KEY.
        fake_llm.clear()
        override = AgentExecutionInput(
            prompt="Which provider?", model=ModelSettings(provider="openai", model="gpt-fake", temperature=0.1)
        )
        override_result, _ = execute(temporal.address, task_queue, override)
        assert override_result.answer == ANSWER_PREFIX + "Which provider?"
        assert (override_result.provider, override_result.model) == ("openai", "gpt-fake")
        assert fake_llm.requests[0]["path"] == "/v1/chat/completions"
        assert fake_llm.requests[0]["headers"]["authorization"] == "Bearer test-key-123"

    finally:
        runner.stop()
    assert runner.process.returncode == 0, runner.log()
    # STIGMER_LOG_FORMAT=json: every line is one JSON object, the SDK's own core logs included.
    for line in runner.lines:
        if line != no_python.MARKER:
            assert isinstance(json.loads(line), dict), line


def test_unknown_namespace_is_one_clear_line(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> None:
    runner = start_runner("source", temporal, fake_llm, task_queue, tmp_path, log_format="plain", TEMPORAL_NAMESPACE="no-such-ns")
    code = runner.wait_exit(60)
    assert code == 78  # refused settings: a supervisor does not restart it unchanged
    assert runner.lines == ["agent-runner: error: Temporal namespace 'no-such-ns' does not exist; create it on the cluster or set TEMPORAL_NAMESPACE ([temporal] namespace)"]


