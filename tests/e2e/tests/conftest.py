"""Fixtures of the end-to-end journeys.

Everything is real: the stigmer CLI unpacked from the release tree's own stigmer.tar.gz, a
loopback HTTP server (release/serve.py) serving that signed tree, the Temporal CLI and the
frozen agent-runner it installs from there. The one stand-in is the LLM provider: a loopback
server speaking the OpenAI chat-completions API (agent-runner/tests/fake_llm.py), because the
real one is a paid external service. It checks the API key the agent-runner sends.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
VERSION = os.environ.get("STIGMER_E2E_VERSION", "dev-test")
TREE = Path(os.environ.get("STIGMER_E2E_TREE", REPO / "out" / "e2e-releases"))
FAKE_LLM = REPO / "agent-runner" / "tests" / "fake_llm.py"
FAKE_LLM_KEY = "sk-e2e-not-a-real-key"
sys.path.insert(0, str(REPO / "agent-runner" / "tests"))


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def start_server(command: list[str], first_line_prefix: str, timeout: float = 20) -> tuple[subprocess.Popen, str]:
    """Starts a loopback server that prints its URL on its first stdout line."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith(first_line_prefix) or "http://" in line:
            return proc, line.strip().split()[-1]
    proc.kill()
    raise RuntimeError(f"{command[:3]} did not start")


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def tree() -> Path:
    if not (TREE / VERSION / "manifest.json").is_file():
        pytest.fail(f"{TREE}/{VERSION} is not built: run `make -C tests/e2e tree`")
    return TREE


@pytest.fixture(scope="session")
def releases_url(tree: Path) -> Iterator[str]:
    proc, url = start_server([sys.executable, str(REPO / "release" / "serve.py"), "--root", str(tree), "--port", "0"], "http://")
    yield url
    stop_process(proc)


@pytest.fixture(scope="session")
def stigmer_cli(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CLI exactly as a user downloads it: unpacked from the release's archive."""
    target = tmp_path_factory.mktemp("cli")
    with tarfile.open(tree / VERSION / "linux-amd64" / "stigmer.tar.gz") as archive:
        archive.extractall(target, filter="data")
    found = [p for p in target.rglob("stigmer") if p.is_file()]
    assert found, "no stigmer executable in stigmer.tar.gz"
    return found[0]


@pytest.fixture(scope="session")
def fake_llm() -> Iterator[str]:
    proc, url = start_server([sys.executable, str(FAKE_LLM), "--port", "0", "--api-key", FAKE_LLM_KEY], "fake-llm listening")
    yield url
    stop_process(proc)


@dataclass
class Stack:
    """One user's machine: a fresh STIGMER_HOME, free ports, and the stigmer command."""

    cli: Path
    home: Path
    env: dict[str, str]
    ports: dict[str, int]
    background: list[subprocess.Popen] = field(default_factory=list)

    def port_flags(self) -> list[str]:
        return ["--grpc-port", str(self.ports["grpc"]), "--ui-port", str(self.ports["ui"]),
                "--http-port", str(self.ports["http"])]

    def command(self, *args: str) -> list[str]:
        return [str(self.cli), "--home", str(self.home), *args]

    def run(self, *args: str, timeout: float = 300, check: bool = False) -> subprocess.CompletedProcess:
        result = subprocess.run(self.command(*args), env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"stigmer {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result

    def start(self, *extra: str) -> subprocess.CompletedProcess:
        return self.run("server", "start", *self.port_flags(), *extra, check=True)

    def spawn(self, *args: str) -> subprocess.Popen:
        proc = subprocess.Popen(self.command(*args), env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.background.append(proc)
        return proc

    def status(self) -> dict:
        result = self.run("server", "status", "--json", check=True)
        return json.loads(result.stdout)

    def component(self, name: str) -> dict:
        return next(c for c in self.status()["components"] if c["name"] == name)

    def wait_for(self, predicate, timeout: float = 120, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if predicate():
                    return
            except (AssertionError, json.JSONDecodeError, StopIteration):
                pass
            time.sleep(0.25)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")

    def processes(self) -> list[tuple[int, str]]:
        """Every live process whose command line names this home (daemon and components): the
        home as a whole path, so a home `…/home` does not claim the processes of `…/home-1`."""
        home = re.compile(re.escape(str(self.home)) + r"(?=[/\s]|$)")
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                raw = (entry / "cmdline").read_bytes()
                status = (entry / "status").read_text()
            except OSError:
                continue
            if "State:\tZ" in status or not raw:
                continue
            command = raw.replace(b"\0", b" ").decode(errors="replace")
            if home.search(command):
                found.append((int(entry.name), command))
        return found


@pytest.fixture
def stack(stigmer_cli: Path, releases_url: str, fake_llm: str, tmp_path: Path) -> Iterator[Stack]:
    grpc, ui, http = free_ports(3)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STIGMER_", "TEMPORAL_", "ANTHROPIC_", "OPENAI_"))}
    env.update({
        "STIGMER_RELEASES_URL": releases_url,
        "STIGMER_LLM_PROVIDER": "openai",
        "STIGMER_LLM_MODEL": "gpt-e2e",
        "STIGMER_LLM_BASE_URL": f"{fake_llm}/v1",
        "OPENAI_API_KEY": FAKE_LLM_KEY,
        "NO_COLOR": "1",
    })
    s = Stack(cli=stigmer_cli, home=tmp_path / "home", env=env, ports={"grpc": grpc, "ui": ui, "http": http})
    yield s
    for proc in s.background:
        stop_process(proc)
    s.run("server", "stop", timeout=120)
    for pid, _ in s.processes():
        os.kill(pid, signal.SIGKILL)
