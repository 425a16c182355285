"""Asking an Ollama server which models it has pulled, and saying in one line what is wrong.

Its model list (GET /api/tags) is cheap and local, so the worker asks it at start and again
before each execution that uses Ollama: a model that is not pulled, or an Ollama that does not
answer, is then reported in words the user can act on instead of as an HTTP error of the
first model call. Standard library only: it runs on the way to `ready` (serve.py).
"""

from __future__ import annotations

import json
from typing import Optional

from agent_runner.config import LlmDefaults
from agent_runner.errors import StartupError
from agent_runner.providers import DEFAULT_OLLAMA_BASE_URL

# Ollama answers its model list at once; a server that takes longer is as good as absent.
LIST_TIMEOUT_SECONDS = 3.0


def not_answering(base_url: str) -> StartupError:
    return StartupError(f"Ollama does not answer at {base_url}: start it with `ollama serve`")


def not_pulled(model: str, base_url: str, pulled: Optional[list[str]] = None) -> StartupError:
    """The line for a model Ollama does not have; with the models it has when they are known."""
    line = f"model {model} is not pulled into Ollama at {base_url}: run `ollama pull {model}`"
    if pulled is not None:
        line += f" (pulled: {', '.join(pulled) if pulled else 'none'})"
    return StartupError(line)


def pulled_models(base_url: str, timeout: float = LIST_TIMEOUT_SECONDS) -> list[str]:
    """The names of the models the server has, as `ollama list` shows them; StartupError if it does not answer."""
    import urllib.request  # here: about 20 ms of imports that a worker without Ollama never needs

    url = base_url.rstrip("/") + "/api/tags"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            listing = json.loads(response.read() or b"{}")
    except (OSError, ValueError):  # refused, timed out, an HTTP error, or not Ollama's JSON
        raise not_answering(base_url) from None
    models = listing.get("models") if isinstance(listing, dict) else None
    if not isinstance(models, list):
        raise not_answering(base_url)
    return [str(m.get("name") or m.get("model")) for m in models if isinstance(m, dict) and (m.get("name") or m.get("model"))]


def same_model(wanted: str, pulled: str) -> bool:
    """Ollama's own rule: a name without a tag means its `latest` tag."""
    return _with_tag(wanted) == _with_tag(pulled)


def _with_tag(name: str) -> str:
    name = name.strip().lower()
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else name + ":latest"


def check_model(base_url: str, model: str, timeout: float = LIST_TIMEOUT_SECONDS) -> Optional[StartupError]:
    """None when the server answers and has `model`; otherwise the one-line problem."""
    try:
        pulled = pulled_models(base_url, timeout)
    except StartupError as error:
        return error
    if any(same_model(model, name) for name in pulled):
        return None
    return not_pulled(model, base_url, pulled)


def check_at_start(llm: LlmDefaults) -> None:
    """Raises the StartupError that stops the worker when its own provider is an Ollama that cannot serve it."""
    if llm.provider != "ollama":
        return
    resolved = llm.resolve()
    problem = check_model(resolved.base_url or DEFAULT_OLLAMA_BASE_URL, resolved.model)
    if problem is not None:
        raise problem
