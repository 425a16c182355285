"""The worker's questions to Ollama's model list, against the stand-in for an Ollama server
(fake_llm.py, which answers GET /api/tags as Ollama does), and against a port nobody serves."""

from __future__ import annotations

import socket

import pytest

from agent_runner import ollama_server
from agent_runner.config import read_settings
from agent_runner.errors import StartupError
from fake_llm import FakeLlmServer


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_the_pulled_models_are_listed_and_a_name_without_tag_means_latest() -> None:
    with FakeLlmServer(ollama_models=("llama3.2:latest", "qwen3:8b")) as server:
        assert ollama_server.pulled_models(server.url) == ["llama3.2:latest", "qwen3:8b"]
        assert ollama_server.check_model(server.url, "llama3.2") is None
        assert ollama_server.check_model(server.url, "qwen3:8b") is None


def test_a_model_not_pulled_is_one_line_with_the_command_and_the_models_there_are() -> None:
    with FakeLlmServer(ollama_models=("llama3.2:latest", "qwen3:8b")) as server:
        problem = ollama_server.check_model(server.url, "qwen3")
    assert problem is not None
    assert problem.one_line() == (
        f"model qwen3 is not pulled into Ollama at {server.url}: run `ollama pull qwen3` (pulled: llama3.2:latest, qwen3:8b)"
    )


def test_an_ollama_that_does_not_answer_is_one_line_with_the_command_to_start_it() -> None:
    url = _closed_port_url()
    problem = ollama_server.check_model(url, "llama3.2")
    assert problem is not None and problem.one_line() == f"Ollama does not answer at {url}: start it with `ollama serve`"


def test_a_server_that_is_not_ollama_does_not_answer_as_ollama() -> None:
    with FakeLlmServer() as server:  # answers 404 on a path it does not serve
        problem = ollama_server.check_model(server.url + "/nothing-here", "llama3.2")
    assert problem is not None and "does not answer" in problem.one_line()


def test_the_start_check_asks_only_when_the_worker_s_provider_is_ollama() -> None:
    url = _closed_port_url()
    ollama_server.check_at_start(read_settings({"ANTHROPIC_API_KEY": "k", "OLLAMA_BASE_URL": url}).llm)  # not asked
    with pytest.raises(StartupError, match="Ollama does not answer at"):
        ollama_server.check_at_start(read_settings({"STIGMER_LLM_PROVIDER": "ollama", "OLLAMA_BASE_URL": url}).llm)
    with FakeLlmServer() as server:
        env = {"STIGMER_LLM_PROVIDER": "ollama", "STIGMER_LLM_BASE_URL": server.url}
        ollama_server.check_at_start(read_settings({**env, "STIGMER_LLM_MODEL": "fake-ollama"}).llm)
        with pytest.raises(StartupError, match="run `ollama pull gemma3`"):
            ollama_server.check_at_start(read_settings({**env, "STIGMER_LLM_MODEL": "gemma3"}).llm)
