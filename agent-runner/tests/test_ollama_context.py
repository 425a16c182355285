"""The context window asked of Ollama, sized from each request; the stand-in Ollama (fake_llm.py)
cuts a prompt longer than the window from its start and answers 200, as Ollama does."""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_ollama import ChatOllama
from temporalio.exceptions import ApplicationError

from agent_runner.chat_models import build_chat_model
from agent_runner.config import read_settings
from agent_runner.contracts import PROVIDER_REFUSED_ERROR
from agent_runner.ollama_context import SMALLEST_WINDOW, sized_options, window_for
from fake_llm import FakeLlmServer

# A system prompt the size of deepagents' own with its tools (about 30,000 characters).
LONG_SYSTEM = "You are an agent. Use the tools with care. " * 700


def _ask(model: ChatOllama) -> None:
    asyncio.run(model.ainvoke([SystemMessage(LONG_SYSTEM), HumanMessage("What is 2+2?")]))


def test_windows_are_powers_of_two_from_the_smallest() -> None:
    assert [window_for(n) for n in (1, 8192, 8193, 40_000)] == [SMALLEST_WINDOW, 8192, 16384, 65536]


def test_without_a_window_ollama_cuts_the_agent_s_prompt_and_says_nothing() -> None:
    # What the issue is about, reproduced by the stand-in: the answer is a 200 all the same.
    with FakeLlmServer() as server:
        _ask(ChatOllama(model="llama3.2", base_url=server.url))
    assert server.requests[0]["truncated"] is True


def test_each_request_asks_for_a_window_that_holds_it() -> None:
    settings = read_settings({"STIGMER_LLM_PROVIDER": "ollama", "STIGMER_LLM_MODEL": "llama3.2", "OLLAMA_BASE_URL": "http://x"})
    with FakeLlmServer() as server:
        resolved = settings.llm.resolve()
        model = build_chat_model(type(resolved)(**{**resolved.__dict__, "base_url": server.url}))
        _ask(model)  # type: ignore[arg-type]
    request = server.requests[0]
    assert request["truncated"] is False
    assert request["body"]["options"]["num_ctx"] == 16384  # ~10,300 tokens of prompt and 4096 for the answer


def test_a_window_set_by_the_user_is_kept_and_a_request_too_long_for_it_is_refused_before_it_is_sent() -> None:
    params = {"messages": [{"role": "system", "content": "x" * 40_000}], "options": {"temperature": 0.1}}
    assert sized_options(params, 32768, "llama3.2") == {"temperature": 0.1, "num_ctx": 32768}
    with pytest.raises(ApplicationError) as refused:
        sized_options(params, 8192, "llama3.2")
    assert refused.value.type == PROVIDER_REFUSED_ERROR and refused.value.non_retryable
    assert refused.value.message == (
        "the request to Ollama model llama3.2 needs about 10016 tokens, more than its context window of 8192 "
        "(STIGMER_LLM_NUM_CTX); raise STIGMER_LLM_NUM_CTX, or unset it to size the window from each request"
    )


def test_the_window_setting_is_read_for_ollama_only() -> None:
    env = {"STIGMER_LLM_NUM_CTX": "32768", "ANTHROPIC_API_KEY": "k"}
    llm = read_settings({**env, "STIGMER_LLM_PROVIDER": "ollama"}).llm
    assert llm.resolve().num_ctx == 32768 and llm.resolve("anthropic").num_ctx is None
