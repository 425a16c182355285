"""A loopback STAND-IN for paid LLM APIs, for tests only.

It speaks just enough of three real HTTP APIs for an agent to run against it:

- Anthropic Messages:        POST /v1/messages          (key in `x-api-key`, or
                             `Authorization: Bearer` as recent Anthropic SDKs send it)
- OpenAI chat completions:   POST /v1/chat/completions  (key in `Authorization: Bearer`)
- Ollama chat:               POST /api/chat             (NDJSON when streaming), and its
                             model list GET /api/tags

Point a client at it with base URL http://HOST:PORT (Anthropic, Ollama) or
http://HOST:PORT/v1 (OpenAI). Every request is recorded (path, lower-cased
headers, JSON body, arrival time): in-process through `FakeLlmServer.requests`, from another
process with GET /_fake/requests (POST /_fake/reset clears them).

The answers are scripted by directives in the latest user message (earlier turns of
a conversation are history and do not count):

- `[fake:tool=NAME {"json": "args"}]`  the model calls tool NAME with those args;
  several directives make several calls, one per model turn, in order.
- `[fake:delay=SECONDS]`               every answer of that conversation waits first.
- `[fake:fail=STATUS]`                 every answer of that conversation is an HTTP error
  (the provider's JSON error body); `[fake:fail=STATUS*N]` fails only its first N requests.

With no directive left to play, the model answers `fake-llm answer: ...` with
the last tool result, or with the prompt (directives removed) when no tool ran.
Each answer reports 10 input and 5 output tokens.

Limits are those of the real servers, with a token counted as 4 characters of JSON:

- A tool call longer than the request's output limit (`max_tokens`, `max_completion_tokens`,
  Ollama's `options.num_predict`) is cut there, as the real APIs cut it: Anthropic answers
  `stop_reason: max_tokens` with the tool input parsed so far, OpenAI `finish_reason: length`
  with the arguments' JSON text cut, Ollama `done_reason: length`.
- Ollama has pulled only the models it was given (`--ollama-models`, default
  llama3.2:latest and fake-ollama:latest): GET /api/tags lists them, and /api/chat answers any
  other with 404 `{"error": "model \"X\" not found, try pulling it first"}`.
- Ollama's context is `options.num_ctx` tokens (4096 when the request names none). A longer
  request is not refused: like Ollama, the stand-in drops the start of the prompt to fit and
  answers 200 with the smaller `prompt_eval_count`; the recorded request says `truncated`.

Run it alone: `python fake_llm.py --port 8765 [--api-key KEY]`; it prints
`fake-llm listening on http://127.0.0.1:8765` once it accepts connections.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

INPUT_TOKENS_PER_CALL = 10
OUTPUT_TOKENS_PER_CALL = 5
ANSWER_PREFIX = "fake-llm answer: "
CHARS_PER_TOKEN = 4
DEFAULT_OLLAMA_MODELS = ("llama3.2:latest", "fake-ollama:latest")
OLLAMA_DEFAULT_NUM_CTX = 4096

_TOOL_DIRECTIVE = re.compile(r"\[fake:tool=([A-Za-z0-9_-]+)\s*")
_DELAY_DIRECTIVE = re.compile(r"\[fake:delay=([0-9.]+)\]")
_FAIL_DIRECTIVE = re.compile(r"\[fake:fail=([0-9]{3})(?:\*([0-9]+))?\]")


@dataclass
class ToolCall:
    name: str
    args: dict[str, Any]


@dataclass
class Conversation:
    """A provider-neutral view of one request: the latest user prompt and the tool results since."""

    prompt: str = ""
    tool_results: list[str] = field(default_factory=list)

    def user_said(self, text: str) -> None:
        self.prompt = text
        self.tool_results = []


@dataclass
class Reply:
    text: str = ""
    tool_call: Optional[ToolCall] = None
    cut: bool = False  # the tool call was cut at the output limit
    cut_arguments: str = ""  # its arguments' JSON text as far as it got


def tokens_of(value: Any) -> int:
    return -(-len(json.dumps(value, ensure_ascii=False)) // CHARS_PER_TOKEN)


def output_limit(provider: str, body: dict[str, Any]) -> Optional[int]:
    if provider == "anthropic":
        return body.get("max_tokens")
    if provider == "openai":
        return body.get("max_completion_tokens") or body.get("max_tokens")
    return (body.get("options") or {}).get("num_predict")


def cut_at_limit(reply: Reply, limit: Optional[int]) -> Reply:
    """The reply as a model stopped after `limit` output tokens writes it."""
    if reply.tool_call is None or not limit or tokens_of(reply.tool_call.args) <= limit:
        return reply
    room = limit * CHARS_PER_TOKEN
    text = json.dumps(reply.tool_call.args, ensure_ascii=False)[:room]
    # What the server parses from that text: the fields it completed, and a string cut where it stopped.
    parsed: dict[str, Any] = {}
    used = 1  # the opening brace
    for key, value in reply.tool_call.args.items():
        whole = len(json.dumps({key: value}, ensure_ascii=False)) - 1  # '"key": value' and a separator
        if used + whole <= room:
            parsed[key] = value
            used += whole
            continue
        head = len(json.dumps(key)) + 3  # '"key": "'
        if isinstance(value, str) and used + head < room:
            parsed[key] = value[: room - used - head]
        break
    return Reply(tool_call=ToolCall(reply.tool_call.name, parsed), cut=True, cut_arguments=text)


def parse_directives(prompt: str) -> tuple[list[ToolCall], float, str]:
    """The scripted tool calls, the delay and the prompt with directives removed."""
    calls: list[ToolCall] = []
    decoder = json.JSONDecoder()
    remaining = prompt
    cleaned = []
    while True:
        match = _TOOL_DIRECTIVE.search(remaining)
        if not match:
            cleaned.append(remaining)
            break
        cleaned.append(remaining[: match.start()])
        args, end = decoder.raw_decode(remaining, match.end())
        closing = remaining.index("]", end)
        calls.append(ToolCall(match.group(1), args))
        remaining = remaining[closing + 1 :]
    text = "".join(cleaned)
    delay_match = _DELAY_DIRECTIVE.search(text)
    delay = float(delay_match.group(1)) if delay_match else 0.0
    text = _DELAY_DIRECTIVE.sub("", text)
    text = _FAIL_DIRECTIVE.sub("", text)
    return calls, delay, " ".join(text.split())


def failure_directive(prompt: str) -> Optional[tuple[int, Optional[int]]]:
    """(status, how many requests fail or None for all) of a `[fake:fail=...]` directive."""
    match = _FAIL_DIRECTIVE.search(prompt)
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)) if match.group(2) else None


def error_body(provider: str, status: int) -> dict[str, Any]:
    kind = {401: "authentication_error", 404: "not_found_error", 429: "rate_limit_error"}.get(
        status, "invalid_request_error" if status < 500 else "api_error"
    )
    message = f"fake-llm scripted failure {status}"
    if provider == "anthropic":
        return {"type": "error", "error": {"type": kind, "message": message}}
    if provider == "openai":
        return {"error": {"message": message, "type": kind, "code": None}}
    return {"error": message}


def decide(conversation: Conversation) -> tuple[Reply, float]:
    calls, delay, clean_prompt = parse_directives(conversation.prompt)
    done = len(conversation.tool_results)
    if done < len(calls):
        return Reply(tool_call=calls[done]), delay
    if conversation.tool_results:
        return Reply(text=ANSWER_PREFIX + conversation.tool_results[-1]), delay
    return Reply(text=ANSWER_PREFIX + clean_prompt), delay


def _text_of(content: Any) -> str:
    """Text of a message content that is a string or a list of typed blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, str):
                parts.append(block)
            elif isinstance(block, dict) and block.get("type") == "text":
                parts.append(str(block.get("text", "")))
            elif isinstance(block, dict) and block.get("type") == "tool_result":
                parts.append(_text_of(block.get("content", "")))
        return "".join(parts)
    return ""


# --- Anthropic Messages -----------------------------------------------------


def anthropic_conversation(body: dict[str, Any]) -> Conversation:
    conversation = Conversation()
    for message in body.get("messages", []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        blocks = content if isinstance(content, list) else []
        results = [b for b in blocks if isinstance(b, dict) and b.get("type") == "tool_result"]
        if results:  # tool results travel in a user message
            conversation.tool_results += [_text_of(b.get("content", "")) for b in results]
        else:
            conversation.user_said(_text_of(content))
    return conversation


def anthropic_response(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    if reply.tool_call:
        content: list[dict[str, Any]] = [
            {"type": "tool_use", "id": f"toolu_{uuid.uuid4().hex[:20]}", "name": reply.tool_call.name, "input": reply.tool_call.args}
        ]
        stop_reason = "max_tokens" if reply.cut else "tool_use"
    else:
        content = [{"type": "text", "text": reply.text}]
        stop_reason = "end_turn"
    return {
        "id": f"msg_{uuid.uuid4().hex[:20]}",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "fake"),
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": INPUT_TOKENS_PER_CALL, "output_tokens": body["max_tokens"] if reply.cut else OUTPUT_TOKENS_PER_CALL},
    }


# --- OpenAI chat completions -------------------------------------------------


def openai_conversation(body: dict[str, Any]) -> Conversation:
    conversation = Conversation()
    for message in body.get("messages", []):
        if message.get("role") == "user":
            conversation.user_said(_text_of(message.get("content")))
        elif message.get("role") == "tool":
            conversation.tool_results.append(_text_of(message.get("content")))
    return conversation


def openai_response(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    finish = "stop"
    if reply.tool_call:
        message["tool_calls"] = [
            {
                "id": f"call_{uuid.uuid4().hex[:20]}",
                "type": "function",
                "function": {
                    "name": reply.tool_call.name,
                    "arguments": reply.cut_arguments if reply.cut else json.dumps(reply.tool_call.args),
                },
            }
        ]
        finish = "length" if reply.cut else "tool_calls"
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:20]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": INPUT_TOKENS_PER_CALL,
            "completion_tokens": output_limit("openai", body) if reply.cut else OUTPUT_TOKENS_PER_CALL,
            "total_tokens": INPUT_TOKENS_PER_CALL + (output_limit("openai", body) if reply.cut else OUTPUT_TOKENS_PER_CALL),
        },
    }


# --- Ollama /api/chat ---------------------------------------------------------


def ollama_context(body: dict[str, Any]) -> tuple[int, int]:
    """(tokens of the request's prompt, the context it gets) as Ollama counts them."""
    prompt = tokens_of({"messages": body.get("messages") or [], "tools": body.get("tools") or []})
    return prompt, int((body.get("options") or {}).get("num_ctx") or OLLAMA_DEFAULT_NUM_CTX)


def ollama_fit(body: dict[str, Any]) -> tuple[dict[str, Any], int, bool]:
    """The request as the model sees it, its prompt tokens, and whether it was cut to fit.

    Ollama keeps what fits of a long prompt from its end, and about half the context at most
    (its issue 17427); the start (the system prompt, the tools) is lost."""
    prompt, context = ollama_context(body)
    if prompt <= context:
        return body, prompt, False
    kept = context // 2 + 2
    messages = list(body.get("messages") or [])
    while len(messages) > 1 and tokens_of({"messages": messages}) > kept:
        messages.pop(0)
    return {**body, "messages": messages, "tools": []}, kept, True


def ollama_not_found(model: str) -> dict[str, Any]:
    return {"error": f"model {json.dumps(model)} not found, try pulling it first"}


def ollama_tags(models: tuple[str, ...]) -> dict[str, Any]:
    return {
        "models": [
            {
                "name": name,
                "model": name,
                "modified_at": "2026-01-01T00:00:00Z",
                "size": 2019393189,
                "digest": uuid.uuid5(uuid.NAMESPACE_URL, name).hex * 2,
                "details": {"format": "gguf", "family": "llama", "parameter_size": "3.2B", "quantization_level": "Q4_K_M"},
            }
            for name in models
        ]
    }


def ollama_messages(body: dict[str, Any], reply: Reply, prompt_tokens: int = INPUT_TOKENS_PER_CALL) -> list[dict[str, Any]]:
    """The NDJSON lines of a streamed answer (a single line when not streaming)."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    message: dict[str, Any] = {"role": "assistant", "content": reply.text}
    if reply.cut and reply.tool_call:
        message["content"] = reply.cut_arguments  # an unfinished call does not parse: Ollama returns its text
    elif reply.tool_call:
        message["tool_calls"] = [{"function": {"name": reply.tool_call.name, "arguments": reply.tool_call.args}}]
    final = {
        "model": body.get("model", "fake"),
        "created_at": now,
        "message": {"role": "assistant", "content": ""},
        "done": True,
        "done_reason": "length" if reply.cut else "stop",
        "prompt_eval_count": prompt_tokens,
        "eval_count": output_limit("ollama", body) if reply.cut else OUTPUT_TOKENS_PER_CALL,
    }
    if body.get("stream", True):
        return [{"model": body.get("model", "fake"), "created_at": now, "message": message, "done": False}, final]
    final["message"] = message
    return [final]


# --- the server ---------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # quiet: tests read the recorded requests instead

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_text(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_ndjson(self, lines: list[dict[str, Any]]) -> None:
        data = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if self.path == "/_fake/requests":
            self._send_json(200, self.server.owner.requests)
        elif self.path == "/api/tags":
            self._send_json(200, ollama_tags(self.server.owner.ollama_models))
        elif self.path == "/api/version":
            self._send_json(200, {"version": "0.12.0"})
        elif self.path == "/":
            self._send_text(200, "Ollama is running")
        else:
            self._send_json(404, {"error": "not found"})

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path == "/_fake/reset":
            self.server.owner.clear()
            self._send_json(200, {"ok": True})
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send_json(400, {"error": "body is not JSON"})
            return
        owner = self.server.owner
        provider = {"/v1/messages": "anthropic", "/v1/chat/completions": "openai", "/api/chat": "ollama"}.get(
            self.path.split("?")[0]
        )
        recorded = owner.record(provider or "unknown", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        if provider is None:
            self._send_json(404, {"error": f"fake-llm does not serve {self.path}"})
            return
        if not owner.key_accepted(provider, self.headers):
            self._send_json(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid api key"}})
            return
        conversation = anthropic_conversation(body) if provider == "anthropic" else openai_conversation(body)
        if owner.scripted_failure(conversation.prompt):
            status, _ = failure_directive(conversation.prompt) or (500, None)
            self._send_json(status, error_body(provider, status))
            return
        if provider == "ollama" and not owner.has_ollama_model(str(body.get("model", ""))):
            self._send_json(404, ollama_not_found(str(body.get("model", ""))))
            return
        limit = output_limit(provider, body)
        if provider == "anthropic":
            reply, delay = decide(anthropic_conversation(body))
            time.sleep(delay)
            self._send_json(200, anthropic_response(body, cut_at_limit(reply, limit)))
        elif provider == "openai":
            reply, delay = decide(openai_conversation(body))
            time.sleep(delay)
            self._send_json(200, openai_response(body, cut_at_limit(reply, limit)))
        else:
            seen, prompt_tokens, truncated = ollama_fit(body)
            recorded.update(prompt_tokens=prompt_tokens, truncated=truncated)  # what Ollama made of its context
            reply, delay = decide(openai_conversation(seen))  # same message shape as OpenAI
            time.sleep(delay)
            # Usage stays the documented 10 input tokens unless the prompt was cut (then: what was kept).
            self._send_ndjson(ollama_messages(body, cut_at_limit(reply, limit), prompt_tokens if truncated else INPUT_TOKENS_PER_CALL))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: "FakeLlmServer"

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionResetError, BrokenPipeError)):
            return  # a client that hung up (e.g. a worker stopped mid-request) is not news
        super().handle_error(request, client_address)


class FakeLlmServer:
    """The stand-in server on a loopback port; a context manager."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, api_key: Optional[str] = None, ollama_models: tuple[str, ...] = DEFAULT_OLLAMA_MODELS
    ) -> None:
        self.api_key = api_key
        self.ollama_models = tuple(ollama_models)
        self.requests: list[dict[str, Any]] = []
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = _Server((host, port), _Handler)
        self._server.owner = self
        self._thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def record(self, provider: str, path: str, headers: dict[str, str], body: Any) -> dict[str, Any]:
        entry = {"provider": provider, "path": path, "headers": headers, "body": body, "at": time.time()}
        with self._lock:
            self.requests.append(entry)
        return entry

    def has_ollama_model(self, name: str) -> bool:
        """Ollama's rule: a name without a tag means `latest`."""
        tagged = name if ":" in name.rsplit("/", 1)[-1] else name + ":latest"
        return tagged in self.ollama_models

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self._failures.clear()

    def scripted_failure(self, prompt: str) -> bool:
        """Whether this request of the conversation `prompt` must fail (counts the failures)."""
        directive = failure_directive(prompt)
        if directive is None:
            return False
        limit = directive[1]
        with self._lock:
            done = self._failures.get(prompt, 0)
            if limit is not None and done >= limit:
                return False
            self._failures[prompt] = done + 1
            return True

    def key_accepted(self, provider: str, headers: Any) -> bool:
        if self.api_key is None or provider == "ollama":
            return True
        bearer = headers.get("Authorization") == f"Bearer {self.api_key}"
        if provider == "anthropic":
            return bool(bearer or headers.get("x-api-key") == self.api_key)
        return bool(bearer)

    def start(self) -> "FakeLlmServer":
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-llm", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeLlmServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Loopback stand-in for the Anthropic, OpenAI and Ollama chat APIs (tests only).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--api-key", default=None, help="refuse requests that do not carry this key")
    parser.add_argument(
        "--ollama-models", default=",".join(DEFAULT_OLLAMA_MODELS), help="the models Ollama has pulled, comma-separated (\"\" for none)"
    )
    args = parser.parse_args(argv)
    server = FakeLlmServer(args.host, args.port, args.api_key, tuple(m for m in args.ollama_models.split(",") if m))
    print(f"fake-llm listening on {server.url}", flush=True)
    try:
        server._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
