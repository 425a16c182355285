"""Building the LangChain chat model for a provider."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import SecretStr

from agent_runner.config import ResolvedModel

# LLM calls can be long; the activity heartbeats meanwhile, so a generous timeout is fine.
REQUEST_TIMEOUT_SECONDS = 600.0
# Temporal retries each model call with backoff; an SDK retrying too would multiply attempts
# that nobody sees or bounds.
SDK_RETRIES = 0


def build_chat_model(settings: ResolvedModel) -> BaseChatModel:
    api_key = SecretStr(settings.api_key) if settings.api_key else None
    optional: dict[str, Any] = {}
    if settings.temperature is not None:
        optional["temperature"] = settings.temperature
    if settings.provider == "anthropic":
        from langchain_anthropic import ChatAnthropic

        if settings.base_url:
            optional["base_url"] = settings.base_url
        return ChatAnthropic(  # type: ignore[call-arg,unused-ignore]
            model=settings.model,
            api_key=api_key,  # type: ignore[arg-type,unused-ignore]
            max_tokens=settings.max_tokens or 4096,
            timeout=REQUEST_TIMEOUT_SECONDS,
            max_retries=SDK_RETRIES,
            **optional,
        )
    if settings.provider == "openai":
        from langchain_openai import ChatOpenAI

        if settings.base_url:
            optional["base_url"] = settings.base_url
        if settings.max_tokens is not None:
            optional["max_tokens"] = settings.max_tokens
        # Chat completions: the API every OpenAI-compatible server speaks.
        return ChatOpenAI(  # type: ignore[call-arg,unused-ignore]
            model=settings.model,
            api_key=api_key,
            timeout=REQUEST_TIMEOUT_SECONDS,
            max_retries=SDK_RETRIES,
            use_responses_api=False,
            **optional,
        )
    if settings.provider == "ollama":
        from langchain_ollama import ChatOllama

        if settings.max_tokens is not None:
            optional["num_predict"] = settings.max_tokens
        return ChatOllama(model=settings.model, base_url=settings.base_url, **optional)
    raise ValueError(f"unknown provider {settings.provider}")
