"""A report of what the running build carries: used by tests of the frozen executable."""

from __future__ import annotations

import importlib.metadata
import ssl
import sys
from pathlib import Path
from typing import Any

from agent_runner.version import current_version

# Distributions whose metadata is read at run time (versions in user agents, plugin lookups).
METADATA_READ_AT_RUN_TIME = (
    "temporalio",
    "langchain-core",
    "langchain",
    "langgraph",
    "langchain-anthropic",
    "langchain-openai",
    "langchain-ollama",
    "deepagents",
    "anthropic",
    "openai",
    "ollama",
    "langsmith",
)


def report() -> dict[str, Any]:
    import certifi

    import agent_runner.durable_agent  # noqa: F401 - proves the heavy agent stack imports
    import agent_runner.serve  # noqa: F401

    ca_file = Path(certifi.where())
    context = ssl.create_default_context(cafile=str(ca_file))
    versions: dict[str, Any] = {}
    for name in METADATA_READ_AT_RUN_TIME:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "version": current_version(),
        "frozen": bool(getattr(sys, "frozen", False)),
        "ca_file": str(ca_file),
        "ca_certificates": len(context.get_ca_certs()),
        "distributions": versions,
    }
