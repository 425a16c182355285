"""update / rollback / versions / prune, and two concurrent installs of the same version."""
import json
import subprocess

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
