#!/usr/bin/env python3
"""Benchmark of durable agent executions.

1. Faults, through the stack as users get it (the CLI, Temporal and the frozen agent-runner
   from a signed release tree): an agent of 5 model calls (4 tool steps, then the answer) is
   interrupted after its 3rd call started. Per fault kind: model calls in all, calls repeated
   (goal 0, apart from the one in flight at a SIGKILL), seconds from the fault to the execution
   running again (the next model call reaching the provider), and from the fault to the answer.
2. The per-step overhead of durability: the same agent run as ExecuteAgent by the frozen
   agent-runner against Temporal's dev server, and in-process (the deepagents loop calling the
   model directly), at two sizes; the difference of the per-call slopes (goal <= 20 ms).

The LLM is the loopback stand-in that speaks the OpenAI API (agent-runner/tests/fake_llm.py).
Run with the agent-runner's environment, after `make -C tests/e2e tree`:
    agent-runner/.venv/bin/python bench/durability.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# bench/agent_runner.py would shadow the agent_runner package.
sys.path = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT / "agent-runner" / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "e2e" / "tests"))
sys.path.append(str(Path(__file__).resolve().parent))  # after the packages, for bench_stack alone

from bench_stack import DEFAULT_TREE, Stack, fake_llm_server, new_stack, release_server, require_tree, unpack_cli  # noqa: E402
from conftest import stop_process  # noqa: E402
from fake_llm import FakeLlmServer  # noqa: E402
from support.launch import start_runner  # noqa: E402
from support.temporal_dev import TemporalDevServer, find_temporal_cli  # noqa: E402

DELAY = 2.0  # seconds the stand-in takes for each model call in the fault runs
STEPS = 4


def _prompt(marker: str, steps: int, delay: float) -> str:
    tools = "".join(f'[fake:tool=write_file {{"file_path": "/s{i}.txt", "content": "{i}"}}]' for i in range(1, steps + 1))
    return (f"[fake:delay={delay}] " if delay else "") + f"{marker} {tools}"


def _requests(fake_llm: str, marker: str) -> list[dict]:
    requests = json.loads(urllib.request.urlopen(f"{fake_llm}/_fake/requests").read())
    return [r for r in requests if marker in json.dumps(r["body"].get("messages", []))]


# --- 1. faults through the stack ---------------------------------------------------


def _kill_runner(stack: Stack) -> None:
    os.killpg(stack.component("agent-runner")["pid"], signal.SIGKILL)


def _kill_daemon(stack: Stack, run: subprocess.Popen) -> None:
    os.kill(stack.status()["daemon"]["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while [pid for pid, _ in stack.processes() if pid != run.pid] and time.monotonic() < deadline:
        time.sleep(0.05)
    while not _port_free(stack.ports["grpc"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    stack.start()


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _restart(stack: Stack) -> None:
    stack.run("server", "restart", *stack.port_flags(), check=True)


FAULTS: list[tuple[str, int, Callable[[Stack, subprocess.Popen], None]]] = [
    ("kill -9 of agent-runner", 30, lambda stack, run: _kill_runner(stack)),
    ("kill -9 of the daemon, then server start", 30, _kill_daemon),
    ("server restart, rest of the work shorter than the grace", 30, lambda stack, run: _restart(stack)),
    ("server restart, rest of the work longer than the grace", 3, lambda stack, run: _restart(stack)),
]


def fault_runs(cli: Path, releases_url: str, fake_llm: str, workdir: Path) -> None:
    print(f"{'fault after the 3rd model call started':58} {'calls':>5} {'repeated':>8} {'fault->running':>14} {'fault->answer':>13}")
    for name, grace, fault in FAULTS:
        home = workdir / f"home-{uuid.uuid4().hex[:6]}"
        home.mkdir()
        (home / "config.toml").write_text(f"[agent_runner]\nshutdown_grace_seconds = {grace}\n")
        stack = new_stack(cli, home, releases_url, fake_llm)
        try:
            stack.start()
            marker = f"bench-{uuid.uuid4().hex[:8]}"
            run = stack.spawn("run", _prompt(marker, STEPS, DELAY))
            stack.wait_for(lambda: len(_requests(fake_llm, marker)) >= 3, timeout=120, what="the third model call")
            faulted = time.time()
            fault(stack, run)
            out, err = run.communicate(timeout=600)
            answered = time.time()
            if run.returncode != 0:
                print(f"{name:58} failed: {err.strip()[-200:]}")
                continue
            requests = _requests(fake_llm, marker)
            after = [r["at"] for r in requests if r["at"] > faulted]
            running = f"{min(after) - faulted:.1f} s" if after else "n/a"
            print(f"{name:58} {len(requests):>5} {len(requests) - (STEPS + 1):>8} {running:>14} {answered - faulted:>11.1f} s")
        finally:
            for proc in stack.background:
                stop_process(proc)
            stack.run("server", "stop", timeout=120)


# --- 2. per-step overhead --------------------------------------------------------------


async def _durable_seconds(client: Any, queue: str, prompt: str) -> float:
    from agent_runner.contracts import AgentExecutionInput, AgentExecutionResult

    began = time.perf_counter()
    await client.execute_workflow(
        "ExecuteAgent", AgentExecutionInput(prompt=prompt), id=f"bench-{uuid.uuid4().hex[:8]}", task_queue=queue, result_type=AgentExecutionResult
    )
    return time.perf_counter() - began


async def _in_process_seconds(fake_llm: FakeLlmServer, prompt: str) -> float:
    from deepagents import create_deep_agent
    from langchain_core.messages import HumanMessage

    from agent_runner.chat_models import build_chat_model
    from agent_runner.config import ResolvedModel

    model = build_chat_model(ResolvedModel("anthropic", "claude-bench", fake_llm.api_key, fake_llm.url, None, None))
    began = time.perf_counter()
    agent = create_deep_agent(model=model, system_prompt="bench")
    await agent.ainvoke({"messages": [HumanMessage(content=prompt)]}, config={"recursion_limit": 10_000})
    return time.perf_counter() - began


async def _overhead_samples(
    temporal: TemporalDevServer, queue: str, fake_llm: FakeLlmServer, sizes: tuple[int, int], runs: int
) -> dict[str, dict[int, float]]:
    from temporalio.client import Client

    client = await Client.connect(temporal.address)
    figures: dict[str, dict[int, float]] = {"durable": {}, "in-process": {}}
    for steps in sizes:
        for mode in figures:
            samples = []
            for i in range(runs + 1):  # the first is a warm-up
                prompt = _prompt(f"m-{uuid.uuid4().hex[:6]}", steps, 0)
                seconds = await (_durable_seconds(client, queue, prompt) if mode == "durable" else _in_process_seconds(fake_llm, prompt))
                if i:
                    samples.append(seconds)
            figures[mode][steps] = statistics.median(samples)
    return figures


def overhead_runs(runs: int, workdir: Path) -> None:
    cli = find_temporal_cli()
    if cli is None:
        raise SystemExit("the Temporal CLI is missing: run `make setup`")
    small, large = 1, 21  # tool steps: 2 and 22 model calls
    temporal = TemporalDevServer(cli).start()
    with FakeLlmServer(api_key="bench-key") as fake_llm:
        queue = f"bench-{uuid.uuid4().hex[:6]}"
        # Anthropic's API on both sides, the model's own default settings.
        runner = start_runner("frozen", temporal, fake_llm, queue, workdir / "ws", log_format="plain", STIGMER_LLM_MODEL="claude-bench")
        try:
            runner.wait_ready()
            # One event loop for every sample: the provider clients keep their connections per loop.
            figures = asyncio.run(_overhead_samples(temporal, queue, fake_llm, (small, large), runs))
        finally:
            runner.stop()
            temporal.stop()
    calls = large - small
    slopes = {mode: (f[large] - f[small]) / calls for mode, f in figures.items()}
    for mode, f in figures.items():
        print(f"{mode:11} median {f[small]:.3f} s for {small + 1} model calls, {f[large]:.3f} s for {large + 1}: {slopes[mode] * 1000:.1f} ms per call")
    print(f"overhead of durability per step: {(slopes['durable'] - slopes['in-process']) * 1000:.1f} ms "
          f"(ratio {slopes['durable'] / slopes['in-process']:.2f}; {runs} runs per point, medians)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per point of the overhead measurement")
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE, help="release tree (make -C tests/e2e tree)")
    parser.add_argument("--faults-only", action="store_true", help="only the faults (e.g. against an older release's tree)")
    args = parser.parse_args()
    require_tree(args.tree)
    with tempfile.TemporaryDirectory(prefix="stigmer-bench-") as tmp:
        workdir = Path(tmp)
        cli = unpack_cli(args.tree, workdir)
        with release_server(args.tree) as releases_url, fake_llm_server() as fake_llm:
            print(f"faults through the stack ({STEPS + 1} model calls of {DELAY:g} s each):")
            fault_runs(cli, releases_url, fake_llm, workdir)
        if not args.faults_only:
            print()
            print("per-step overhead, frozen agent-runner + Temporal dev server against the in-process loop:")
            overhead_runs(args.runs, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
