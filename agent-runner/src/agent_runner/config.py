"""Runner configuration, read once from the environment and validated at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from agent_runner import env_values
from agent_runner.errors import StartupError
from agent_runner.providers import (
    API_KEY_VARIABLES,
    BASE_URL_VARIABLES,
    DEFAULT_MODELS,
    DEFAULT_OLLAMA_BASE_URL,
    PROVIDERS,
)


@dataclass(frozen=True)
class TemporalSettings:
    address: str = "localhost:7233"
    namespace: str = "default"
    task_queue: str = "agent_execution_runner"
    max_concurrency: Optional[int] = None
    tls_enabled: bool = False
    tls_cert: Optional[Path] = None
    tls_key: Optional[Path] = None
    tls_ca: Optional[Path] = None
    tls_server_name: Optional[str] = None
    api_key: Optional[str] = field(default=None, repr=False)
    connect_timeout_seconds: float = 10.0
    # Worker Versioning: this worker is build `build_id` of the Worker Deployment
    # `deployment_name` (both or neither; the daemon passes the stack's and the release version).
    deployment_name: Optional[str] = None
    build_id: Optional[str] = None


@dataclass(frozen=True)
class ResolvedModel:
    """Everything needed to build one chat model."""

    provider: str
    model: str
    api_key: Optional[str] = field(repr=False)
    base_url: Optional[str]
    temperature: Optional[float]
    max_tokens: Optional[int]
    # Ollama only: the context window to ask for; None sizes it from each request (ollama_context.py).
    num_ctx: Optional[int] = None
    # An OpenAI-compatible server of the user's own (STIGMER_LLM_BASE_URL) may need no key.
    key_optional: bool = False


@dataclass(frozen=True)
class LlmDefaults:
    """The env's LLM settings; a workflow input may override provider, model and sampling."""

    provider: str = "anthropic"
    model: Optional[str] = None
    base_url: Optional[str] = None
    stigmer_api_key: Optional[str] = field(default=None, repr=False)
    provider_api_keys: Mapping[str, str] = field(default_factory=dict, repr=False)
    provider_base_urls: Mapping[str, str] = field(default_factory=dict)
    temperature: Optional[float] = None
    max_tokens: Optional[int] = None
    num_ctx: Optional[int] = None

    def resolve(
        self,
        provider: Optional[str] = None,
        model: Optional[str] = None,
        temperature: Optional[float] = None,
        max_tokens: Optional[int] = None,
    ) -> ResolvedModel:
        chosen = (provider or self.provider).strip().lower()
        if chosen not in PROVIDERS:
            raise StartupError(f"unknown LLM provider {chosen!r}", f"use one of {', '.join(PROVIDERS)}")
        same_as_env = chosen == self.provider
        # STIGMER_LLM_* describe the env's provider; they do not leak to another provider.
        api_key = self.stigmer_api_key if same_as_env and self.stigmer_api_key else self.provider_api_keys.get(chosen)
        base_url = (self.base_url if same_as_env else None) or self.provider_base_urls.get(chosen)
        if chosen == "ollama":
            base_url = base_url or DEFAULT_OLLAMA_BASE_URL
        env_model = self.model if same_as_env else None
        # llama.cpp's server, vLLM and LM Studio ask for no key unless they were started with one.
        key_optional = chosen == "openai" and same_as_env and self.base_url is not None
        return ResolvedModel(
            provider=chosen,
            model=model or env_model or DEFAULT_MODELS[chosen],
            api_key=api_key,
            base_url=base_url,
            temperature=temperature if temperature is not None else self.temperature,
            max_tokens=max_tokens if max_tokens is not None else self.max_tokens,
            num_ctx=self.num_ctx if chosen == "ollama" else None,
            key_optional=key_optional,
        )

    def require_api_key(self, resolved: ResolvedModel) -> None:
        variable = API_KEY_VARIABLES.get(resolved.provider)
        if variable and not resolved.api_key and not resolved.key_optional:
            where = f"STIGMER_LLM_API_KEY or {variable}" if resolved.provider == self.provider else variable
            raise StartupError(f"no API key for LLM provider {resolved.provider}", f"set {where}")


@dataclass(frozen=True)
class RunnerSettings:
    temporal: TemporalSettings
    llm: LlmDefaults
    log_format: str = "plain"
    log_level: str = "info"
    shutdown_grace_seconds: float = 30.0
    workspace_root: Path = Path(".")


def _existing_file(env: Mapping[str, str], name: str) -> Optional[Path]:
    raw = env_values.optional_text(env, name)
    if raw is None:
        return None
    path = Path(raw).expanduser()
    if not path.is_file():
        raise StartupError(f"{name} points to {raw}, which is not a readable file", f"fix or unset {name}")
    return path


def read_temporal_settings(env: Mapping[str, str]) -> TemporalSettings:
    tls_cert = _existing_file(env, "TEMPORAL_TLS_CERT")
    tls_key = _existing_file(env, "TEMPORAL_TLS_KEY")
    if (tls_cert is None) != (tls_key is None):
        raise StartupError("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together", "set both or neither")
    tls_ca = _existing_file(env, "TEMPORAL_TLS_CA")
    api_key = env_values.optional_text(env, "TEMPORAL_API_KEY")
    deployment_name = env_values.optional_text(env, "TEMPORAL_DEPLOYMENT_NAME")
    build_id = env_values.optional_text(env, "TEMPORAL_WORKER_BUILD_ID")
    if (deployment_name is None) != (build_id is None):
        raise StartupError(
            "TEMPORAL_DEPLOYMENT_NAME and TEMPORAL_WORKER_BUILD_ID must be set together", "set both or neither"
        )
    # A client certificate, a private CA or an API key each imply TLS; TEMPORAL_TLS can force it either way.
    implied_tls = tls_cert is not None or tls_ca is not None or api_key is not None
    return TemporalSettings(
        address=env_values.host_port(env, "TEMPORAL_SERVICE_ADDRESS", "localhost:7233"),
        namespace=env_values.text(env, "TEMPORAL_NAMESPACE", "default"),
        task_queue=env_values.text(env, "TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE", "agent_execution_runner"),
        max_concurrency=env_values.positive_int(env, "TEMPORAL_MAX_CONCURRENCY", None),
        tls_enabled=env_values.flag(env, "TEMPORAL_TLS", implied_tls),
        tls_cert=tls_cert,
        tls_key=tls_key,
        tls_ca=tls_ca,
        tls_server_name=env_values.optional_text(env, "TEMPORAL_TLS_SERVER_NAME"),
        api_key=api_key,
        connect_timeout_seconds=env_values.non_negative_float(env, "STIGMER_TEMPORAL_CONNECT_TIMEOUT_SECONDS", 10.0)
        or 10.0,
        deployment_name=deployment_name,
        build_id=build_id,
    )


def read_llm_defaults(env: Mapping[str, str]) -> LlmDefaults:
    provider = env_values.choice(env, "STIGMER_LLM_PROVIDER", PROVIDERS, "anthropic")
    keys = {p: v for p, var in API_KEY_VARIABLES.items() if (v := env_values.text(env, var))}
    defaults = LlmDefaults(
        provider=provider,
        model=env_values.optional_text(env, "STIGMER_LLM_MODEL"),
        base_url=env_values.optional_text(env, "STIGMER_LLM_BASE_URL"),
        stigmer_api_key=env_values.optional_text(env, "STIGMER_LLM_API_KEY"),
        provider_api_keys=keys,
        provider_base_urls={p: v for p, var in BASE_URL_VARIABLES.items() if (v := env_values.text(env, var))},
        temperature=env_values.non_negative_float(env, "STIGMER_LLM_TEMPERATURE", None),
        max_tokens=env_values.positive_int(env, "STIGMER_LLM_MAX_TOKENS", None),
        num_ctx=env_values.positive_int(env, "STIGMER_LLM_NUM_CTX", None),
    )
    for name in ("STIGMER_LLM_BASE_URL", *BASE_URL_VARIABLES.values()):
        url = env_values.optional_text(env, name)
        if url is not None and not url.startswith(("http://", "https://")):
            raise StartupError(f"{name}={url!r} is not an http:// or https:// URL", f"fix or unset {name}")
    defaults.require_api_key(defaults.resolve())
    return defaults


def default_workspace_root(env: Mapping[str, str]) -> Path:
    home = env_values.optional_text(env, "STIGMER_HOME")
    base = Path(home).expanduser() if home else Path.home() / ".stigmer"
    return base / "data" / "agent-workspaces"


def read_settings(env: Optional[Mapping[str, str]] = None) -> RunnerSettings:
    """All settings, or a StartupError naming the first bad or missing variable."""
    env = os.environ if env is None else env
    workspace = env_values.optional_text(env, "STIGMER_WORKSPACE_ROOT")
    return RunnerSettings(
        temporal=read_temporal_settings(env),
        llm=read_llm_defaults(env),
        log_format=env_values.choice(env, "STIGMER_LOG_FORMAT", ("plain", "json"), "plain"),
        log_level=env_values.choice(env, "STIGMER_LOG_LEVEL", ("debug", "info", "warning", "error"), "info"),
        shutdown_grace_seconds=env_values.non_negative_float(env, "STIGMER_SHUTDOWN_GRACE_SECONDS", 30.0) or 0.0,
        workspace_root=Path(workspace).expanduser() if workspace else default_workspace_root(env),
    )
