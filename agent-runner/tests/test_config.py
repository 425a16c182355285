"""Configuration from the environment: defaults, overrides and the errors a user sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_runner.config import read_settings
from agent_runner.errors import StartupError

KEY = {"ANTHROPIC_API_KEY": "sk-ant"}


def test_defaults_follow_the_env_contract() -> None:
    settings = read_settings({**KEY, "HOME": "/home/someone"})
    assert settings.temporal.address == "localhost:7233"
    assert settings.temporal.namespace == "default"
    assert settings.temporal.task_queue == "agent_execution_runner"
    assert settings.temporal.max_concurrency is None
    assert settings.temporal.tls_enabled is False
    assert settings.llm.provider == "anthropic"
    assert settings.log_format == "plain"
    assert settings.shutdown_grace_seconds == 30.0
    resolved = settings.llm.resolve()
    assert (resolved.provider, resolved.api_key, resolved.model) == ("anthropic", "sk-ant", "claude-sonnet-4-6")


def test_every_variable_is_read() -> None:
    settings = read_settings(
        {
            "TEMPORAL_SERVICE_ADDRESS": "temporal.example:7233",
            "TEMPORAL_NAMESPACE": "agents",
            "TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE": "q1",
            "TEMPORAL_MAX_CONCURRENCY": "4",
            "STIGMER_LLM_PROVIDER": "openai",
            "STIGMER_LLM_MODEL": "gpt-x",
            "STIGMER_LLM_BASE_URL": "http://127.0.0.1:9/v1",
            "STIGMER_LLM_API_KEY": "sk-stigmer",
            "STIGMER_LOG_FORMAT": "json",
            "STIGMER_SHUTDOWN_GRACE_SECONDS": "5",
            "STIGMER_WORKSPACE_ROOT": "/tmp/ws",
        }
    )
    assert settings.temporal.address == "temporal.example:7233"
    assert settings.temporal.namespace == "agents"
    assert settings.temporal.task_queue == "q1"
    assert settings.temporal.max_concurrency == 4
    assert settings.log_format == "json"
    assert settings.shutdown_grace_seconds == 5.0
    assert settings.workspace_root == Path("/tmp/ws")
    resolved = settings.llm.resolve()
    assert (resolved.provider, resolved.model, resolved.api_key, resolved.base_url) == (
        "openai",
        "gpt-x",
        "sk-stigmer",
        "http://127.0.0.1:9/v1",
    )


def test_stigmer_key_wins_over_the_provider_key() -> None:
    settings = read_settings({"STIGMER_LLM_API_KEY": "sk-stigmer", "ANTHROPIC_API_KEY": "sk-ant"})
    assert settings.llm.resolve().api_key == "sk-stigmer"


def test_workflow_override_of_provider_uses_that_providers_key_and_defaults() -> None:
    settings = read_settings({"STIGMER_LLM_API_KEY": "sk-for-anthropic", "STIGMER_LLM_MODEL": "claude-x", "OPENAI_API_KEY": "sk-oai"})
    resolved = settings.llm.resolve(provider="openai", temperature=0.5, max_tokens=100)
    assert resolved.api_key == "sk-oai"  # STIGMER_LLM_API_KEY belongs to the env's provider
    assert resolved.model == "gpt-4o-mini"  # and so does STIGMER_LLM_MODEL
    assert (resolved.temperature, resolved.max_tokens) == (0.5, 100)


def test_ollama_needs_no_key_and_uses_its_base_url() -> None:
    settings = read_settings({"STIGMER_LLM_PROVIDER": "ollama", "OLLAMA_BASE_URL": "http://127.0.0.1:11434"})
    resolved = settings.llm.resolve()
    assert resolved.api_key is None
    assert resolved.base_url == "http://127.0.0.1:11434"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "ANTHROPIC_API_KEY"),
        ({"STIGMER_LLM_PROVIDER": "openai", "ANTHROPIC_API_KEY": "x"}, "OPENAI_API_KEY"),
        ({**KEY, "STIGMER_LLM_PROVIDER": "gemini"}, "STIGMER_LLM_PROVIDER"),
        ({**KEY, "TEMPORAL_MAX_CONCURRENCY": "zero"}, "TEMPORAL_MAX_CONCURRENCY"),
        ({**KEY, "TEMPORAL_MAX_CONCURRENCY": "0"}, "TEMPORAL_MAX_CONCURRENCY"),
        ({**KEY, "TEMPORAL_SERVICE_ADDRESS": "localhost"}, "TEMPORAL_SERVICE_ADDRESS"),
        ({**KEY, "TEMPORAL_SERVICE_ADDRESS": "localhost:99999"}, "TEMPORAL_SERVICE_ADDRESS"),
        ({**KEY, "STIGMER_LOG_FORMAT": "xml"}, "STIGMER_LOG_FORMAT"),
        ({**KEY, "STIGMER_SHUTDOWN_GRACE_SECONDS": "-1"}, "STIGMER_SHUTDOWN_GRACE_SECONDS"),
        ({**KEY, "STIGMER_LLM_BASE_URL": "ftp://x"}, "STIGMER_LLM_BASE_URL"),
        ({**KEY, "TEMPORAL_TLS_CERT": "/nonexistent/cert.pem"}, "TEMPORAL_TLS_CERT"),
        ({**KEY, "TEMPORAL_TLS": "maybe"}, "TEMPORAL_TLS"),
    ],
)
def test_bad_or_missing_values_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(StartupError) as caught:
        read_settings(env)
    assert named in caught.value.one_line()
    assert "\n" not in caught.value.one_line()


def test_tls_cert_and_key_go_together(tmp_path: Path) -> None:
    cert = tmp_path / "client.pem"
    cert.write_text("cert")
    with pytest.raises(StartupError, match="TEMPORAL_TLS_KEY"):
        read_settings({**KEY, "TEMPORAL_TLS_CERT": str(cert)})
    key = tmp_path / "client.key"
    key.write_text("key")
    settings = read_settings({**KEY, "TEMPORAL_TLS_CERT": str(cert), "TEMPORAL_TLS_KEY": str(key)})
    assert settings.temporal.tls_enabled is True


def test_api_key_implies_tls_unless_turned_off() -> None:
    assert read_settings({**KEY, "TEMPORAL_API_KEY": "t"}).temporal.tls_enabled is True
    assert read_settings({**KEY, "TEMPORAL_API_KEY": "t", "TEMPORAL_TLS": "false"}).temporal.tls_enabled is False


def test_deployment_and_build_id_go_together() -> None:
    with pytest.raises(StartupError, match="TEMPORAL_WORKER_BUILD_ID"):
        read_settings({**KEY, "TEMPORAL_DEPLOYMENT_NAME": "stigmer"})
    settings = read_settings({**KEY, "TEMPORAL_DEPLOYMENT_NAME": "stigmer", "TEMPORAL_WORKER_BUILD_ID": "1.2.0"})
    assert (settings.temporal.deployment_name, settings.temporal.build_id) == ("stigmer", "1.2.0")
    assert read_settings(KEY).temporal.deployment_name is None


def test_a_server_of_one_s_own_needs_no_key_but_openai_itself_does() -> None:
    own = read_settings({"STIGMER_LLM_PROVIDER": "openai", "STIGMER_LLM_BASE_URL": "http://127.0.0.1:8080/v1"}).llm.resolve()
    assert (own.api_key, own.key_optional) == (None, True)
    with pytest.raises(StartupError, match="no API key for LLM provider openai"):
        read_settings({"STIGMER_LLM_PROVIDER": "openai", "OPENAI_BASE_URL": "http://127.0.0.1:8080/v1"})
