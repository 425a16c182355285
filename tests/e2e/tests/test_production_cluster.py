"""Beyond one machine on a production-shaped Temporal: the real server on PostgreSQL, its
frontend requiring mutual TLS and an API key (tests/e2e/tests/cluster_*.py), and three stigmer
homes in external mode serving one task queue. The LLM is the loopback stand-in of conftest.py."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cluster_pki import SERVER_NAME, ClusterPki, KeyPair, make_pki
from cluster_postgres import USER, Postgres
from cluster_temporal import NAMESPACE, TemporalCluster, create_schema, start_cluster
from cluster_tokens import JwksServer, TokenIssuer
from conftest import Stack
from test_durability import STEPS, _calls, _prompt

HOMES = 3


@dataclass
class Production:
    postgres: Postgres
    cluster: TemporalCluster
    pki: ClusterPki
    issuer: TokenIssuer  # the key whose public half the cluster trusts

    def runner_key(self, namespace: str = NAMESPACE) -> str:
        """The API key a machine gets: write access to the namespace (what polling needs under
        Temporal's default authorizer), nothing more."""
        return self.issuer.token([f"{namespace}:write"])


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    directory = tmp_path_factory.mktemp("production-temporal")
    postgres = Postgres()
    issuer = TokenIssuer("stigmer-e2e-1")
    jwks = JwksServer([issuer])
    cluster = None
    try:
        postgres.start()
        create_schema(postgres)
        pki = make_pki(directory / "pki", HOMES)
        cluster = start_cluster(postgres, pki, directory / "server", jwks.url, issuer.token(["temporal-system:admin"]))
        yield Production(postgres, cluster, pki, issuer)
    finally:
        if cluster is not None:
            cluster.stop()
        postgres.stop()
        jwks.stop()


def config_toml(cluster: TemporalCluster, client: KeyPair, api_key: str | None, namespace: str = NAMESPACE) -> str:
    """The config.toml of docs/configuration.md's recipe, with this test's addresses and files."""
    key = f'api_key = "{api_key}"\n' if api_key is not None else ""
    return f"""[temporal]
mode = "external"
address = "{cluster.grpc}"
http_url = "{cluster.http_url}"
namespace = "{namespace}"
tls_cert = "{client.cert}"
tls_key = "{client.key}"
tls_ca = "{cluster.pki.ca}"
tls_server_name = "{SERVER_NAME}"
{key}"""


def home(stack: Stack, index: int, config: str) -> Stack:
    machine = stack if index == 0 else Stack(cli=stack.cli, home=stack.home.parent / f"home-{index}",
                                             env=dict(stack.env), ports=stack.ports)
    machine.home.mkdir(parents=True, exist_ok=True)
    (machine.home / "config.toml").write_text(config)
    return machine


def stop_all(machines: list[Stack]) -> None:
    for machine in machines:
        machine.run("server", "stop", timeout=120)
        for pid, _ in machine.processes():
            os.kill(pid, signal.SIGKILL)


def pollers(cluster: TemporalCluster) -> set[str]:
    """Identities polling the queue, as Temporal sees them (legacy mode lists every poller,
    whichever deployment version it serves)."""
    described = cluster.cli("task-queue", "describe", "--namespace", NAMESPACE, "--task-queue",
                            "agent_execution_runner", "--legacy-mode", "--output", "json")
    assert described.returncode == 0, described.stderr
    found: set[str] = set()

    def walk(node: object) -> None:  # pollers sit under each build or version, whatever the layout
        if isinstance(node, dict):
            for key, value in node.items():
                if key.lower() == "identity" and isinstance(value, str):
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(described.stdout))
    return found


def runner_pids(machine: Stack) -> set[str]:
    """The agent-runner's pid and its children's: the one-file executable's bootloader starts
    the process whose pid is in its Temporal identity ("PID@host")."""
    pid = machine.component("agent-runner")["pid"]
    found = {str(pid)}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.add(entry.name)
        except OSError:
            continue
    return found


def executions_in_postgres(postgres: Postgres) -> int:
    """Rows of Temporal's executions table: the histories live in PostgreSQL, not elsewhere."""
    result = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", USER, "-d", "temporal",
                             "-tAc", "select count(*) from executions"], capture_output=True, text=True, check=True)
    return int(result.stdout.strip())


@pytest.fixture
def three_homes(stack: Stack, production: Production) -> Iterator[list[Stack]]:
    machines = [home(stack, i, config_toml(production.cluster, production.pki.clients[i], production.runner_key()))
                for i in range(HOMES)]
    try:
        for machine in machines:
            machine.run("server", "start", check=True)
        yield machines
    finally:
        stop_all(machines[1:])  # the stack fixture stops the first


def test_three_homes_serve_one_queue_over_mutual_tls_with_api_keys(three_homes: list[Stack], production: Production) -> None:
    for machine in three_homes:
        assert [c["name"] for c in machine.status()["components"]] == ["agent-runner"]
        shown = machine.run("server", "status", check=True).stdout
        assert (f"Temporal: external cluster {production.cluster.grpc}, namespace {NAMESPACE}, "
                "task queue agent_execution_runner") in shown, shown
    def polling_homes() -> int:
        polling = {p.split("@")[0] for p in pollers(production.cluster)}
        return sum(1 for m in three_homes if runner_pids(m) & polling)
    three_homes[0].wait_for(lambda: polling_homes() == HOMES, timeout=30, what="all three runners to poll the queue")
    before = executions_in_postgres(production.postgres)
    answers = {three_homes[i % HOMES].run("run", f"cluster job {i}", check=True).stdout.strip() for i in range(6)}
    assert answers == {f"fake-llm answer: cluster job {i}" for i in range(6)}
    assert executions_in_postgres(production.postgres) >= before + 6


def _open_execution(production: Production) -> str:
    """The workflow id of the one open execution."""
    listed = production.cluster.cli("workflow", "list", "--namespace", NAMESPACE, "--query",
                                    "ExecutionStatus='Running'", "--output", "json")
    ids = [w["execution"]["workflowId"] for w in json.loads(listed.stdout or "[]")]
    assert len(ids) == 1, listed.stdout
    return str(ids[0])


def _holder(production: Production, machines: list[Stack], workflow_id: str) -> Stack:
    """The home whose runner runs the execution's current step."""
    described = json.loads(production.cluster.cli("workflow", "describe", "--namespace", NAMESPACE, "-w", workflow_id,
                                                   "--output", "json").stdout)
    identities = {a.get("lastWorkerIdentity", "") for a in described.get("pendingActivities", [])}
    for machine in machines:
        if {i.split("@")[0] for i in identities} & runner_pids(machine):
            return machine
    raise AssertionError(f"no home runs the step in flight ({identities})")


def _last_identities(production: Production, workflow_id: str) -> dict[str, str]:
    """The pid part of the worker identity of the history's last started activity and last
    completed workflow task: who ran the final model call, and who finished the execution."""
    shown = production.cluster.cli("workflow", "show", "--namespace", NAMESPACE, "-w", workflow_id,
                                   "--output", "json")
    assert shown.returncode == 0, shown.stderr
    last: dict[str, str] = {}
    for event in json.loads(shown.stdout)["events"]:
        for kind in ("activityTaskStartedEventAttributes", "workflowTaskCompletedEventAttributes"):
            if kind in event:
                last[kind] = str(event[kind].get("identity", "")).split("@")[0]
    assert len(last) == 2, last
    return last


def _alive(machine: Stack) -> bool:
    """The home's daemon and agent-runner both run."""
    status = machine.status()
    return all(os.path.exists(f"/proc/{pid}") for pid in (status["daemon"]["pid"],
                                                           machine.component("agent-runner")["pid"]))


def test_a_killed_machine_is_finished_by_another_home(three_homes: list[Stack], production: Production,
                                                     fake_llm: str) -> None:
    marker = f"cluster-kill-{uuid.uuid4().hex[:8]}"
    run = three_homes[0].spawn("run", _prompt(marker))
    three_homes[0].wait_for(lambda: len(_calls(fake_llm, marker)) >= 3, timeout=120, what="the third model call")
    workflow_id = _open_execution(production)
    victim = _holder(production, three_homes, workflow_id)
    survivors = [m for m in three_homes if m is not victim]
    surviving_pids = set().union(*(runner_pids(m) for m in survivors))
    # The machine is gone: its daemon and its runner, with SIGKILL, so nothing restarts it.
    os.kill(victim.status()["daemon"]["pid"], signal.SIGKILL)
    for pid, _ in victim.processes():
        if pid != run.pid:  # the user's `stigmer run` is elsewhere; it follows the execution
            os.kill(pid, signal.SIGKILL)
    assert all(_alive(m) for m in survivors), "the kill must take one machine, not the others"
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert out.strip() == f"fake-llm answer: Updated file /step{STEPS}.txt"
    seen = Counter(_calls(fake_llm, marker))
    assert sorted(seen) == list(range(STEPS + 1)), seen
    repeated = {step: n for step, n in seen.items() if n > 1}
    assert repeated in ({}, {2: 2}), repeated  # only the call in flight at the kill may run twice
    finished_by = _last_identities(production, workflow_id)
    assert set(finished_by.values()) <= surviving_pids, (finished_by, surviving_pids)


def _refused(stack: Stack, config: str) -> str:
    """Starts a home that must be refused; returns its one error line."""
    machine = home(stack, 0, config)
    started = time.monotonic()
    result = machine.run("server", "start", timeout=120)
    assert result.returncode == 2, result.stderr
    assert time.monotonic() - started < 60, "a refusal must not be retried until a timeout"
    assert "Traceback" not in result.stderr and "Python" not in result.stderr, result.stderr
    assert "last lines of" not in result.stderr and "times in a row" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and errors[0] == result.stderr.strip().splitlines()[-1], result.stderr
    assert machine.processes() == [], machine.processes()
    log = machine.home / "logs" / "agent-runner.log"
    if log.exists():  # the runner ran once: a refusal is not retried
        assert log.read_text().count("agent-runner: error:") == 1, log.read_text()
    return errors[0]


@pytest.mark.parametrize("bad", ["another CA", "expired"])
def test_a_client_certificate_the_cluster_refuses_stops_the_start(stack: Stack, production: Production,
                                                                  bad: str) -> None:
    client = production.pki.foreign_client if bad == "another CA" else production.pki.expired_client
    line = _refused(stack, config_toml(production.cluster, client, production.runner_key()))
    assert line.startswith("stigmer: error: agent-runner cannot start: "), line
    assert "[temporal] tls_cert" in line and str(client.cert) in line, line
    if bad == "expired":
        assert "expired on" in line, line
    else:  # the server's alert, or its close of the connection, whichever the runner saw first
        assert "did not accept the client certificate" in line, line


def test_a_missing_key_file_is_named_at_start(stack: Stack, production: Production, tmp_path: Path) -> None:
    client = KeyPair(cert=production.pki.clients[0].cert, key=tmp_path / "no-such.key")
    line = _refused(stack, config_toml(production.cluster, client, production.runner_key()))
    assert "[temporal] tls_key" in line and "no-such.key" in line, line


def test_a_namespace_missing_on_the_cluster_is_one_line_at_start(stack: Stack, production: Production) -> None:
    line = _refused(stack, config_toml(production.cluster, production.pki.clients[0],
                                        production.runner_key("no-such-namespace"), namespace="no-such-namespace"))
    assert line.startswith("stigmer: error: agent-runner cannot start: Temporal namespace 'no-such-namespace' "
                           "does not exist"), line
    assert "[temporal] namespace" in line, line


KEYS = {  # what a machine may hold instead of a key the cluster takes for its namespace
    "signed by a key the cluster does not trust": lambda p: TokenIssuer("untrusted").token([f"{NAMESPACE}:admin"]),
    "for another namespace": lambda p: p.runner_key("another-namespace"),
    "expired": lambda p: p.issuer.token([f"{NAMESPACE}:admin"], lifetime=-3600),
    "none": lambda p: None,
}


@pytest.mark.parametrize("key", list(KEYS))
def test_an_api_key_the_cluster_refuses_stops_the_start(stack: Stack, production: Production, key: str) -> None:
    line = _refused(stack, config_toml(production.cluster, production.pki.clients[0], KEYS[key](production)))
    assert line.startswith("stigmer: error: agent-runner cannot start: "), line
    assert "TEMPORAL_API_KEY ([temporal] api_key)" in line, line
    if key == "expired":
        assert "the Temporal API key expired on " in line, line
    elif key == "none":
        assert (f"Temporal at {production.cluster.grpc} refused this runner for namespace '{NAMESPACE}' "
                "(permission denied; no API key was sent)") in line, line
    else:
        assert f"Temporal at {production.cluster.grpc} refused the API key for namespace '{NAMESPACE}'" in line, line
