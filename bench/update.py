#!/usr/bin/env python3
"""Benchmark of updating a running stack, through the stack as users get it (the CLI, Temporal
and the frozen agent-runner from signed release trees served on loopback).

Two releases (1.0.0 and 1.1.0) are made from the tree's artifacts (same binaries, another
version stamp, signed). While executions run, the stack goes 1.0.0 -> 1.1.0 by
`stigmer server update` and back by `stigmer server rollback`, several times. Printed:
1. seconds from `server update` (or rollback) being typed to the new release being current,
   i.e. to new executions starting on it, checked by starting one and reading its build id;
2. executions in flight during the updates that failed, and model calls made twice (goal 0);
3. baseline, in the same script: `server restart` with the same load (what applying a release
   meant before), its seconds and its model calls made twice;
4. between two more releases (2.0.0 and 2.1.0) whose manifests give Temporal different versions
   (the same binary), so that the daemon restarts Temporal on its data: the seconds Temporal is
   unavailable, as the daemon reports it and as a client sees it (the longest run of failed
   requests to its HTTP API, one every 50 ms), with executions in flight; the same client-side
   figure for `server restart` as the baseline.

The LLM is the loopback stand-in that speaks the OpenAI API (agent-runner/tests/fake_llm.py).
Run after `make -C tests/e2e tree`:
    python3 bench/update.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from bench_stack import DEFAULT_TREE, ROOT, Stack, fake_llm_server, new_stack, release_server, require_tree, unpack_cli
from derived_release import derive_release

OLD, NEW = "1.0.0", "1.1.0"
TEMPORAL_A, TEMPORAL_B = "2.0.0", "2.1.0"  # releases whose Temporal versions differ
CALLS = 5  # model calls per execution under load (4 tool calls, then the answer)
LOAD = 3  # executions in flight during each update


def _prompt(marker: str) -> str:
    tools = "".join(f'[fake:tool=write_file {{"file_path": "/{marker}-{i}.txt", "content": "{i}"}}]' for i in range(1, CALLS))
    return f"[fake:delay=1.0] {marker} {tools}"


def _calls(fake_llm: str, marker: str) -> int:
    requests = json.loads(urllib.request.urlopen(f"{fake_llm}/_fake/requests").read())
    return sum(1 for r in requests if marker in json.dumps(r["body"].get("messages", [])))


def _build_of(stack: Stack, workflow_id: str) -> str:
    """The build an execution is pinned to, once its first workflow task has run."""
    url = f"http://127.0.0.1:{stack.ports['http']}/api/v1/namespaces/default/workflows/{urllib.parse.quote(workflow_id)}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        info = json.loads(urllib.request.urlopen(url).read())["workflowExecutionInfo"]
        build = info.get("versioningInfo", {}).get("deploymentVersion", {}).get("buildId", "")
        if build:
            return build
        time.sleep(0.1)
    return ""


def _start_load(stack: Stack, fake_llm: str) -> list[tuple[str, str]]:
    load = []
    for _ in range(LOAD):
        marker = f"load-{uuid.uuid4().hex[:8]}"
        load.append((stack.run("run", "--detach", _prompt(marker), check=True).stdout.strip(), marker))
    stack.wait_for(lambda: all(_calls(fake_llm, m) >= 1 for _, m in load), what="the load to start")
    return load


def _settle(stack: Stack, fake_llm: str, load: list[tuple[str, str]]) -> tuple[int, int]:
    """(failed executions, model calls made twice) once the load has finished."""
    failed = 0
    for workflow_id, _ in load:
        failed += stack.run("run", "--attach", workflow_id, timeout=300).returncode != 0
    repeated = sum(max(0, _calls(fake_llm, m) - CALLS) for _, m in load)
    return failed, repeated


class OutageProbe:
    """Asks Temporal's HTTP API for the namespace every 50 ms from a thread; `longest` is the
    longest run of failed answers, in seconds (0 when every answer came)."""

    def __init__(self, stack: Stack) -> None:
        self.url = f"http://127.0.0.1:{stack.ports['http']}/api/v1/namespaces/default"
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._probe, daemon=True)

    def __enter__(self) -> "OutageProbe":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _probe(self) -> None:
        failing_since = None
        while not self._stop.is_set():
            try:
                urllib.request.urlopen(self.url, timeout=1).read()
                failing_since = None
            except OSError:
                now = time.monotonic()
                failing_since = failing_since or now
                self.longest = max(self.longest, now - failing_since)
            self._stop.wait(0.05)


def _switch(stack: Stack, fake_llm: str, command: list[str], to: str) -> tuple[float, bool, int, int, float]:
    load = _start_load(stack, fake_llm)
    started = time.monotonic()
    with OutageProbe(stack) as probe_outage:
        stack.run(*command, check=True)
    seconds = time.monotonic() - started
    probe = stack.run("run", "--detach", f"probe {uuid.uuid4().hex[:8]}", check=True).stdout.strip()
    on_new = _build_of(stack, probe) == to
    stack.run("run", "--attach", probe, check=True)
    failed, repeated = _settle(stack, fake_llm, load)
    return seconds, on_new, failed, repeated, probe_outage.longest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE, help="release tree (make -C tests/e2e tree)")
    args = parser.parse_args()
    require_tree(args.tree)
    with tempfile.TemporaryDirectory(prefix="stigmer-bench-") as tmp:
        workdir = Path(tmp)
        releases = workdir / "releases"
        shipped_temporal = (ROOT / "release" / "TEMPORAL_VERSION").read_text().strip()
        derive_release(args.tree, releases, TEMPORAL_A, channel=None, temporal_version=f"{shipped_temporal}-a")
        derive_release(args.tree, releases, TEMPORAL_B, channel=None, temporal_version=f"{shipped_temporal}-b")
        derive_release(args.tree, releases, OLD)
        derive_release(args.tree, releases, NEW)
        with release_server(releases) as releases_url, fake_llm_server() as fake_llm:
            stack = new_stack(unpack_cli(args.tree, workdir), workdir / "home", releases_url, fake_llm, CI="1")
            run_rounds(stack, fake_llm, args.rounds)
    return 0


def run_rounds(stack: Stack, fake_llm: str, rounds: int) -> None:
    try:
        stack.run("server", "install", "--version", OLD, check=True)
        stack.start()
        stack.run("server", "install", "--version", NEW, check=True)  # downloads are not what is measured
        stack.run("server", "rollback", check=True)
        rolling = []
        for _ in range(rounds):
            rolling.append(_switch(stack, fake_llm, ["server", "update", "--channel", "stable"], NEW))
            rolling.append(_switch(stack, fake_llm, ["server", "rollback"], OLD))
        restarts = [_switch(stack, fake_llm, ["server", "restart", *stack.port_flags()], OLD) for _ in range(rounds)]
        for version in (TEMPORAL_A, TEMPORAL_B):  # downloaded before anything is measured
            stack.run("server", "install", "--version", version, check=True)
        stack.run("server", "start", *stack.port_flags(), "--version", TEMPORAL_A, check=True)
        temporal_switches, reported = [], []
        for _ in range(rounds):
            for version in (TEMPORAL_B, TEMPORAL_A):
                temporal_switches.append(_switch(stack, fake_llm, ["server", "start", *stack.port_flags(), "--version", version], version))
                reported.append(stack.status()["temporal"]["restart"]["unavailable_seconds"])
        seconds = [r[0] for r in rolling]
        print(f"server update / rollback -> new release current: median {statistics.median(seconds):.2f} s "
              f"(min {min(seconds):.2f}, max {max(seconds):.2f}) over {len(rolling)} switches; "
              f"next execution on the new release: {sum(r[1] for r in rolling)}/{len(rolling)}")
        print(f"executions in flight during the switches: {LOAD * len(rolling)}; failed {sum(r[2] for r in rolling)}, "
              f"model calls made twice {sum(r[3] for r in rolling)} (goal 0 and 0)")
        restart_seconds = [r[0] for r in restarts]
        print(f"baseline server restart with the same load: median {statistics.median(restart_seconds):.2f} s "
              f"(ratio update/restart {statistics.median(seconds) / statistics.median(restart_seconds):.2f}); "
              f"failed {sum(r[2] for r in restarts)}, model calls made twice {sum(r[3] for r in restarts)} "
              f"over {LOAD * len(restarts)} executions")
        seen = [r[4] for r in temporal_switches]
        restart_seen = [r[4] for r in restarts]
        print(f"update changing Temporal's version: Temporal unavailable median {statistics.median(reported):.2f} s as the daemon "
              f"reports it (max {max(reported):.2f}), {statistics.median(seen):.2f} s as a client sees it (max {max(seen):.2f}) "
              f"over {len(temporal_switches)} switches; baseline server restart {statistics.median(restart_seen):.2f} s "
              f"(ratio {statistics.median(seen) / statistics.median(restart_seen):.2f})")
        print(f"executions in flight during those switches: {LOAD * len(temporal_switches)}; failed "
              f"{sum(r[2] for r in temporal_switches)}, model calls made twice {sum(r[3] for r in temporal_switches)}; "
              f"next execution on the new release: {sum(r[1] for r in temporal_switches)}/{len(temporal_switches)}")
    finally:
        stack.run("server", "stop", timeout=120)


if __name__ == "__main__":
    sys.exit(main())
