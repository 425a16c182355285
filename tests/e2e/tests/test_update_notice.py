"""Knowing that an update exists: the daemon's daily check, the notice, `--check`, auto_update.

The release tree here is the e2e tree's own artifacts republished as semantic versions (1.0.0,
1.1.0, and 1.2.0, which needs a CLI newer than any) by the release scripts themselves
(finalize.sh, publish-channel.sh, signed with the development key), served by a loopback server
that records every request and can hold one unanswered: a slow release server.
"""
from __future__ import annotations

import errno
import json
import os
import pty
import select
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import Stack, free_ports
from derived_release import derive_release, publish

CHANNEL = "/channels/stable.json"
DAY = 24 * 60 * 60


class ReleaseServer:
    """A release tree over loopback HTTP; records request paths; holds the `held` ones open
    until `answer_held` is set, noting whether their client still waits or gave up."""

    def __init__(self, root: Path) -> None:
        self.requests: list[str] = []
        self.pending: set[str] = set()  # held, unanswered, and the client still waits
        self.abandoned: set[str] = set()  # held, and the client closed the connection
        self.held: set[str] = set()
        self.answer_held = threading.Event()
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def client_gave_up(self) -> bool:
                readable, _, _ = select.select([self.connection], [], [], 0)
                return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                path = self.path.split("?")[0]
                server.requests.append(path)
                if path in server.held:
                    server.pending.add(path)
                    while not server.answer_held.wait(timeout=0.05):
                        if self.client_gave_up():
                            server.pending.discard(path)
                            server.abandoned.add(path)
                            return
                    server.pending.discard(path)
                super().do_GET()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        self.httpd.daemon_threads = True
        # A held request answered after its client gave up: a broken pipe, nothing to report.
        self.httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.answer_held.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def semver_tree(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("semver-releases")
    for version, min_cli in (("1.0.0", ""), ("1.1.0", ""), ("1.2.0", "99.0.0")):
        derive_release(tree, root, version, channel=None, min_cli_version=min_cli)
    return root


@pytest.fixture
def server(semver_tree: Path) -> Iterator[ReleaseServer]:
    s = ReleaseServer(semver_tree)
    yield s
    s.close()


@pytest.fixture
def user(stack: Stack, server: ReleaseServer, semver_tree: Path) -> Stack:
    """A machine whose releases come from `server`, with release 1.0.0 installed and active,
    and 1.1.0 the latest on the stable channel."""
    stack.env["STIGMER_RELEASES_URL"] = server.url
    for name in ("CI", "STIGMER_NO_UPDATE_NOTIFIER"):
        stack.env.pop(name, None)
    # Reset for each test: a test before may have moved stable on to 1.2.0.
    publish(semver_tree, "1.1.0", force=True)
    stack.run("server", "install", "--version", "1.0.0", check=True)
    return stack


def record_file(stack: Stack) -> Path:
    return stack.home / "update-check.json"


def record(stack: Stack) -> dict:
    """The remembered answer ({} before there is one)."""
    try:
        return json.loads(record_file(stack).read_text())
    except FileNotFoundError:
        return {}


def daemon_log(stack: Stack) -> str:
    return (stack.home / "logs" / "daemon.log").read_text()


def a_day_later(stack: Stack) -> None:
    """What the next day looks like to stigmer: the answer and the notice are a day old."""
    document = record(stack)
    document["checked_at"] -= DAY + 60
    document["notice_shown_at"] -= DAY + 60
    record_file(stack).write_text(json.dumps(document))


def on_terminal(stack: Stack, *args: str, **env: str) -> tuple[int, str, str]:
    """Runs stigmer with stderr on a pseudo-terminal; returns (exit code, stdout, stderr)."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(stack.command(*args), env={**stack.env, **env}, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=secondary)
    os.close(secondary)
    terminal = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError as error:  # EIO: every writer has closed the terminal
            if error.errno != errno.EIO:
                raise
            break
        if not chunk:
            break
        terminal += chunk
    os.close(primary)
    assert proc.stdout is not None
    stdout = proc.stdout.read().decode()
    proc.wait(timeout=300)
    return proc.returncode, stdout, terminal.decode().replace("\r\n", "\n")


def model_requests(fake_llm: str, marker: str) -> list[dict]:
    """What the stand-in LLM server was asked about the execution marked `marker`."""
    requests = json.loads(urllib.request.urlopen(f"{fake_llm}/_fake/requests").read())
    return [r for r in requests if marker in json.dumps(r["body"].get("messages", []))]


def notices(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " is available (you run " in line
            or " is downloaded and verified (you run " in line]


NOTICE = "stigmer 1.1.0 is available (you run 1.0.0): stigmer server update"


def test_the_notice_appears_once_a_day_on_a_terminal(user: Stack, server: ReleaseServer) -> None:
    started = time.monotonic()
    user.start()
    print(f"\nserver start with a normal release server: {time.monotonic() - started:.1f}s")
    user.wait_for(lambda: record(user).get("latest") == "1.1.0", what="the daemon's check")
    assert record(user)["channel"] == "stable" and record(user)["error"] is None
    assert server.requests.count(CHANNEL) == 1

    # Each of these would show it (the terminal run below does): they must not, nor use it up.
    assert notices(user.run("server", "status").stderr) == []  # stderr piped
    assert notices(on_terminal(user, "server", "status", CI="true")[2]) == []
    assert notices(on_terminal(user, "server", "status", STIGMER_NO_UPDATE_NOTIFIER="1")[2]) == []
    code, stdout, stderr = on_terminal(user, "server", "status", "--json")
    assert code == 0 and json.loads(stdout)["running"] and notices(stderr) == []

    code, _, stderr = on_terminal(user, "server", "status")
    assert code == 0
    assert notices(stderr) == [NOTICE]
    assert notices(on_terminal(user, "version")[2]) == []  # the same day
    assert notices(on_terminal(user, "server", "status")[2]) == []

    a_day_later(user)
    assert notices(on_terminal(user, "version")[2]) == [NOTICE]
    a_day_later(user)
    code, _, stderr = on_terminal(user, "server", "start", *user.port_flags())
    assert code == 0 and notices(stderr) == [NOTICE]
    # Nothing asked the network again: the notice reads the remembered answer only.
    assert server.requests.count(CHANNEL) == 1


def test_update_check_false_means_no_check_and_no_notice(user: Stack, server: ReleaseServer) -> None:
    config = user.home / "config.toml"
    config.write_text("update_check = false\n")
    user.start()
    user.wait_for(lambda: "update checks are off" in daemon_log(user), what="the daemon's word")
    assert CHANNEL not in server.requests
    assert not record_file(user).exists()

    # An answer remembered earlier is not shown either, until the setting goes.
    record_file(user).write_text(json.dumps({
        "schema": 1, "checked_at": int(time.time()), "releases_url": server.url, "channel": "stable",
        "latest": "1.1.0", "error": None, "notice_version": None, "notice_shown_at": 0}))
    assert notices(on_terminal(user, "version")[2]) == []
    config.write_text('auto_update = "notify"\n')
    assert notices(on_terminal(user, "version")[2]) == [NOTICE]


def test_a_slow_release_server_does_not_delay_server_start(user: Stack, server: ReleaseServer) -> None:
    # The check may wait long here, so that it is surely still waiting when start returns.
    user.env["STIGMER_UPDATE_CHECK_TIMEOUT"] = "600"
    server.held.add(CHANNEL)
    started = time.monotonic()
    result = user.start()
    print(f"\nserver start while the release server holds the channel request: "
          f"{time.monotonic() - started:.1f}s")
    # The stack is ready while the daemon still waits for the channel: start did not wait.
    assert CHANNEL in server.pending, (server.requests, server.abandoned)
    assert user.status()["ready"]
    assert "update" not in result.stderr.lower()
    assert not record_file(user).exists()

    # The answer, once it comes, is the daemon's to remember.
    server.answer_held.set()
    user.wait_for(lambda: record(user).get("latest") == "1.1.0", what="the late answer")


def test_a_check_that_times_out_is_remembered_and_logged_once(user: Stack, server: ReleaseServer) -> None:
    server.held.add(CHANNEL)
    result = user.start()
    assert "update" not in result.stderr.lower()
    # The daemon gave up on its own (2 s) and remembered the failure, in its log as one line.
    user.wait_for(lambda: record(user).get("error") is not None, what="the failed check")
    assert record(user)["latest"] is None and "timed out" in record(user)["error"]
    user.wait_for(lambda: CHANNEL in server.abandoned, what="the daemon to hang up")
    failures = [line for line in daemon_log(user).splitlines() if "update check failed" in line]
    assert len(failures) == 1, daemon_log(user)
    assert notices(on_terminal(user, "server", "status")[2]) == []


def test_an_unreachable_release_server_changes_nothing(user: Stack) -> None:
    (closed,) = free_ports(1)
    user.env["STIGMER_RELEASES_URL"] = f"http://127.0.0.1:{closed}"
    result = user.start()
    assert result.returncode == 0
    assert "update" not in result.stderr.lower() and "error" not in result.stderr.lower()
    user.wait_for(lambda: record(user).get("error") is not None, what="the failed check")
    failures = [line for line in daemon_log(user).splitlines() if "update check" in line]
    assert len(failures) == 1 and "failed" in failures[0], daemon_log(user)
    # Remembered: the next start does not try again the same day.
    user.run("server", "stop", check=True)
    user.start()
    user.wait_for(lambda: "update check: last one" in daemon_log(user), what="the second daemon")
    assert len([line for line in daemon_log(user).splitlines() if "update check failed" in line]) == 1
    assert notices(on_terminal(user, "server", "status")[2]) == []


def test_the_daemons_check_refuses_a_replayed_older_channel(user: Stack, server: ReleaseServer, semver_tree: Path) -> None:
    """Freeze: once a channel file naming 1.1.0 was verified, the older signed one that still
    named 1.0.0, served again, is refused by the daemon's check; 1.1.0 stays the answer."""
    channel = semver_tree / "channels" / "stable.json"
    signature = channel.with_name("stable.json.minisig")
    publish(semver_tree, "1.0.0", force=True)
    replay = channel.read_bytes(), signature.read_bytes()
    time.sleep(1.1)  # published_at counts whole seconds
    publish(semver_tree, "1.1.0", force=True)
    assert user.run("server", "update", "--check").returncode == 10
    channel.write_bytes(replay[0])
    signature.write_bytes(replay[1])
    a_day_later(user)
    user.start()
    user.wait_for(lambda: "older than" in (record(user).get("error") or ""), what="the refused check")
    assert record(user)["latest"] == "1.1.0"
    failures = [line for line in daemon_log(user).splitlines() if "update check failed" in line]
    assert len(failures) == 1 and f"{server.url}{CHANNEL}" in failures[0], daemon_log(user)


def test_update_check_exit_codes_and_the_remembered_answer(user: Stack, server: ReleaseServer) -> None:
    result = user.run("server", "update", "--check")
    assert result.returncode == 10, result.stderr
    assert "update available: 1.0.0 -> 1.1.0" in result.stdout
    assert record(user)["latest"] == "1.1.0"
    assert abs(record(user)["checked_at"] - time.time()) < DAY

    as_json = user.run("server", "update", "--check", "--json")
    assert as_json.returncode == 10
    assert json.loads(as_json.stdout) == {"channel": "stable", "active": "1.0.0", "latest": "1.1.0",
                                          "update_available": True}

    user.run("server", "install", "--version", "1.1.0", check=True)
    up_to_date = user.run("server", "update", "--check")
    assert up_to_date.returncode == 0, up_to_date.stderr
    assert "up to date" in up_to_date.stdout
    assert notices(on_terminal(user, "version")[2]) == []  # 1.1.0 runs now


def test_auto_update_install_applies_the_release_to_the_running_stack(user: Stack, server: ReleaseServer, fake_llm: str) -> None:
    """The daemon downloads, verifies and rolls 1.1.0 onto the running stack by itself; an
    execution in flight meanwhile finishes on 1.0.0 with no model call made twice."""
    (user.home / "config.toml").write_text('[updates]\nauto_update = "install"\n')
    # The channel's answer waits until an execution is in flight.
    user.env["STIGMER_UPDATE_CHECK_TIMEOUT"] = "600"
    server.held.add(CHANNEL)
    user.start()
    marker = f"auto-{uuid.uuid4().hex[:8]}"
    writes = "".join(f'[fake:tool=write_file {{"file_path": "/{marker}-{i}.txt", "content": "{i}"}}]' for i in range(1, 5))
    inflight = user.run("run", "--detach", f"[fake:delay=3] {marker} {writes}", check=True).stdout.strip()
    user.wait_for(lambda: len(model_requests(fake_llm, marker)) >= 1, what="the first model call")
    server.answer_held.set()

    def runners() -> dict[str, dict]:
        return {c["release"]: c for c in user.status()["components"] if c["name"] == "agent-runner"}

    user.wait_for(lambda: runners().get("1.1.0", {}).get("role") == "current", timeout=300, what="1.1.0 to be current")
    assert runners()["1.0.0"]["role"] == "draining"
    versions = json.loads(user.run("server", "versions", "--json", check=True).stdout)
    assert versions["active"] == "1.1.0"
    assert "auto_update: applying release 1.1.0 to the running stack" in daemon_log(user)
    attach = user.run("run", "--attach", inflight, check=True)
    assert f"Updated file /{marker}-4.txt" in attach.stdout
    assert len(model_requests(fake_llm, marker)) == 5
    user.wait_for(lambda: set(runners()) == {"1.1.0"}, timeout=60, what="1.0.0's runner to drain and stop")


def test_a_release_that_needs_a_newer_cli_is_refused(user: Stack, server: ReleaseServer, semver_tree: Path) -> None:
    publish(semver_tree, "1.2.0")
    for args in (("server", "update"), ("server", "install", "--version", "1.2.0"),
                 ("server", "start", *user.port_flags(), "--version", "1.2.0")):
        result = user.run(*args)
        assert result.returncode == 7, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (args, result.stderr)
        assert "release 1.2.0 needs stigmer 99.0.0 or newer (this is " in lines[0]
        assert f"upgrade the CLI first: curl -fsSL {server.url}/install.sh | sh" in lines[0]
    assert user.processes() == []
    versions = json.loads(user.run("server", "versions", "--json", check=True).stdout)
    assert versions["active"] == "1.0.0" and [v["version"] for v in versions["versions"]] == ["1.0.0"]

    # The background install skips it too, and the notice says the CLI comes first.
    (user.home / "config.toml").write_text('auto_update = "install"\n')
    user.start()
    user.wait_for(lambda: record(user).get("latest") == "1.2.0", what="the daemon's check")
    assert record(user)["min_cli_version"] == "99.0.0" and record(user)["installed"] is None
    assert "not downloading it: upgrade the CLI first" in daemon_log(user)
    assert not (user.home / "manifests" / "1.2.0").exists()
    (line,) = notices(on_terminal(user, "server", "status")[2])
    assert line.startswith("stigmer 1.2.0 is available (you run 1.0.0) and needs stigmer 99.0.0 or newer: ")
    assert line.endswith(", then stigmer server update")


def test_a_bad_auto_update_value_is_one_line_naming_file_and_key(user: Stack) -> None:
    (user.home / "config.toml").write_text('auto_update = "weekly"\n')
    result = user.run("server", "start", *user.port_flags())
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert 'auto_update must be "off", "notify" or "install"' in lines[0]
    assert str(user.home / "config.toml") in lines[0]
    assert user.processes() == []
