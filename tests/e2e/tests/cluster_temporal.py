"""A production-shaped Temporal for the cluster tests: the real server (go.temporal.io/server,
built by scripts/build-temporal-server.sh) on PostgreSQL, its schema made by Temporal's own
temporal-sql-tool, and its frontend (gRPC and HTTP API) requiring mutual TLS and an API key:
a JWT checked by Temporal's own authorizer against the keys of a JWKS URL (cluster_tokens.py)."""
from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from cluster_pki import SERVER_NAME, ClusterPki, KeyPair
from cluster_postgres import USER, Postgres
from conftest import free_ports

TOOLS = Path(os.environ.get("STIGMER_TOOLS_DIR", Path.home() / ".cache" / "stigmer-dev" / "bin"))
NAMESPACE = "stigmer-cluster"
SHARDS = 4


def free_membership_ports(count: int) -> list[int]:
    """Free loopback ports below 32768: Temporal keeps membership ports in a PostgreSQL
    smallint, so the kernel's ephemeral ports (32768 and up) fail its start."""
    chosen: list[int] = []
    while len(chosen) < count:
        port = random.randrange(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        if port not in chosen:
            chosen.append(port)
    return chosen


def tool(name: str) -> Path:
    path = TOOLS / name
    if not path.is_file():
        raise RuntimeError(f"{path} is missing: run `make setup` (scripts/build-temporal-server.sh builds it)")
    return path


def create_schema(postgres: Postgres) -> None:
    """Both databases, at the schema version this server release ships, by its own tool."""
    schemas = TOOLS / "temporal-schema" / "postgresql" / "v12"
    for database, schema in (("temporal", "temporal"), ("temporal_visibility", "visibility")):
        base = [str(tool("temporal-sql-tool")), "--plugin", "postgres12", "--endpoint", "127.0.0.1",
                "--port", str(postgres.port), "--user", USER, "--database", database]
        for step in (["create-database"], ["setup-schema", "-v", "0.0"],
                     ["update-schema", "-d", str(schemas / schema / "versioned")]):
            result = subprocess.run(base + step, capture_output=True, text=True, timeout=120)
            if result.returncode != 0:
                raise RuntimeError(f"temporal-sql-tool {step[0]} {database}: {result.stderr[-2000:]}")


def _datastore(postgres: Postgres, database: str, connections: int) -> dict:
    return {"sql": {"pluginName": "postgres12", "databaseName": database,
                    "connectAddr": f"127.0.0.1:{postgres.port}", "connectProtocol": "tcp", "user": USER,
                    "maxConns": connections, "maxIdleConns": connections, "maxConnLifetime": "1h"}}


SERVICES = ("frontend", "internal-frontend", "history", "matching", "worker")


def server_config(postgres: Postgres, pki: ClusterPki, ports: dict[str, int], dynamic_config: Path,
                  jwks_url: str) -> dict:
    def service(name: str) -> dict:
        rpc = {"grpcPort": ports[name], "membershipPort": ports[f"{name}-membership"], "bindOnIP": "127.0.0.1"}
        if name.endswith("frontend"):
            rpc["httpPort"] = ports[f"{name}-http"]
        return {"rpc": rpc}

    client_of_frontend = {"serverName": SERVER_NAME, "rootCaFiles": [str(pki.ca)]}
    return {
        "log": {"stdout": True, "level": "warn"},
        "persistence": {
            "defaultStore": "default", "visibilityStore": "visibility", "numHistoryShards": SHARDS,
            "datastores": {"default": _datastore(postgres, "temporal", 20),
                           "visibility": _datastore(postgres, "temporal_visibility", 5)},
        },
        "global": {
            "membership": {"maxJoinDuration": "30s", "broadcastAddress": "127.0.0.1"},
            "tls": {
                # The frontend, gRPC and HTTP API alike, takes only clients with a certificate of
                # this CA. Traffic between the server's own services stays on loopback, plain.
                "frontend": {
                    "server": {"certFile": str(pki.server.cert), "keyFile": str(pki.server.key),
                               "requireClientAuth": True, "clientCaFiles": [str(pki.ca)]},
                    "client": client_of_frontend,
                },
            },
            # Every call to the frontend needs a JWT signed by a key of the JWKS, whose
            # `permissions` claim grants the namespace (or the system). The server's own worker
            # service talks to the internal frontend instead, which authorizes nothing.
            "authorization": {"jwtKeyProvider": {"keySourceURIs": [jwks_url], "refreshInterval": "1m"},
                              "permissionsClaimName": "permissions", "authorizer": "default",
                              "claimMapper": "default"},
        },
        "services": {name: service(name) for name in SERVICES},
        "clusterMetadata": {
            "enableGlobalNamespace": False, "failoverVersionIncrement": 10,
            "masterClusterName": "active", "currentClusterName": "active",
            "clusterInformation": {"active": {"enabled": True, "initialFailoverVersion": 1, "rpcName": "frontend",
                                              "rpcAddress": f"127.0.0.1:{ports['frontend']}"}},
        },
        "dcRedirectionPolicy": {"policy": "noop"},
        "dynamicConfigClient": {"filepath": str(dynamic_config), "pollInterval": "10s"},
    }


# What the local stack's dev server sets too: model calls reach the worker with the workflow
# task, and Worker Deployments (the stack's rolling updates) are on.
DYNAMIC_CONFIG = {
    "system.enableActivityEagerExecution": [{"value": True}],
    "system.enableDeployments": [{"value": True}],
    "system.enableDeploymentVersions": [{"value": True}],
}


@dataclass
class TemporalCluster:
    grpc: str  # "127.0.0.1:PORT" of the frontend
    http_url: str  # "https://127.0.0.1:PORT", its HTTP API
    pki: ClusterPki
    admin_key: str  # an API key with the `temporal-system:admin` permission (the whole cluster)
    proc: subprocess.Popen
    log: Path

    def cli(self, *args: str, client: KeyPair | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
        """The Temporal CLI (the one setup builds) against the cluster, as a mutual-TLS client
        with the administrator's API key."""
        pair = client or self.pki.clients[0]
        return subprocess.run(
            [str(tool("temporal")), *args, "--address", self.grpc, "--tls-cert-path", str(pair.cert),
             "--tls-key-path", str(pair.key), "--tls-ca-path", str(self.pki.ca), "--tls-server-name", SERVER_NAME,
             "--api-key", self.admin_key],
            capture_output=True, text=True, timeout=timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def start_cluster(postgres: Postgres, pki: ClusterPki, directory: Path, jwks_url: str, admin_key: str,
                  timeout: float = 120) -> TemporalCluster:
    named = [*SERVICES, "frontend-http", "internal-frontend-http"]
    ports = dict(zip(named, free_ports(len(named))))
    ports.update(zip([f"{n}-membership" for n in SERVICES], free_membership_ports(len(SERVICES))))
    (directory / "config").mkdir(parents=True, exist_ok=True)
    dynamic_config = directory / "dynamic-config.yaml"
    dynamic_config.write_text(json.dumps(DYNAMIC_CONFIG))  # JSON is YAML
    (directory / "config" / "development.yaml").write_text(
        json.dumps(server_config(postgres, pki, ports, dynamic_config, jwks_url), indent=1))
    log = directory / "temporal-server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(tool("temporal-server")), "--root", str(directory), "--config", "config",
                                 "--env", "development", "start",
                                 *(f"--service={name}" for name in SERVICES)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    cluster = TemporalCluster(grpc=f"127.0.0.1:{ports['frontend']}", http_url=f"https://127.0.0.1:{ports['frontend-http']}",
                              pki=pki, admin_key=admin_key, proc=proc, log=log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"temporal-server exited at start: {log.read_text()[-3000:]}")
            if cluster.cli("operator", "cluster", "health", timeout=10).returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"temporal-server was not healthy within {timeout:g} s")
            time.sleep(0.5)
        while True:  # the namespace registry may still be starting
            created = cluster.cli("operator", "namespace", "create", "--namespace", NAMESPACE, "--retention", "24h")
            if created.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"cannot create namespace {NAMESPACE}: {created.stderr}")
            time.sleep(0.5)
    except BaseException:
        cluster.stop()
        raise
    return cluster
