"""Real providers' limits and failures, as a user of `stigmer run` meets them: through the shipped
CLI, real Temporal and the frozen agent-runner. The providers are the loopback stand-in
(agent-runner/tests/fake_llm.py), which answers as the paid Anthropic API, an Ollama server and
an OpenAI-compatible server of one's own (llama.cpp's server, vLLM, LM Studio) answer."""
from __future__ import annotations

import json
import re
import sys
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from conftest import FAKE_LLM, FAKE_LLM_KEY, Stack, free_ports, start_server, stop_process

EXIT_FAILED = 1  # stigmer run: the execution failed
EXIT_USAGE = 2


@pytest.fixture(scope="module")
def ollama() -> Iterator[str]:
    """A stand-in Ollama server that has pulled llama3.2 only."""
    proc, url = start_server([sys.executable, str(FAKE_LLM), "--port", "0", "--ollama-models", "llama3.2:latest"], "fake-llm listening")
    yield url
    stop_process(proc)


@pytest.fixture(scope="module")
def keyless_server() -> Iterator[str]:
    """A stand-in OpenAI-compatible server started without a key, as llama.cpp's server is by default."""
    proc, url = start_server([sys.executable, str(FAKE_LLM), "--port", "0"], "fake-llm listening")
    yield url
    stop_process(proc)


def _requests(url: str, marker: str) -> list[dict]:
    return [r for r in json.loads(urllib.request.urlopen(f"{url}/_fake/requests").read()) if marker in json.dumps(r["body"])]


def _error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("stigmer: error:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "Python" not in stderr
    return lines[0]


def _failure(stderr: str) -> str:
    """What a failed run says, from `stigmer run`'s one line: 'the agent execution failed: WHAT, ID; see ...'."""
    match = re.fullmatch(r"stigmer: error: the agent execution failed: (.*), stigmer-run-[0-9a-f-]+; "
                         r"see 'stigmer server logs -c agent-runner'", _error_line(stderr))
    assert match, stderr
    return match.group(1)


def _use(stack: Stack, **env: str) -> None:
    for name in ("STIGMER_LLM_MODEL", "STIGMER_LLM_BASE_URL", "OPENAI_API_KEY"):
        stack.env.pop(name, None)
    stack.env.update(env)


def _write(marker: str, size: int) -> str:
    return f'{marker}: write it. [fake:tool=write_file {{"file_path": "/{marker}.txt", "content": "{"x" * size}"}}]'


def test_anthropic_writes_a_large_file_in_one_call_and_a_call_cut_by_max_tokens_is_not_run(stack: Stack, fake_llm: str) -> None:
    _use(stack, STIGMER_LLM_PROVIDER="anthropic", STIGMER_LLM_BASE_URL=fake_llm, ANTHROPIC_API_KEY=FAKE_LLM_KEY,
         STIGMER_LLM_MODEL="claude-sonnet-4-6")
    stack.start()
    # About 10,000 tokens of file in one tool call: more than the 4096 the runner used to force.
    big = f"big-{uuid.uuid4().hex[:8]}"
    result = json.loads(stack.run("run", "--json", _write(big, 40_000), check=True).stdout)
    assert [(f["path"], f["size"]) for f in result["files"]] == [(f"/{big}.txt", 40_000)]
    assert _requests(fake_llm, big)[0]["body"]["max_tokens"] == 128_000

    cut = f"cut-{uuid.uuid4().hex[:8]}"
    failed = stack.run("run", "--max-tokens", "300", _write(cut, 4000))
    assert failed.returncode == EXIT_FAILED
    assert _failure(failed.stderr) == (
        "the model reached its output limit after 300 output tokens in the "
        "middle of a write_file call, which was not run; raise the limit with 'stigmer run --max-tokens N' (or "
        "STIGMER_LLM_MAX_TOKENS), or ask for smaller steps"
    )
    assert len(_requests(fake_llm, cut)) == 1  # not asked again: it would be cut the same way


def test_ollama_that_has_not_pulled_the_model_stops_the_start_in_one_line(stack: Stack, ollama: str) -> None:
    _use(stack, STIGMER_LLM_PROVIDER="ollama", OLLAMA_BASE_URL=ollama, STIGMER_LLM_MODEL="qwen3")
    result = stack.run("server", "start", *stack.port_flags())
    assert result.returncode != 0
    assert "agent-runner failed to start" in result.stderr
    assert f"model qwen3 is not pulled into Ollama at {ollama}: run `ollama pull qwen3` (pulled: llama3.2:latest)" in result.stderr
    assert "Traceback" not in result.stderr and "Python" not in result.stderr
    assert stack.processes() == []


def test_ollama_that_does_not_answer_stops_the_start_in_one_line(stack: Stack) -> None:
    nobody = f"http://127.0.0.1:{free_ports(1)[0]}"
    _use(stack, STIGMER_LLM_PROVIDER="ollama", OLLAMA_BASE_URL=nobody)
    result = stack.run("server", "start", *stack.port_flags())
    assert result.returncode != 0
    assert f"Ollama does not answer at {nobody}: start it with `ollama serve`" in result.stderr
    assert "Traceback" not in result.stderr and "Python" not in result.stderr


def test_run_checks_provider_and_model_and_names_the_pulled_models(stack: Stack, ollama: str) -> None:
    stack.env["OLLAMA_BASE_URL"] = ollama  # the stack's own provider stays the stand-in OpenAI
    stack.start()
    unknown = stack.run("run", "--provider", "gemini", "hi")
    assert unknown.returncode == EXIT_USAGE
    assert "--provider" in unknown.stderr and "gemini" in unknown.stderr and "ollama" in unknown.stderr

    marker = f"pull-{uuid.uuid4().hex[:8]}"
    missing = stack.run("run", "--provider", "ollama", "--model", "qwen3:8b", marker)
    assert missing.returncode == EXIT_FAILED
    assert _failure(missing.stderr) == (
        f"model qwen3:8b is not pulled into Ollama at {ollama}: "
        "run `ollama pull qwen3:8b` (pulled: llama3.2:latest)"
    )
    assert _requests(ollama, marker) == []  # refused before any model call
    answered = stack.run("run", "--provider", "ollama", "--model", "llama3.2", f"{marker} again", check=True)
    assert answered.stdout.strip() == f"fake-llm answer: {marker} again"


def test_ollama_gets_a_context_that_holds_the_conversation(stack: Stack, ollama: str) -> None:
    _use(stack, STIGMER_LLM_PROVIDER="ollama", OLLAMA_BASE_URL=ollama, STIGMER_LLM_MODEL="llama3.2")
    stack.start()
    # The agent's prompt and tools, then a 24,000-character file in the conversation: well past
    # the 4096 tokens Ollama gives a request that names no context.
    marker = f"ctx-{uuid.uuid4().hex[:8]}"
    answered = stack.run("run", _write(marker, 24_000), check=True)
    assert answered.stdout.strip() == f"fake-llm answer: Updated file /{marker}.txt"
    requests = _requests(ollama, marker)
    assert [r["truncated"] for r in requests] == [False, False]
    # The prompt (it carries the file) and the prompts and tools of the agent: about 11,000 tokens
    # at 3 characters a token; then the tool call with the file too: about 19,000.
    assert [r["body"]["options"]["num_ctx"] for r in requests] == [16384, 32768]


def test_a_request_larger_than_the_context_set_is_refused_in_one_line(stack: Stack, ollama: str) -> None:
    _use(stack, STIGMER_LLM_PROVIDER="ollama", OLLAMA_BASE_URL=ollama, STIGMER_LLM_MODEL="llama3.2", STIGMER_LLM_NUM_CTX="2048")
    stack.start()
    marker = f"small-{uuid.uuid4().hex[:8]}"
    failed = stack.run("run", _write(marker, 12_000))
    assert failed.returncode == EXIT_FAILED
    line = _failure(failed.stderr)
    assert line.startswith("the request to Ollama model llama3.2 needs about ")
    assert line.endswith(
        " tokens, more than its context window of 2048 (STIGMER_LLM_NUM_CTX); raise STIGMER_LLM_NUM_CTX, or unset it to "
        "size the window from each request"
    )
    assert _requests(ollama, marker) == []  # never sent to be cut


def test_an_openai_compatible_server_of_one_s_own_needs_no_key(stack: Stack, keyless_server: str) -> None:
    _use(stack, STIGMER_LLM_PROVIDER="openai", STIGMER_LLM_BASE_URL=f"{keyless_server}/v1", STIGMER_LLM_MODEL="qwen2.5-7b-instruct")
    stack.start()
    marker = f"local-{uuid.uuid4().hex[:8]}"
    answered = stack.run("run", f"{marker}: what is 2+2?", check=True)
    assert answered.stdout.strip() == f"fake-llm answer: {marker}: what is 2+2?"
    requests = _requests(keyless_server, marker)
    assert [r["headers"].get("authorization") for r in requests] == ["Bearer sk-no-key-required"]
    assert requests[0]["body"]["model"] == "qwen2.5-7b-instruct"
