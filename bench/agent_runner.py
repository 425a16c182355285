#!/usr/bin/env python3
"""Benchmark of the agent-runner: size, time from exec to the ready event, peak memory, and
the bytes each start writes to the temp directory and leaves there after a SIGKILL; from
source (the baseline), as the released one-folder bundle and as the one-file executable,
against a real Temporal dev server.

Run with the agent-runner's environment (it needs temporalio to drive Temporal):
    agent-runner/.venv/bin/python bench/agent_runner.py [--runs 5]
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

from support.runner_process import FROZEN_BINARY, FROZEN_FOLDER, RunnerProcess, runner_env, source_command  # noqa: E402
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


def _bytes_under(root: Path) -> int:
    total = 0
    for path in root.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
        except OSError:
            pass
    return total


class Start:
    """One start of a variant: time to ready, peak memory, temp bytes at ready and after a kill."""

    def __init__(self, ready: float, peak: float, temp_written: int, temp_left: int) -> None:
        self.ready, self.peak, self.temp_written, self.temp_left = ready, peak, temp_written, temp_left


def measure(command: list[str], temporal: TemporalDevServer, workspace: str, settle: float, kill: bool) -> Start:
    """Starts the runner with a temp directory of its own; stops it with SIGTERM, or with a
    SIGKILL of the process started (`kill`), as a crash or the daemon's own SIGKILL would."""
    with tempfile.TemporaryDirectory() as temp:
        env = runner_env(
            TEMPORAL_SERVICE_ADDRESS=temporal.address,
            TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE=f"bench-{os.getpid()}-{time.monotonic_ns()}",
            STIGMER_LLM_API_KEY="bench-not-used",
            STIGMER_WORKSPACE_ROOT=workspace,
            TMPDIR=temp,
        )
        started = time.monotonic()
        runner = RunnerProcess(command, env)
        try:
            runner.wait_ready(180)
            ready_after = time.monotonic() - started
            written = _bytes_under(Path(temp))
            time.sleep(settle)  # let the idle worker reach its steady state before reading the peak
            peak = _peak_rss_mb(runner.pid)
            if kill:
                tree = _tree(runner.pid)
                runner.process.send_signal(signal.SIGKILL)
                runner.process.wait(30)
                _wait_gone(tree[1:], 30)  # the one-file bootloader's child notices and exits
            else:
                runner.process.send_signal(signal.SIGTERM)
                runner.wait_exit(60)
            left = _bytes_under(Path(temp))
        finally:
            runner.stop()
    return Start(ready_after, peak, written, left)


def _wait_gone(pids: list[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in pids):
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--settle", type=float, default=1.0, help="seconds after ready before reading memory")
    args = parser.parse_args()
    folder_exe = FROZEN_FOLDER / "agent-runner"
    if not FROZEN_BINARY.exists() or not folder_exe.exists():
        print("bench: build the executables first: make -C agent-runner build-binary", file=sys.stderr)
        return 1
    cli = find_temporal_cli()
    if cli is None:
        print("bench: Temporal CLI missing: run scripts/setup.sh", file=sys.stderr)
        return 1
    variants = {"source": source_command(), "one-folder (released)": [str(folder_exe)], "one-file (local)": [str(FROZEN_BINARY)]}
    temporal = TemporalDevServer(cli).start()
    results: dict[str, list[Start]] = {}
    try:
        with tempfile.TemporaryDirectory() as workspace:
            for name, command in variants.items():
                measure(command, temporal, workspace, 0, kill=False)  # warm the page cache once, not counted
                # Every other start ends in a SIGKILL, so both ends are measured in each variant.
                results[name] = [measure(command, temporal, workspace, args.settle, kill=run % 2 == 1) for run in range(args.runs)]
                print(f"  {name}: ready after " + ", ".join(f"{s.ready:.2f}" for s in results[name]) + " s", file=sys.stderr)
    finally:
        temporal.stop()

    mb = 1024 * 1024
    folder_mb = _bytes_under(FROZEN_FOLDER) / mb
    print(f"agent-runner one-file executable: {FROZEN_BINARY.stat().st_size / mb:.1f} MB; one-folder bundle: {folder_mb:.1f} MB unpacked")
    for name, starts in results.items():
        median = statistics.median(s.ready for s in starts)
        written = statistics.median(s.temp_written for s in starts) / mb
        killed = [s.temp_left for s in starts[1::2]] or [0]
        print(
            f"{name:>22}: median exec->ready {median:.2f} s over {len(starts)} runs, peak memory {max(s.peak for s in starts):.0f} MB, "
            f"temp written per start {written:.1f} MB, left after SIGKILL {max(killed) / mb:.1f} MB"
        )
    source = statistics.median(s.ready for s in results["source"])
    for name in ("one-folder (released)", "one-file (local)"):
        print(f"{name}/source startup ratio: {statistics.median(s.ready for s in results[name]) / source:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
