"""Fixtures of the release tests: the release tree under test and loopback servers.

The tree is built by `make -C release tree` (release/release-local.sh into out/release-test)
before pytest runs, from the real CLI, agent-runner and Temporal executables.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

RELEASE = Path(__file__).resolve().parents[1]
REPO = RELEASE.parent
VERSION = os.environ.get("STIGMER_TEST_VERSION", "dev-test")
TREE = Path(os.environ.get("STIGMER_TEST_TREE", REPO / "out" / "release-test"))
TOOLS = Path(os.environ.get("STIGMER_TOOLS_DIR", Path.home() / ".cache" / "stigmer-dev" / "bin"))
DEV_PUB = RELEASE / "keys" / "dev.pub"
PLATFORM = "linux-amd64"


@pytest.fixture(scope="session")
def tree() -> Path:
    if not (TREE / VERSION / "manifest.json").is_file():
        pytest.fail(f"{TREE}/{VERSION} is not built: run `make -C release tree` first")
    return TREE


@pytest.fixture(scope="session")
def manifest(tree: Path) -> dict:
    return json.loads((tree / VERSION / "manifest.json").read_text())


def wait_for_file(path: Path, proc: subprocess.Popen, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.is_file():
            return path.read_text().strip()
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        time.sleep(0.05)
    raise TimeoutError(f"{path} not written within {timeout}s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], str]]:
    """serve(root) -> base URL of release/serve.py serving root on a free loopback port."""
    procs: list[subprocess.Popen] = []

    def start(root: Path) -> str:
        port_file = tmp_path_factory.mktemp("serve") / "port"
        proc = subprocess.Popen(
            [sys.executable, str(RELEASE / "serve.py"), "--root", str(root), "--port", "0",
             "--port-file", str(port_file)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(proc)
        port = wait_for_file(port_file, proc)
        return f"http://127.0.0.1:{port}"

    yield start
    for proc in procs:
        stop(proc)


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Runs a command, capturing text output; never raises on a non-zero exit."""
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
