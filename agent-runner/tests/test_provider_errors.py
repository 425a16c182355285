"""Provider failures sorted into retry-the-step or stop, for the ones the fake-LLM server cannot
produce over HTTP (no answer at all); HTTP answers are covered end to end in test_durable_agent."""

from __future__ import annotations

from datetime import timedelta

import httpx
import openai
from temporalio.exceptions import ApplicationError

from agent_runner.contracts import PROVIDER_REFUSED_ERROR, PROVIDER_UNAVAILABLE_ERROR
from agent_runner.provider_errors import classify


def _status_error(status: int, headers: dict[str, str]) -> openai.APIStatusError:
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    response = httpx.Response(status, headers=headers, request=request)
    return openai.APIStatusError("boom", response=response, body={"error": {"message": "slow down please"}})


def test_a_provider_that_cannot_be_reached_is_retried() -> None:
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/messages")
    for error in (httpx.ConnectError("Connection refused", request=request), openai.APIConnectionError(request=request), TimeoutError()):
        classified = classify(error, "openai")
        assert classified is not None and classified.type == PROVIDER_UNAVAILABLE_ERROR and not classified.non_retryable
        assert classified.message.startswith("cannot reach openai (") and classified.message.endswith("); the step is retried")


def test_rate_limits_are_retried_after_the_delay_the_provider_asks_for() -> None:
    classified = classify(_status_error(429, {"retry-after": "7"}), "openai")
    assert classified is not None and classified.type == PROVIDER_UNAVAILABLE_ERROR
    assert classified.next_retry_delay == timedelta(seconds=7)
    assert classified.message == "openai answered HTTP 429: slow down please; the step is retried"


def test_the_plugins_wrapping_is_seen_through() -> None:
    wrapped = ApplicationError("Error code: 404", type="NotFoundError", non_retryable=True)
    wrapped.__cause__ = _status_error(404, {})
    classified = classify(wrapped, "openai")
    assert classified is not None and classified.type == PROVIDER_REFUSED_ERROR and classified.non_retryable
    assert "HTTP 404: slow down please" in classified.message


def test_other_errors_are_left_alone() -> None:
    assert classify(ValueError("a bug"), "openai") is None
    assert classify(ApplicationError("ours", type="AgentConfigurationError"), "openai") is None


def test_ollama_s_model_not_found_says_which_model_to_pull() -> None:
    import ollama

    # Ollama's own answer to /api/chat for a model it has not pulled.
    error = ollama.ResponseError('{"error":"model \\"qwen3\\" not found, try pulling it first"}', 404)
    classified = classify(error, "ollama", "qwen3", "http://127.0.0.1:11434")
    assert classified is not None and classified.type == PROVIDER_REFUSED_ERROR and classified.non_retryable
    assert classified.message == "model qwen3 is not pulled into Ollama at http://127.0.0.1:11434: run `ollama pull qwen3`"


def test_an_ollama_that_stopped_answering_is_named_and_the_step_retried() -> None:
    # What the ollama client raises when nothing listens at its URL.
    classified = classify(ConnectionError("Failed to connect to Ollama."), "ollama", "llama3.2", "http://127.0.0.1:11434")
    assert classified is not None and classified.type == PROVIDER_UNAVAILABLE_ERROR and not classified.non_retryable
    assert classified.message == "Ollama does not answer at http://127.0.0.1:11434: start it with `ollama serve`; the step is retried"
