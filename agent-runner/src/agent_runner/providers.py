"""The LLM providers the runner speaks to, and where each finds its key and endpoint."""

from __future__ import annotations

PROVIDERS: tuple[str, ...] = ("anthropic", "openai", "ollama")

DEFAULT_MODELS: dict[str, str] = {
    "anthropic": "claude-sonnet-4-6",
    "openai": "gpt-4o-mini",
    "ollama": "llama3.2",
}

# The provider-specific variable a key is read from when STIGMER_LLM_API_KEY does not apply.
API_KEY_VARIABLES: dict[str, str] = {
    "anthropic": "ANTHROPIC_API_KEY",
    "openai": "OPENAI_API_KEY",
}

# The provider-specific variable a base URL is read from when STIGMER_LLM_BASE_URL does not apply.
BASE_URL_VARIABLES: dict[str, str] = {
    "anthropic": "ANTHROPIC_BASE_URL",
    "openai": "OPENAI_BASE_URL",
    "ollama": "OLLAMA_BASE_URL",
}

DEFAULT_OLLAMA_BASE_URL = "http://localhost:11434"


def needs_api_key(provider: str) -> bool:
    return provider in API_KEY_VARIABLES
