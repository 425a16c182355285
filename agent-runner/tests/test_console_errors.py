"""What a user sees when the runner cannot start: one line naming the problem and what to
set, a non-zero exit, no traceback and no mention of the language it is written in."""

from __future__ import annotations

import json
import socket
import subprocess

import pytest

from fake_llm import FakeLlmServer
from support import no_python
from support.launch import command_for
from support.runner_process import runner_env


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again once the block ends


def _run(kind: str, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command_for(kind) + args, env=runner_env(**env), capture_output=True, text=True, timeout=120)


def _user_lines(kind: str, stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line != no_python.MARKER]


CASES = [
    ({}, "no API key for LLM provider anthropic; set STIGMER_LLM_API_KEY or ANTHROPIC_API_KEY"),
    ({"STIGMER_LLM_PROVIDER": "openai"}, "no API key for LLM provider openai; set STIGMER_LLM_API_KEY or OPENAI_API_KEY"),
    ({"ANTHROPIC_API_KEY": "k", "TEMPORAL_MAX_CONCURRENCY": "lots"}, "TEMPORAL_MAX_CONCURRENCY='lots' is not a whole number"),
    ({"ANTHROPIC_API_KEY": "k", "STIGMER_LLM_PROVIDER": "gemini"}, "STIGMER_LLM_PROVIDER='gemini' is not one of anthropic, openai, ollama"),
    ({"ANTHROPIC_API_KEY": "k", "STIGMER_WORKSPACE_ROOT": "/proc/no-workspaces-here"}, "cannot write the workspace folder /proc/no-workspaces-here"),
]


@pytest.mark.parametrize(("env", "expected"), CASES)
def test_configuration_errors(kind: str, env: dict[str, str], expected: str) -> None:
    completed = _run(kind, [], **env)
    lines = _user_lines(kind, completed.stderr)
    assert completed.returncode == 2
    assert len(lines) == 1 and lines[0].startswith("agent-runner: error: ") and expected in lines[0], completed.stderr
    assert "traceback" not in completed.stderr.lower() and "python" not in completed.stderr.lower()


def test_unreachable_temporal(kind: str) -> None:
    address = f"127.0.0.1:{_closed_port()}"
    completed = _run(kind, [], ANTHROPIC_API_KEY="k", TEMPORAL_SERVICE_ADDRESS=address, STIGMER_TEMPORAL_CONNECT_TIMEOUT_SECONDS="5")
    lines = _user_lines(kind, completed.stderr)
    assert completed.returncode == 2
    assert len(lines) == 1 and f"cannot reach Temporal at {address}" in lines[0] and "TEMPORAL_SERVICE_ADDRESS" in lines[0], completed.stderr
    assert "python" not in completed.stderr.lower()


def test_json_log_format_reports_startup_errors_as_json(kind: str) -> None:
    completed = _run(kind, [], STIGMER_LOG_FORMAT="json", TEMPORAL_MAX_CONCURRENCY="x")
    lines = _user_lines(kind, completed.stderr)
    assert completed.returncode == 2 and len(lines) == 1, completed.stderr
    entry = json.loads(lines[0])
    assert entry["event"] == "startup_failed" and entry["level"] == "error"
    assert "TEMPORAL_MAX_CONCURRENCY" in entry["message"] and "traceback" not in entry


def test_version(kind: str) -> None:
    completed = _run(kind, ["--version"])
    assert completed.returncode == 0
    version = completed.stdout.strip()
    assert version and not version.startswith("v") and "\n" not in version


def test_an_ollama_that_cannot_serve_the_model_stops_the_start_in_one_line(kind: str, fake_llm: FakeLlmServer) -> None:
    # The stand-in answers Ollama's model list (GET /api/tags) with the models it has pulled.
    nobody = f"http://127.0.0.1:{_closed_port()}"
    cases = [
        ({"OLLAMA_BASE_URL": nobody}, f"Ollama does not answer at {nobody}: start it with `ollama serve`"),
        (
            {"OLLAMA_BASE_URL": fake_llm.url, "STIGMER_LLM_MODEL": "qwen3"},
            f"model qwen3 is not pulled into Ollama at {fake_llm.url}: run `ollama pull qwen3` (pulled: llama3.2:latest, fake-ollama:latest)",
        ),
    ]
    for env, expected in cases:
        completed = _run(kind, [], STIGMER_LLM_PROVIDER="ollama", **env)
        assert completed.returncode == 2
        assert _user_lines(kind, completed.stderr) == [f"agent-runner: error: {expected}"], completed.stderr
        assert "python" not in completed.stderr.lower()
