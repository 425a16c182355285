"""update / rollback / versions / prune, and two concurrent installs of the same version."""
import json
import socket
import subprocess
import threading

from release_tree import write_channel, write_release


def active(stigmer):
    return json.loads(stigmer.run("server", "versions", "--json").stdout)["active"]


def test_update_check_update_and_rollback(server, stigmer):
    for version in ("1.0.0", "1.1.0"):
        write_release(server.root, version)
    write_channel(server.root, "stable", "1.1.0")
    assert stigmer.run("server", "install", "--version", "1.0.0").returncode == 0

    check = stigmer.run("server", "update", "--check", "--json")
    assert check.returncode == 10 and check.stderr == ""
    assert json.loads(check.stdout) == {"channel": "stable", "active": "1.0.0", "latest": "1.1.0",
                                        "update_available": True}
    assert active(stigmer) == "1.0.0"

    update = stigmer.run("server", "update")
    assert update.returncode == 0, update.stderr
    assert "updated 1.0.0 -> 1.1.0" in update.stdout
    assert active(stigmer) == "1.1.0"
    assert "active release: 1.1.0" in stigmer.run("version").stdout
    assert subprocess.run([str(stigmer.home / "bin" / "agent-runner")], capture_output=True,
                          text=True).stdout.startswith("agent-runner 1.1.0")
    assert "up to date" in stigmer.run("server", "update").stdout

    rollback = stigmer.run("server", "rollback")
    assert rollback.returncode == 0 and "1.1.0 -> 1.0.0" in rollback.stdout
    assert subprocess.run([str(stigmer.home / "bin" / "agent-runner")], capture_output=True,
                          text=True).stdout.startswith("agent-runner 1.0.0")
    assert stigmer.run("server", "rollback").returncode == 0
    assert active(stigmer) == "1.1.0"


def test_rollback_without_history_fails(server, stigmer):
    result = stigmer.run("server", "rollback")
    assert result.returncode == 5 and "no previous version" in result.stderr


def test_downgrade_needs_flag(server, stigmer):
    for version in ("1.0.0", "1.1.0"):
        write_release(server.root, version)
    write_channel(server.root, "stable", "1.0.0")
    stigmer.run("server", "install", "--version", "1.1.0")
    refused = stigmer.run("server", "update")
    assert refused.returncode == 7 and "--allow-downgrade" in refused.stderr
    assert active(stigmer) == "1.1.0"
    allowed = stigmer.run("server", "update", "--allow-downgrade")
    assert allowed.returncode == 0, allowed.stderr
    assert active(stigmer) == "1.0.0"


def test_non_semver_versions_are_not_orderable(server, stigmer):
    for version in ("dev-a", "dev-b"):
        write_release(server.root, version)
    write_channel(server.root, "nightly", "dev-b")
    stigmer.run("server", "install", "--version", "dev-a")
    refused = stigmer.run("server", "update", "--channel", "nightly")
    assert refused.returncode == 7 and "cannot order" in refused.stderr
    assert stigmer.run("server", "update", "--channel", "nightly", "--allow-downgrade").returncode == 0
    assert active(stigmer) == "dev-b"


def test_prune_keeps_active_and_previous(server, stigmer):
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        write_release(server.root, version)
        assert stigmer.run("server", "install", "--version", version).returncode == 0
    dry = stigmer.run("server", "prune", "--dry-run")
    assert "would remove 1.0.0" in dry.stdout
    assert (stigmer.home / "versions" / "temporal" / "1.0.0").exists()
    result = stigmer.run("server", "prune", "--json")
    assert json.loads(result.stdout)["removed"] == ["1.0.0"]
    assert not (stigmer.home / "versions" / "temporal" / "1.0.0").exists()
    assert not (stigmer.home / "manifests" / "1.0.0").exists()
    remaining = [v["version"] for v in json.loads(stigmer.run("server", "versions", "--json").stdout)["versions"]]
    assert remaining == ["1.1.0", "1.2.0"]
    assert "nothing to prune" in stigmer.run("server", "prune").stdout


class FakeDaemon:
    """Answers `status` on the control socket as a daemon would (docs/daemon-protocol.md)."""

    def __init__(self, home, document):
        (home / "run").mkdir(parents=True, exist_ok=True)
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(home / "run" / "stigmer.sock"))
        self.listener.listen(8)
        self.document = document
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with connection:
                request = b""
                while not request.endswith(b"\n"):
                    chunk = connection.recv(4096)
                    if not chunk:
                        break
                    request += chunk
                connection.sendall(json.dumps(self.document).encode() + b"\n")

    def close(self):
        self.listener.close()


def test_prune_keeps_the_release_whose_temporal_the_daemon_runs(server, stigmer):
    # `server start --version 1.0.0`, then updates whose Temporal version did not change: the
    # daemon still runs Temporal from 1.0.0 although no runner of 1.0.0 is left.
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        write_release(server.root, version)
        assert stigmer.run("server", "install", "--version", version).returncode == 0
    versions = stigmer.home / "versions"
    daemon = FakeDaemon(stigmer.home, {
        "ok": True,
        "daemon": {"release": "1.2.0"},
        "temporal": {"external": False, "deployment": ""},
        "components": [
            {"name": "temporal", "instance": "temporal", "version": "1.5.1",
             "binary": str(versions / "temporal" / "1.0.0" / "bin" / "temporal")},
            {"name": "agent-runner", "instance": "agent-runner", "version": "1.2.0",
             "binary": str(versions / "agent-runner" / "1.2.0" / "agent-runner"),
             "release": "1.2.0", "role": "current"},
        ]})
    try:
        result = stigmer.run("server", "prune", "--json")
    finally:
        daemon.close()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["removed"] == []
    assert (versions / "temporal" / "1.0.0" / "bin" / "temporal").exists()


def test_two_concurrent_installs_download_once(server, stigmer):
    components = {"agent-runner": {"version": "1.0.0", "format": "binary", "entry": "agent-runner",
                                   "data": b"#!/bin/sh\necho ok\n" + b"#" * (2 * 1024 * 1024)}}
    write_release(server.root, "1.0.0", components)
    path = "/1.0.0/linux-amd64/agent-runner"
    server.fault(path, "throttle:700000")  # ~3 s, so the second process has to wait
    first = stigmer.popen("server", "install", "--version", "1.0.0")
    second = stigmer.popen("server", "install", "--version", "1.0.0")
    out1, err1 = first.communicate(timeout=60)
    out2, err2 = second.communicate(timeout=60)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert len(server.requests_for(path)) == 1
    assert "waiting" in err1 + err2
    installed = stigmer.home / "versions" / "agent-runner" / "1.0.0" / "agent-runner"
    assert installed.read_bytes() == (server.root / "1.0.0" / "linux-amd64" / "agent-runner").read_bytes()
    assert subprocess.run([str(stigmer.home / "bin" / "agent-runner")], capture_output=True,
                          text=True).stdout == "ok\n"


def test_concurrent_installs_of_two_releases_sharing_an_artifact(server, stigmer):
    # Downloads are kept by digest: two releases with the same agent-runner bytes name one file.
    data = b"#!/bin/sh\necho shared\n" + b"#" * (2 * 1024 * 1024)
    for version in ("1.0.0", "1.1.0"):
        write_release(server.root, version, {"agent-runner": {
            "version": "1.0.0", "format": "binary", "entry": "agent-runner", "data": data}})
        server.fault(f"/{version}/linux-amd64/agent-runner", "throttle:700000")  # ~3 s each
    first = stigmer.popen("server", "install", "--version", "1.0.0")
    second = stigmer.popen("server", "install", "--version", "1.1.0")
    out1, err1 = first.communicate(timeout=60)
    out2, err2 = second.communicate(timeout=60)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    for version in ("1.0.0", "1.1.0"):
        installed = stigmer.home / "versions" / "agent-runner" / version / "agent-runner"
        assert installed.read_bytes() == data, version
    assert subprocess.run([str(stigmer.home / "bin" / "agent-runner")], capture_output=True,
                          text=True).stdout == "shared\n"
    assert list((stigmer.home / "downloads").iterdir()) == []
