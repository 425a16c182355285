"""Network faults while downloading: retries, resume, timeouts, redirects, wrong bytes."""
import json
from pathlib import Path

from release_tree import write_release

VERSION = "1.0.0"
RUNNER = f"/{VERSION}/linux-amd64/agent-runner"


def big_runner(version, size=3 * 1024 * 1024):
    components = {"agent-runner": {"version": version, "format": "binary", "entry": "agent-runner",
                                   "data": b"#!/bin/sh\necho big\nexit 0\n" + b"#" * size}}
    return components


def assert_nothing_installed(stigmer):
    for sub in ("bin", "manifests"):
        base = stigmer.home / sub
        assert not base.exists() or not any(base.iterdir()), list(base.iterdir())
    versions = stigmer.home / "versions"
    if versions.exists():
        assert list(versions.glob("*/*")) == []


def test_404_fails_with_not_available(server, stigmer):
    write_release(server.root, VERSION)
    server.fault(RUNNER, "status:404")
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 5
    assert "HTTP 404" in result.stderr and RUNNER in result.stderr
    assert len(server.requests_for(RUNNER)) == 1  # 4xx is not retried
    assert_nothing_installed(stigmer)


def test_unknown_version_is_not_available(server, stigmer):
    result = stigmer.run("server", "install", "--version", "9.9.9")
    assert result.returncode == 5
    assert "/9.9.9/manifest.json" in result.stderr


def test_500_then_success(server, stigmer):
    write_release(server.root, VERSION)
    server.fault(RUNNER, "status:500")
    server.fault(RUNNER, "status:503")
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 0, result.stderr
    assert [e["status"] for e in server.requests_for(RUNNER)] == [500, 503, 200]


def test_persistent_500_gives_up(server, stigmer):
    write_release(server.root, VERSION)
    for _ in range(3):
        server.fault(RUNNER, "status:500")
    result = stigmer.run("server", "install", "--version", VERSION, env={"STIGMER_HTTP_RETRIES": "3"})
    assert result.returncode == 3 and "HTTP 500" in result.stderr
    assert_nothing_installed(stigmer)


def test_dropped_connection_resumes_with_range(server, stigmer):
    write_release(server.root, VERSION, big_runner(VERSION))
    server.fault(RUNNER, "drop:1000000")
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 0, result.stderr
    requests = server.requests_for(RUNNER)
    assert requests[0]["range"] is None
    assert requests[1]["range"] == "bytes=1000000-" and requests[1]["status"] == 206
    assert (stigmer.home / "bin" / "agent-runner").read_bytes().startswith(b"#!/bin/sh\necho big")


def test_interrupted_run_keeps_partial_and_next_run_resumes(server, stigmer):
    manifest = write_release(server.root, VERSION, big_runner(VERSION))
    digest = manifest["components"]["agent-runner"]["platforms"]["linux-amd64"]["sha256"]
    server.fault(RUNNER, "drop:1500000")
    first = stigmer.run("server", "install", "--version", VERSION, env={"STIGMER_HTTP_RETRIES": "1"})
    assert first.returncode == 3
    partial = stigmer.home / "downloads" / f"{digest}.part"
    assert partial.stat().st_size == 1500000
    assert_nothing_installed(stigmer)
    second = stigmer.run("server", "install", "--version", VERSION)
    assert second.returncode == 0, second.stderr
    assert server.requests_for(RUNNER)[-1]["range"] == "bytes=1500000-"
    assert not partial.exists()


def test_server_ignoring_range_still_gives_correct_file(server, stigmer):
    write_release(server.root, VERSION, big_runner(VERSION))
    server.fault(RUNNER, "drop:700000")
    server.fault(RUNNER, "ignore-range")
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 0, result.stderr
    statuses = [(e["range"], e["status"]) for e in server.requests_for(RUNNER)]
    assert statuses == [(None, 200), ("bytes=700000-", 200)]
    expected = (server.root / VERSION / "linux-amd64" / "agent-runner").read_bytes()
    assert (stigmer.home / "bin" / "agent-runner").read_bytes() == expected


def test_wrong_sha256_is_refused(server, stigmer):
    def corrupt(manifest):
        manifest["components"]["agent-runner"]["platforms"]["linux-amd64"]["sha256"] = "0" * 64
    write_release(server.root, VERSION, manifest_overrides=corrupt)
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 4 and "sha256 mismatch" in result.stderr
    assert_nothing_installed(stigmer)
    assert not list((stigmer.home / "downloads").glob("*"))


def test_more_bytes_than_declared_abort(server, stigmer):
    def shrink(manifest):
        manifest["components"]["agent-runner"]["platforms"]["linux-amd64"]["size"] -= 1
    write_release(server.root, VERSION, manifest_overrides=shrink)
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 4 and "more than" in result.stderr
    assert_nothing_installed(stigmer)


def test_fewer_bytes_than_declared_are_refused(server, stigmer):
    def grow(manifest):
        manifest["components"]["agent-runner"]["platforms"]["linux-amd64"]["size"] += 10
    write_release(server.root, VERSION, manifest_overrides=grow)
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 4 and "wrong size" in result.stderr
    assert_nothing_installed(stigmer)


def test_stalled_server_times_out(server, stigmer):
    write_release(server.root, VERSION)
    server.fault(RUNNER, "stall")
    result = stigmer.run("server", "install", "--version", VERSION,
                         env={"STIGMER_HTTP_TIMEOUT": "1", "STIGMER_HTTP_RETRIES": "1"})
    assert result.returncode == 3
    assert "timed out" in result.stderr.lower() or "timeout" in result.stderr.lower()
    assert_nothing_installed(stigmer)


def test_redirect_is_followed(server, stigmer):
    write_release(server.root, VERSION)
    elsewhere = server.root / "mirror" / "agent-runner"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes((server.root / VERSION / "linux-amd64" / "agent-runner").read_bytes())
    server.fault(RUNNER, "redirect:/mirror/agent-runner")
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 0, result.stderr
    assert server.requests_for("/mirror/agent-runner")[0]["status"] == 200


def test_redirect_to_plain_http_remote_is_refused(server, stigmer):
    write_release(server.root, VERSION)
    server.fault(RUNNER, "redirect:http://example.invalid/agent-runner")
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 7
    assert_nothing_installed(stigmer)


def test_redirect_loop_is_bounded(server, stigmer):
    write_release(server.root, VERSION)
    for _ in range(7):
        server.fault(RUNNER, f"redirect:{RUNNER}")
    result = stigmer.run("server", "install", "--version", VERSION, env={"STIGMER_HTTP_RETRIES": "1"})
    assert result.returncode == 3 and "more than 5 redirects" in result.stderr
    assert len(server.requests_for(RUNNER)) == 6
    assert_nothing_installed(stigmer)


def test_killed_process_leaves_nothing_installed_and_resumes(server, stigmer):
    import signal
    import time
    manifest = write_release(server.root, VERSION, big_runner(VERSION, size=4 * 1024 * 1024))
    digest = manifest["components"]["agent-runner"]["platforms"]["linux-amd64"]["sha256"]
    server.fault(RUNNER, "throttle:1000000")  # ~4 s for the whole file
    process = stigmer.popen("server", "install", "--version", VERSION)
    partial = stigmer.home / "downloads" / f"{digest}.part"
    deadline = time.time() + 20
    while time.time() < deadline and (not partial.exists() or partial.stat().st_size < 1_000_000):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert_nothing_installed(stigmer)
    assert partial.stat().st_size > 0
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 0, result.stderr
    assert server.requests_for(RUNNER)[-1]["range"].startswith("bytes=")
    expected = (server.root / VERSION / "linux-amd64" / "agent-runner").read_bytes()
    assert (stigmer.home / "bin" / "agent-runner").read_bytes() == expected
