#!/usr/bin/env python3
"""Benchmark of the agent-runner: executable size, time from exec to the ready event
(from source and frozen) and peak memory, against a real Temporal dev server.

Run with the agent-runner's environment (it needs temporalio to drive Temporal):
    agent-runner/.venv/bin/python bench/agent_runner.py [--runs 5] [--onedir PATH]
Builds nothing: run `make -C agent-runner build-binary` first.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "agent-runner" / "tests"
sys.path.insert(0, str(TESTS))

from support.runner_process import FROZEN_BINARY, RunnerProcess, runner_env, source_command  # noqa: E402
from support.temporal_dev import TemporalDevServer, find_temporal_cli  # noqa: E402


def _tree(pid: int) -> list[int]:
    """pid and all its descendants (the one-file executable is a parent plus a child)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            children = []
        todo += [int(c) for c in children]
    return found


def _peak_rss_mb(pid: int) -> float:
    """Sum of VmHWM (peak resident memory) over the process tree."""
    total_kb = 0
    for member in _tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kb += int(line.split()[1])
        except OSError:
            pass
    return total_kb / 1024


def measure(command: list[str], temporal: TemporalDevServer, workspace: str, settle: float) -> tuple[float, float]:
    env = runner_env(
        TEMPORAL_SERVICE_ADDRESS=temporal.address,
        TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE=f"bench-{os.getpid()}-{time.monotonic_ns()}",
        STIGMER_LLM_API_KEY="bench-not-used",
        STIGMER_WORKSPACE_ROOT=workspace,
    )
    started = time.monotonic()
    runner = RunnerProcess(command, env)
    try:
        runner.wait_ready(180)
        ready_after = time.monotonic() - started
        time.sleep(settle)  # let the idle worker reach its steady state before reading the peak
        peak = _peak_rss_mb(runner.pid)
        runner.process.send_signal(signal.SIGTERM)
        runner.wait_exit(60)
    finally:
        runner.stop()
    return ready_after, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--settle", type=float, default=1.0, help="seconds after ready before reading memory")
    parser.add_argument("--onedir", type=Path, help="also measure a one-folder bundle's executable")
    args = parser.parse_args()
    if not FROZEN_BINARY.exists():
        print("bench: build the executable first: make -C agent-runner build-binary", file=sys.stderr)
        return 1
    cli = find_temporal_cli()
    if cli is None:
        print("bench: Temporal CLI missing: run scripts/setup.sh", file=sys.stderr)
        return 1
    variants = {"source": source_command(), "frozen (one-file)": [str(FROZEN_BINARY)]}
    if args.onedir:
        variants["frozen (one-folder)"] = [str(args.onedir)]
    temporal = TemporalDevServer(cli).start()
    results: dict[str, tuple[float, float]] = {}
    try:
        with tempfile.TemporaryDirectory() as workspace:
            for name, command in variants.items():
                measure(command, temporal, workspace, 0)  # warm the page cache once, not counted
                times, peaks = [], []
                for _ in range(args.runs):
                    ready, peak = measure(command, temporal, workspace, args.settle)
                    times.append(ready)
                    peaks.append(peak)
                results[name] = (statistics.median(times), max(peaks))
                print(f"  {name}: ready after " + ", ".join(f"{t:.2f}" for t in times) + " s", file=sys.stderr)
    finally:
        temporal.stop()

    size_mb = FROZEN_BINARY.stat().st_size / (1024 * 1024)
    print(f"agent-runner executable size: {size_mb:.1f} MB")
    for name, (median, peak) in results.items():
        print(f"{name:>20}: median exec->ready {median:.2f} s over {args.runs} runs, peak memory {peak:.0f} MB")
    ratio = results["frozen (one-file)"][0] / results["source"][0]
    print(f"frozen/source startup ratio: {ratio:.2f}")
    if "frozen (one-folder)" in results:
        print(f"one-folder/source startup ratio: {results['frozen (one-folder)'][0] / results['source'][0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
