"""`stigmer server update` and `rollback` on a running stack: a rolling upgrade through Temporal's
Worker Versioning. Two signed releases (1.0.0 and 1.1.0) are made by the test from the
tree's own artifacts (same binaries, different version stamps, each manifest signed with the
development key by release/finalize.sh and minisign) and served by a real loopback release
server. The executions run on the frozen agent-runner against real Temporal; the stand-in LLM
server (a loopback server speaking the providers' HTTP APIs) scripts the tool calls and records
each request, which shows that no step ran twice."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import tarfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, VERSION, Stack, start_server, stop_process
from derived_release import copy_sbom, derive_release, release_script

OLD, NEW, LATER, BROKEN = "1.0.0", "1.1.0", "1.2.0", "1.3.0"
# Releases that change Temporal's version: the same binary under another version in the
# manifest (so the daemon restarts it), and one whose Temporal exits at once.
NEXT_TEMPORAL, BROKEN_TEMPORAL = "1.4.0", "1.5.0"
SHIPPED_TEMPORAL = (REPO / "release" / "TEMPORAL_VERSION").read_text().strip()


@pytest.fixture(scope="module")
def two_releases(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A release server whose stable channel offers NEW; OLD (and LATER) are installed by version."""
    root = tmp_path_factory.mktemp("two-releases")
    derive_release(tree, root, LATER)
    # A release whose agent-runner exits at once (signed like any other: the signature vouches
    # for where it came from, not that it works).
    _with_broken(tree, root / BROKEN / "linux-amd64", "agent-runner")
    release_script("finalize.sh", str(root), BROKEN)
    derive_release(tree, root, NEXT_TEMPORAL, channel=None, temporal_version=f"{SHIPPED_TEMPORAL}-next")
    _with_broken(tree, root / BROKEN_TEMPORAL / "linux-amd64", "temporal")
    release_script("finalize.sh", str(root), BROKEN_TEMPORAL, STIGMER_TEMPORAL_VERSION=f"{SHIPPED_TEMPORAL}-broken")
    derive_release(tree, root, OLD)
    derive_release(tree, root, NEW)
    proc, url = start_server([sys.executable, str(REPO / "release" / "serve.py"), "--root", str(root), "--port", "0"], "http://")
    yield url
    stop_process(proc)


def _with_broken(tree: Path, target: Path, component: str) -> None:
    """The tree's artifacts in `target`, but `component`'s archive holds a program that exits at once."""
    target.mkdir(parents=True)
    copy_sbom(tree, target.parent)
    for artifact in (tree / VERSION / "linux-amd64").iterdir():
        if artifact.name != f"{component}.tar.gz":
            shutil.copy2(artifact, target / artifact.name)
    script = target.parent / component
    script.write_text(f"#!/bin/sh\necho '{component}: cannot start (broken on purpose)' >&2\nexit 3\n")
    script.chmod(0o755)
    with tarfile.open(target / f"{component}.tar.gz", "w:gz") as archive:
        archive.add(script, arcname=component)
    script.unlink()


def _requests(fake_llm: str, marker: str) -> list[dict]:
    requests = json.loads(urllib.request.urlopen(f"{fake_llm}/_fake/requests").read())
    return [r for r in requests if marker in json.dumps(r["body"].get("messages", []))]


def _prompt(marker: str, files: int, delay: float) -> str:
    writes = "".join(f'[fake:tool=write_file {{"file_path": "/{marker}-{i}.txt", "content": "part {i}"}}]' for i in range(1, files + 1))
    return f"[fake:delay={delay}] {marker}: write the parts. {writes}"


def _runners(stack: Stack) -> dict[str, dict]:
    return {c["release"]: c for c in stack.status()["components"] if c["name"] == "agent-runner"}


def _build_of(stack: Stack, workflow_id: str) -> str:
    """The Worker Deployment build an execution is pinned to, as Temporal records it (once its
    first workflow task has run)."""
    url = f"http://127.0.0.1:{stack.ports['http']}/api/v1/namespaces/default/workflows/{urllib.parse.quote(workflow_id)}"
    found: list[str] = []

    def pinned() -> bool:
        info = json.loads(urllib.request.urlopen(url).read())["workflowExecutionInfo"]
        found[:] = [info.get("versioningInfo", {}).get("deploymentVersion", {}).get("buildId", "")]
        return bool(found[0])

    stack.wait_for(pinned, timeout=30, what=f"{workflow_id} to be pinned")
    return found[0]


def _detach(stack: Stack, prompt: str) -> str:
    result = stack.run("run", "--detach", "--json", prompt, check=True)
    return json.loads(result.stdout)["workflow_id"]


def _on_old_release(stack: Stack, releases_url: str) -> None:
    """The machine's releases come from `releases_url`; OLD is installed and its stack runs."""
    stack.env["STIGMER_RELEASES_URL"] = releases_url
    stack.run("server", "install", "--version", OLD, check=True)
    stack.start()


def _in_flight(stack: Stack, fake_llm: str, name: str, files: int, delay: float) -> tuple[str, str]:
    """(workflow id, marker) of an execution started detached, once its first model call is made."""
    marker = f"{name}-{uuid.uuid4().hex[:8]}"
    workflow_id = _detach(stack, _prompt(marker, files, delay))
    stack.wait_for(lambda: len(_requests(fake_llm, marker)) >= 1, what="the first model call")
    return workflow_id, marker


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


def test_update_and_rollback_of_a_running_stack_lose_nothing(stack: Stack, two_releases: str, fake_llm: str) -> None:
    _on_old_release(stack, two_releases)
    assert set(_runners(stack)) == {OLD} and _runners(stack)[OLD]["role"] == "current"

    # An execution in flight across the update: six model calls, 3 s each (the new runner takes
    # about 5 s to unpack and poll).
    inflight, marker = _in_flight(stack, fake_llm, "inflight", 5, 3.0)
    old_pid = _runners(stack)[OLD]["pid"]
    temporal_pid = stack.component("temporal")["pid"]

    update = stack.run("server", "update", "--channel", "stable")
    assert update.returncode == 0, update.stderr
    assert f"updated {OLD} -> {NEW}" in update.stdout
    assert f"agent-runner {NEW} is current; {OLD} finishes 1 open execution(s), then stops" in update.stdout

    # During the drain: both runners, the old one still finishing what it started.
    runners = _runners(stack)
    assert set(runners) == {OLD, NEW}, runners
    assert (runners[NEW]["role"], runners[NEW]["state"]) == ("current", "ready")
    assert (runners[OLD]["role"], runners[OLD]["state"], runners[OLD]["pid"]) == ("draining", "ready", old_pid)
    text = stack.run("server", "status", check=True).stdout
    assert f"draining {OLD}" in text and f"current {NEW}" in text
    # Same Temporal version in both releases: Temporal is not touched.
    assert stack.component("temporal")["pid"] == temporal_pid and "restarting Temporal" not in update.stderr

    # A new execution starts on the new release at once.
    fresh_marker = f"fresh-{uuid.uuid4().hex[:8]}"
    fresh = _detach(stack, _prompt(fresh_marker, 1, 0))
    assert _build_of(stack, fresh) == NEW
    attach = stack.run("run", "--attach", fresh, check=True)
    assert f"Updated file /{fresh_marker}-1.txt" in attach.stdout

    # The one in flight finishes where it started, with no model call made twice.
    attach = stack.run("run", "--attach", inflight, check=True)
    assert f"Updated file /{marker}-5.txt" in attach.stdout
    assert _build_of(stack, inflight) == OLD
    assert len(_requests(fake_llm, marker)) == 6

    # Drained: the old runner stops by itself; the new one goes on.
    stack.wait_for(lambda: set(_runners(stack)) == {NEW}, timeout=60, what=f"{OLD}'s runner to stop")
    assert not _alive(old_pid)
    logs = stack.run("server", "logs", "-c", "agent-runner", "-n", "400", check=True).stdout
    assert f"agent-runner@{OLD}: stopping (drained: no execution pinned to {OLD} is open)" in logs

    # Rollback takes the same way back.
    rollback = stack.run("server", "rollback")
    assert rollback.returncode == 0, rollback.stderr
    assert f"rolled back {NEW} -> {OLD}" in rollback.stdout and f"agent-runner {OLD} is current" in rollback.stdout
    back_marker = f"back-{uuid.uuid4().hex[:8]}"
    back = _detach(stack, _prompt(back_marker, 1, 0))
    assert _build_of(stack, back) == OLD
    stack.run("run", "--attach", back, check=True)
    stack.wait_for(lambda: set(_runners(stack)) == {OLD}, timeout=60, what=f"{NEW}'s runner to stop")


def test_update_of_a_stopped_stack_applies_at_the_next_start(stack: Stack, two_releases: str, fake_llm: str) -> None:
    """An execution left open by a stop keeps its release: the next start, on the new release,
    starts the old release's runner beside it for that execution alone."""
    _on_old_release(stack, two_releases)
    inflight, marker = _in_flight(stack, fake_llm, "stopped", 3, 1.5)
    stack.run("server", "stop", check=True)
    update = stack.run("server", "update", "--channel", "stable", "--json", check=True)
    assert json.loads(update.stdout)["running_stack"] is None
    stack.start()
    stack.wait_for(lambda: set(_runners(stack)) == {OLD, NEW}, timeout=60, what=f"a runner for {OLD}'s open execution")
    runners = _runners(stack)
    assert (runners[NEW]["role"], runners[OLD]["role"]) == ("current", "draining")
    attach = stack.run("run", "--attach", inflight, check=True)
    assert f"Updated file /{marker}-3.txt" in attach.stdout
    assert _build_of(stack, inflight) == OLD
    # At most the model call in flight at the stop is made again.
    assert len(_requests(fake_llm, marker)) <= 5
    stack.wait_for(lambda: set(_runners(stack)) == {NEW}, timeout=60, what=f"{OLD}'s runner to stop")

    # Back to the older release while stopped: the next start makes it current again (a local
    # stack is the deployment's only machine), so new executions do not wait for NEW.
    stack.run("server", "stop", check=True)
    stack.run("server", "rollback", check=True)
    stack.start()
    assert _runners(stack)[OLD]["role"] == "current"
    back = _detach(stack, _prompt(f"back-{uuid.uuid4().hex[:8]}", 1, 0))
    assert _build_of(stack, back) == OLD
    stack.run("run", "--attach", back, check=True)


def test_prune_keeps_a_release_whose_runner_drains(stack: Stack, two_releases: str, fake_llm: str) -> None:
    _on_old_release(stack, two_releases)
    inflight, marker = _in_flight(stack, fake_llm, "prune", 4, 3.0)
    stack.run("server", "update", "--channel", "stable", check=True)
    # OLD is now neither active nor previous, but its runner still finishes `inflight`.
    stack.run("server", "install", "--version", LATER, check=True)
    versions = json.loads(stack.run("server", "versions", "--json", check=True).stdout)
    assert (versions["active"], versions["previous"]) == (LATER, NEW)
    assert _runners(stack)[OLD]["role"] == "draining"
    dry = json.loads(stack.run("server", "prune", "--dry-run", "--json", check=True).stdout)
    assert OLD not in dry["removed"]
    stack.run("run", "--attach", inflight, check=True)
    stack.wait_for(lambda: OLD not in _runners(stack), timeout=60, what=f"{OLD}'s runner to stop")
    # The update kept Temporal's version, so Temporal still runs from OLD: kept while it does.
    dry = json.loads(stack.run("server", "prune", "--dry-run", "--json", check=True).stdout)
    assert OLD not in dry["removed"]
    stack.run("server", "stop", check=True)
    dry = json.loads(stack.run("server", "prune", "--dry-run", "--json", check=True).stdout)
    assert dry["removed"] == [OLD]


def test_what_is_left_at_the_drain_limit_moves_to_the_current_release(stack: Stack, two_releases: str, fake_llm: str) -> None:
    stack.home.mkdir(parents=True, exist_ok=True)
    (stack.home / "config.toml").write_text("[agent_runner]\ndrain_limit_seconds = 1\n")
    _on_old_release(stack, two_releases)
    inflight, marker = _in_flight(stack, fake_llm, "limit", 4, 3.0)
    stack.run("server", "update", "--channel", "stable", check=True)
    stack.wait_for(lambda: set(_runners(stack)) == {NEW}, timeout=60, what=f"{OLD}'s runner to stop at the limit")
    log = (stack.home / "logs" / "daemon.log").read_text()
    assert f"drain limit reached for agent-runner {OLD}: moved 1 open execution(s) to {NEW}" in log
    # Moved, not broken: it finishes on the current release, no model call made twice.
    attach = stack.run("run", "--attach", inflight, check=True)
    assert f"Updated file /{marker}-4.txt" in attach.stdout
    assert _build_of(stack, inflight) == NEW
    assert len(_requests(fake_llm, marker)) == 5


def test_a_new_runner_that_cannot_start_leaves_the_old_one_serving(stack: Stack, two_releases: str, fake_llm: str) -> None:
    _on_old_release(stack, two_releases)
    switch = stack.run("server", "start", *stack.port_flags(), "--version", BROKEN)
    assert switch.returncode == 1, switch.stderr
    error = switch.stderr.strip().splitlines()[-1]
    assert re.match(rf"stigmer: error: agent-runner {BROKEN} could not start: exited \d+ times in a row soon after "
                    r"starting \(last: exit code 3\)", error), error
    assert "the previous runner goes on serving" in error
    runners = _runners(stack)
    assert set(runners) == {OLD} and runners[OLD]["role"] == "current"
    assert stack.status()["ready"]
    marker = f"still-{uuid.uuid4().hex[:8]}"
    run = _detach(stack, _prompt(marker, 1, 0))
    assert _build_of(stack, run) == OLD
    stack.run("run", "--attach", run, check=True)


def test_an_update_that_changes_temporal_restarts_it_with_its_data(stack: Stack, two_releases: str, fake_llm: str) -> None:
    _on_old_release(stack, two_releases)
    done = _detach(stack, _prompt(f"before-{uuid.uuid4().hex[:8]}", 1, 0))
    stack.run("run", "--attach", done, check=True)
    inflight, marker = _in_flight(stack, fake_llm, "across-temporal", 4, 2.0)
    temporal_pid, runner_pid = stack.component("temporal")["pid"], _runners(stack)[OLD]["pid"]

    switch = stack.run("server", "start", *stack.port_flags(), "--version", NEXT_TEMPORAL)
    assert switch.returncode == 0, switch.stderr
    assert f"restarting Temporal {SHIPPED_TEMPORAL} -> {SHIPPED_TEMPORAL}-next with its data" in switch.stderr
    restarted = re.search(rf"Temporal {SHIPPED_TEMPORAL}-next restarted with its data \(unavailable (\d+\.\d) s\); "
                          rf"agent-runner {NEXT_TEMPORAL} is current", switch.stdout)
    assert restarted, switch.stdout
    status = stack.status()
    assert status["temporal"]["version"] == f"{SHIPPED_TEMPORAL}-next"
    assert status["temporal"]["restart"]["unavailable_seconds"] == pytest.approx(float(restarted.group(1)), abs=0.06)
    assert stack.component("temporal")["pid"] != temporal_pid and not _alive(temporal_pid)
    # The runner that started the execution in flight was not restarted: it reconnected.
    assert _runners(stack)[OLD]["pid"] == runner_pid

    # Its data kept: the finished run is still listed, the one in flight finishes where it
    # started, and no model call was made twice.
    runs = json.loads(stack.run("runs", "--json", check=True).stdout)
    assert done in json.dumps(runs)
    attach = stack.run("run", "--attach", inflight, check=True)
    assert f"Updated file /{marker}-4.txt" in attach.stdout
    assert _build_of(stack, inflight) == OLD
    assert len(_requests(fake_llm, marker)) == 5
    stack.wait_for(lambda: set(_runners(stack)) == {NEXT_TEMPORAL}, timeout=60, what=f"{OLD}'s runner to stop")


def test_a_temporal_that_cannot_start_gives_way_to_the_old_one(stack: Stack, two_releases: str, fake_llm: str) -> None:
    _on_old_release(stack, two_releases)
    inflight, marker = _in_flight(stack, fake_llm, "broken-temporal", 2, 2.0)
    switch = stack.run("server", "start", *stack.port_flags(), "--version", BROKEN_TEMPORAL)
    assert switch.returncode == 1, switch.stderr
    error = switch.stderr.strip().splitlines()[-1]
    assert error.startswith(f"stigmer: error: release {BROKEN_TEMPORAL} was not applied: its Temporal {SHIPPED_TEMPORAL}-broken "
                            f"could not start (exited (exit code 3)); Temporal {SHIPPED_TEMPORAL} runs again"), error
    stack.wait_for(lambda: stack.status()["ready"], timeout=60, what="the stack to be ready again")
    assert stack.status()["temporal"]["version"] == SHIPPED_TEMPORAL
    runners = _runners(stack)
    assert set(runners) == {OLD} and runners[OLD]["role"] == "current"
    attach = stack.run("run", "--attach", inflight, check=True)
    assert f"Updated file /{marker}-2.txt" in attach.stdout
    assert len(_requests(fake_llm, marker)) == 3


def test_an_update_waits_for_a_daemon_too_busy_to_answer(stack: Stack, two_releases: str, fake_llm: str) -> None:
    """A daemon that holds its lock but answers late (its loop inside a slow Temporal call under
    load) is running: the update waits for it, rather than taking the stack for stopped and
    leaving it on the old release. SIGSTOP makes it that busy, for 6 s."""
    _on_old_release(stack, two_releases)
    # NEW downloaded and installed beforehand, OLD active again: the update only has to roll.
    stack.run("server", "install", "--version", NEW, check=True)
    stack.run("server", "rollback", check=True)
    assert set(_runners(stack)) >= {OLD}
    daemon = stack.status()["daemon"]["pid"]
    os.kill(daemon, signal.SIGSTOP)
    resume = threading.Timer(6.0, os.kill, (daemon, signal.SIGCONT))
    resume.start()
    try:
        update = stack.run("server", "update", "--channel", "stable", "--json", timeout=180)
    finally:
        resume.cancel()
        os.kill(daemon, signal.SIGCONT)
    assert update.returncode == 0, update.stderr
    assert json.loads(update.stdout)["running_stack"] is not None
    assert _runners(stack)[NEW]["role"] == "current"
