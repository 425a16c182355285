"""What the stack benchmarks share: the CLI unpacked from a release tree, a loopback release
server and the loopback stand-in LLM (agent-runner/tests/fake_llm.py, speaking the OpenAI API),
and a user's stack (a fresh STIGMER_HOME on free ports) pointed at them. Built on the e2e
tests' helpers (tests/e2e/tests/conftest.py)."""

from __future__ import annotations

import os
import sys
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e" / "tests"))

from conftest import FAKE_LLM, FAKE_LLM_KEY, VERSION, Stack, free_ports, start_server, stop_process  # noqa: E402

DEFAULT_TREE = ROOT / "out" / "e2e-releases"


def require_tree(tree: Path) -> None:
    if not (tree / VERSION / "manifest.json").is_file():
        raise SystemExit(f"{tree}/{VERSION} is not built: run `make -C tests/e2e tree`")


def unpack_cli(tree: Path, workdir: Path) -> Path:
    """The tree's stigmer CLI, unpacked under `workdir`."""
    with tarfile.open(tree / VERSION / "linux-amd64" / "stigmer.tar.gz") as archive:
        archive.extractall(workdir / "cli", filter="data")
    return next(p for p in (workdir / "cli").rglob("stigmer") if p.is_file())


@contextmanager
def release_server(root: Path) -> Iterator[str]:
    """The releases under `root`, served on loopback; yields the base URL."""
    server, url = start_server([sys.executable, str(ROOT / "release" / "serve.py"), "--root", str(root), "--port", "0"], "http://")
    try:
        yield url
    finally:
        stop_process(server)


@contextmanager
def fake_llm_server() -> Iterator[str]:
    """The stand-in LLM on loopback; yields its base URL."""
    server, url = start_server([sys.executable, str(FAKE_LLM), "--port", "0", "--api-key", FAKE_LLM_KEY], "fake-llm listening")
    try:
        yield url
    finally:
        stop_process(server)


def new_stack(cli: Path, home: Path, releases_url: str, fake_llm: str, **extra_env: str) -> Stack:
    """A user's stack on free ports: releases from `releases_url`, models from `fake_llm`."""
    grpc, ui, http = free_ports(3)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STIGMER_", "TEMPORAL_", "ANTHROPIC_", "OPENAI_"))}
    env.update({"STIGMER_RELEASES_URL": releases_url, "STIGMER_LLM_PROVIDER": "openai", "STIGMER_LLM_MODEL": "gpt-bench",
                "STIGMER_LLM_BASE_URL": f"{fake_llm}/v1", "OPENAI_API_KEY": FAKE_LLM_KEY, "NO_COLOR": "1", **extra_env})
    return Stack(cli=cli, home=home, env=env, ports={"grpc": grpc, "ui": ui, "http": http})
