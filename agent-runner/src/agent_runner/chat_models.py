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
# Sent to an OpenAI-compatible server of the user's own that was started without a key
# (llama.cpp's server documents this very value); never a secret.
NO_KEY_PLACEHOLDER = "sk-no-key-required"


def build_chat_model(settings: ResolvedModel) -> BaseChatModel:
    api_key = SecretStr(settings.api_key) if settings.api_key else None
    optional: dict[str, Any] = {}
    if settings.temperature is not None:
        optional["temperature"] = settings.temperature
    if settings.provider == "anthropic":
        from langchain_anthropic import ChatAnthropic

        if settings.base_url:
            optional["base_url"] = settings.base_url
        # Anthropic requires max_tokens; left out, ChatAnthropic takes the model's own output
        # limit from its model profiles (64000 or 128000 for current models), so an agent writing
        # a large file is not cut in the middle of the call.
        if settings.max_tokens is not None:
            optional["max_tokens"] = settings.max_tokens
        return ChatAnthropic(  # type: ignore[call-arg,unused-ignore]
            model=settings.model,
            api_key=api_key,  # type: ignore[arg-type,unused-ignore]
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
        # Chat completions: the API every OpenAI-compatible server speaks. A server of the
        # user's own may take no key, but the SDK insists on one; such servers ignore it.
        return ChatOpenAI(  # type: ignore[call-arg,unused-ignore]
            model=settings.model,
            api_key=api_key or SecretStr(NO_KEY_PLACEHOLDER),
            timeout=REQUEST_TIMEOUT_SECONDS,
            max_retries=SDK_RETRIES,
            use_responses_api=False,
            **optional,
        )
    if settings.provider == "ollama":
        from agent_runner.ollama_context import SizedContextChatOllama

        if settings.max_tokens is not None:
            optional["num_predict"] = settings.max_tokens
        return SizedContextChatOllama(
            model=settings.model,
            base_url=settings.base_url,
            fixed_num_ctx=settings.num_ctx,
            client_kwargs={"timeout": REQUEST_TIMEOUT_SECONDS},
            **optional,
        )
    raise ValueError(f"unknown provider {settings.provider}")
