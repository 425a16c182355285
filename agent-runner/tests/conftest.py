"""Shared fixtures: the fake LLM stand-in, a real Temporal dev server, the frozen executable."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_llm import FakeLlmServer  # noqa: E402
from support import no_python  # noqa: E402
from support.launch import KINDS  # noqa: E402
from support.runner_process import AGENT_RUNNER_DIR, FROZEN_BINARY  # noqa: E402
from support.temporal_dev import TemporalDevServer, find_temporal_cli  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "temporal: needs a real Temporal dev server")
    config.addinivalue_line("markers", "frozen: runs the PyInstaller executable")


@pytest.fixture
def fake_llm() -> Iterator[FakeLlmServer]:
    with FakeLlmServer(api_key="test-key-123") as server:
        yield server


@pytest.fixture(scope="session")
def temporal() -> Iterator[TemporalDevServer]:
    cli = find_temporal_cli()
    if cli is None:
        pytest.fail("the Temporal CLI is missing: run `bash scripts/setup.sh` (it installs it in $STIGMER_TOOLS_DIR)")
    server = TemporalDevServer(cli).start()
    yield server
    server.stop()


@pytest.fixture
def task_queue() -> str:
    """A queue of its own per test, so workers of different tests never steal each other's work."""
    return f"agent-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    """The runner from source, then the frozen executable where no Python can be found."""
    if request.param == "frozen":
        if not no_python.available():
            pytest.fail("the frozen tests need root and unshare(1) to hide Python")
        request.getfixturevalue("frozen_binary")
    return str(request.param)


@pytest.fixture(scope="session")
def frozen_binary() -> Path:
    """The executable; built with `make build-binary` when it is missing."""
    if not FROZEN_BINARY.exists():
        subprocess.run(["make", "-C", str(AGENT_RUNNER_DIR), "build-binary"], check=True)
    return FROZEN_BINARY
