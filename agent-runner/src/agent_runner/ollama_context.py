"""The context window asked of Ollama: large enough for what each request sends.

Ollama gives a model a small context unless the request names one (`options.num_ctx`), and a
prompt longer than that is shortened without an error: the agent's long system prompt and
tool list lose their start, and the model answers as if it had never seen them. So each
request asks for a window sized from its own content, rounded up to a power of two so that
Ollama (which reloads the model when the window changes) reloads rarely as a conversation
grows. A window fixed by the user (STIGMER_LLM_NUM_CTX) is kept, and a request that cannot
fit in it is refused with one line rather than sent to be cut.

Imported only when an Ollama model is built (chat_models.py), never on the way to `ready`.
"""

from __future__ import annotations

import json
import math
from typing import Any, Optional

from langchain_core.messages import BaseMessage
from langchain_ollama import ChatOllama
from temporalio.exceptions import ApplicationError

from agent_runner.contracts import PROVIDER_REFUSED_ERROR

# Tokens are counted by the model's own tokenizer, which only the server has; 3 characters a
# token over-counts English, JSON and code alike (they run 3.5 to 4.5), so a window sized from it
# holds the request. A fixed window is checked with 4, so only a request surely too long is refused.
CHARS_PER_TOKEN_SIZING = 3.0
CHARS_PER_TOKEN_CHECK = 4.0
SMALLEST_WINDOW = 8192
# Room for the answer when the request does not bound it (num_predict): enough for a tool
# call that writes a file of a few hundred lines.
ANSWER_ALLOWANCE = 4096


def request_chars(params: dict[str, Any]) -> int:
    """The characters of what a request makes the model read: messages and tool definitions."""
    sent = {"messages": params.get("messages") or [], "tools": params.get("tools") or []}
    return len(json.dumps(sent, default=str, ensure_ascii=False))


def window_for(tokens: int) -> int:
    """The smallest power-of-two window, at least SMALLEST_WINDOW, that holds `tokens`."""
    return max(SMALLEST_WINDOW, 1 << math.ceil(math.log2(max(tokens, 1))))


def sized_options(params: dict[str, Any], fixed: Optional[int], model: str) -> dict[str, Any]:
    """The request's options with its window set; ApplicationError when a fixed window is too small."""
    options = dict(params.get("options") or {})
    chars = request_chars(params)
    answer = options.get("num_predict") or ANSWER_ALLOWANCE
    if fixed is None:
        options["num_ctx"] = window_for(math.ceil(chars / CHARS_PER_TOKEN_SIZING) + answer)
        return options
    least = math.ceil(chars / CHARS_PER_TOKEN_CHECK)
    if least >= fixed:
        raise ApplicationError(
            f"the request to Ollama model {model} needs about {least} tokens, more than its context window of "
            f"{fixed} (STIGMER_LLM_NUM_CTX); raise STIGMER_LLM_NUM_CTX, or unset it to size the window from each request",
            type=PROVIDER_REFUSED_ERROR,
            non_retryable=True,
        )
    options["num_ctx"] = fixed
    return options


class SizedContextChatOllama(ChatOllama):
    """ChatOllama that sends every request with a window that holds it (see the module's doc)."""

    fixed_num_ctx: Optional[int] = None

    def _chat_params(self, messages: list[BaseMessage], stop: Optional[list[str]] = None, **kwargs: Any) -> dict[str, Any]:
        params = super()._chat_params(messages, stop, **kwargs)
        params["options"] = sized_options(params, self.fixed_num_ctx, self.model)
        return params
