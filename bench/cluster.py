#!/usr/bin/env python3
"""Benchmark of scale-out: agent executions per minute through a production-shaped Temporal
(the real server on PostgreSQL, frontend behind mutual TLS and an API key: tests/e2e/tests/cluster_*.py) with
1, 2 and 3 stigmer homes in external mode serving one task queue.

Each round sends --executions `stigmer run`s, --in-flight at a time, spread over the homes
running; the loopback stand-in LLM (agent-runner/tests/fake_llm.py, OpenAI API) answers at
once, so the figure is the stack's own cost per execution. Printed: the median over --rounds
of executions per minute, and the CPU seconds each part used per execution (from /proc), to
say which limit was reached: a part near the machine's cores is the limit.

On one 2-core machine the rows cannot scale: every part shares the same cores, and "machine
busy" says when they are all in use (the limit then is this machine's CPU, not Temporal).

Run after `make -C tests/e2e tree` and `make setup` (which builds the server):
    python3 bench/cluster.py [--executions 40] [--in-flight 12] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench_stack import DEFAULT_TREE, Stack, fake_llm_server, new_stack, release_server, require_tree, unpack_cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e" / "tests"))
from cluster_pki import make_pki  # noqa: E402
from cluster_postgres import Postgres  # noqa: E402
from cluster_temporal import NAMESPACE, start_cluster, create_schema  # noqa: E402
from cluster_tokens import JwksServer, TokenIssuer  # noqa: E402
from test_production_cluster import config_toml  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes and their waited-for children."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / TICKS


def postgres_pids(postgres: Postgres) -> list[int]:
    """The postmaster (its cutime holds its ended backends) and its live backends."""
    postmaster, parents = [], {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if command[0].endswith(b"/postgres") and str(postgres.data).encode() in command:
            postmaster.append(int(entry.name))
    return postmaster + [pid for pid, parent in parents.items() if parent in postmaster]


def with_children(pids: list[int]) -> list[int]:
    """These processes and their live children (the one-file runner's bootloader starts the
    process that does the work)."""
    found = list(pids)
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) in pids:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent not idle, all cores together."""
    fields = [int(f) for f in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / TICKS  # minus idle and iowait


def one_round(homes: list[Stack], executions: int, in_flight: int) -> float:
    """Seconds for `executions` runs, `in_flight` at a time, round-robin over `homes`."""
    def run(i: int) -> None:
        result = homes[i % len(homes)].run("run", f"bench {uuid.uuid4().hex[:8]} {i}")
        if result.returncode != 0:
            raise RuntimeError(result.stderr)
    began = time.monotonic()
    with ThreadPoolExecutor(in_flight) as pool:
        list(pool.map(run, range(executions)))
    return time.monotonic() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--executions", type=int, default=40)
    parser.add_argument("--in-flight", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", type=Path, default=DEFAULT_TREE, help="release tree (make -C tests/e2e tree)")
    args = parser.parse_args()
    require_tree(args.tree)
    postgres = Postgres()
    with tempfile.TemporaryDirectory(prefix="stigmer-bench-cluster-") as tmp, release_server(args.tree) as releases_url, \
            fake_llm_server() as fake_llm:
        workdir = Path(tmp)
        cli = unpack_cli(args.tree, workdir)
        homes: list[Stack] = []
        cluster = None
        issuer = TokenIssuer("bench")
        jwks = JwksServer([issuer])
        try:
            postgres.start()
            create_schema(postgres)
            pki = make_pki(workdir / "pki", 3)
            cluster = start_cluster(postgres, pki, workdir / "server", jwks.url, issuer.token(["temporal-system:admin"]))
            print(f"cores: {os.cpu_count()}; {args.executions} executions per round, {args.in_flight} in flight, "
                  f"median of {args.rounds} rounds")
            print(f"{'runners':>7} {'exec/min':>9} {'rounds (s)':>22}   CPU s per execution: "
                  "temporal-server postgres runners clients")
            for count in (1, 2, 3):
                home = new_stack(cli, workdir / f"home-{count}", releases_url, fake_llm)
                home.home.mkdir(parents=True)
                (home.home / "config.toml").write_text(config_toml(cluster, pki.clients[count - 1],
                                                                    issuer.token([f"{NAMESPACE}:write"])))
                home.run("server", "start", check=True)
                homes.append(home)
                one_round(homes, len(homes) * 2, len(homes))  # warm-up: every runner has run one
                parts = {
                    "temporal-server": lambda: [cluster.proc.pid],
                    "postgres": lambda: postgres_pids(postgres),
                    "runners": lambda: with_children([h.component("agent-runner")["pid"] for h in homes]),
                }
                before = {name: cpu_seconds(pids()) for name, pids in parts.items()}
                clients_before = os.times().children_user + os.times().children_system
                busy_before, wall_before = machine_busy_seconds(), time.monotonic()
                rounds = [one_round(homes, args.executions, args.in_flight) for _ in range(args.rounds)]
                machine = (machine_busy_seconds() - busy_before) / (time.monotonic() - wall_before)
                done = args.executions * args.rounds
                used = {name: (cpu_seconds(pids()) - before[name]) / done for name, pids in parts.items()}
                clients = (os.times().children_user + os.times().children_system - clients_before) / done
                per_minute = args.executions / statistics.median(rounds) * 60
                print(f"{count:>7} {per_minute:>9.0f} {' '.join(f'{r:6.1f}' for r in rounds):>22}   "
                      f"{used['temporal-server']:.2f} {used['postgres']:.2f} {used['runners']:.2f} {clients:.2f}"
                      f"   machine busy: {machine:.1f} of {os.cpu_count()} cores",
                      flush=True)
        finally:
            for home in homes:
                home.run("server", "stop", timeout=120)
            if cluster is not None:
                cluster.stop()
            postgres.stop()
            jwks.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
