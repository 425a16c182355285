"""`stigmer run` as a user follows an agent: its steps while they happen, Ctrl-C that cancels,
detach and attach, the list of runs, and tool calls that wait for approval. Through the shipped
CLI, real Temporal and the frozen agent-runner; the stand-in LLM server (a loopback server
speaking the providers' HTTP APIs) scripts the model's tool calls and records each request."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.request
import uuid

from conftest import Stack

DELAY = 1.5  # seconds the stand-in takes for each model call


def _prompt(marker: str, files: int, delay: float = DELAY) -> str:
    writes = "".join(f'[fake:tool=write_file {{"file_path": "/{marker}-{i}.txt", "content": "part {i}"}}]' for i in range(1, files + 1))
    return f"[fake:delay={delay}] {marker}: write the parts. {writes}"


def _requests(fake_llm: str, marker: str) -> list[dict]:
    requests = json.loads(urllib.request.urlopen(f"{fake_llm}/_fake/requests").read())
    return [r for r in requests if marker in json.dumps(r["body"].get("messages", []))]


def _wait_for_requests(stack: Stack, fake_llm: str, marker: str, count: int) -> None:
    """Until the model has been asked `count` times: Ctrl-C then lands inside a model call, not
    in the few milliseconds between a tool's result and the next call being started."""
    stack.wait_for(lambda: len(_requests(fake_llm, marker)) >= count, timeout=30, what=f"model call {count}")


class LiveRun:
    """A `stigmer run` whose output lines are read as they come, each with the time it came."""

    def __init__(self, stack: Stack, *args: str, stdin: int | None = None) -> None:
        self.proc = subprocess.Popen(stack.command(*args), env=stack.env, stdin=stdin, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        stack.background.append(self.proc)
        self.out: list[tuple[float, str]] = []
        self.err: list[tuple[float, str]] = []
        self.readers = [threading.Thread(target=self._read, args=(stream, lines), daemon=True)
                        for stream, lines in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for reader in self.readers:
            reader.start()

    @staticmethod
    def _read(stream, lines: list[tuple[float, str]]) -> None:
        for line in stream:
            lines.append((time.time(), line.rstrip("\n")))

    def wait_for_line(self, stream: list[tuple[float, str]], text: str, timeout: float = 120) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, line in list(stream):
                if text in line:
                    return at
            if self.proc.poll() is not None and all(not r.is_alive() for r in self.readers):
                break
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r}; stderr: {[line for _, line in self.err]}")

    def finish(self, timeout: float = 180) -> int:
        code = self.proc.wait(timeout=timeout)
        for reader in self.readers:
            reader.join(timeout=10)
        return code

    def lines(self, stream: list[tuple[float, str]]) -> list[str]:
        return [line for _, line in stream]


def _step_lines(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.startswith(("model call", "  "))]


def test_steps_show_while_the_agent_works_and_match_the_model_server(stack: Stack, fake_llm: str) -> None:
    stack.start()
    marker = f"steps-{uuid.uuid4().hex[:8]}"
    run = LiveRun(stack, "run", _prompt(marker, 2))
    assert run.finish() == 0
    assert run.lines(run.out) == [f"fake-llm answer: Updated file /{marker}-2.txt"]
    asked = [r["at"] for r in _requests(fake_llm, marker)]
    assert len(asked) == 3
    # Each model call is printed while the run goes on: before the next call was answered.
    for n in (1, 2):
        shown = next(at for at, line in run.err if line.startswith(f"model call {n}:"))
        assert asked[n - 1] + DELAY <= shown < asked[n] + DELAY, (n, shown, asked)
    assert _step_lines(run.lines(run.err)) == [
        "model call 1: 15 tokens (15 so far), calls write_file",
        f"write_file(file_path=/{marker}-1.txt, content=\"part 1\")",
        f"-> Updated file /{marker}-1.txt",
        "model call 2: 15 tokens (30 so far), calls write_file",
        f"write_file(file_path=/{marker}-2.txt, content=\"part 2\")",
        f"-> Updated file /{marker}-2.txt",
        "model call 3: 15 tokens (45 so far), answers",
    ]


def test_events_are_one_json_object_per_step_then_the_result(stack: Stack, fake_llm: str) -> None:
    stack.start()
    marker = f"events-{uuid.uuid4().hex[:8]}"
    run = LiveRun(stack, "run", "--events", _prompt(marker, 1))
    assert run.finish() == 0
    asked = [r["at"] for r in _requests(fake_llm, marker)]
    shown = next(at for at, line in run.out if '"kind":"tool_result"' in line)
    assert shown < asked[1] + DELAY  # printed before the last model call was answered
    events = [json.loads(line) for line in run.lines(run.out)]
    assert [e["kind"] for e in events] == ["model_call_started", "model_call", "tool_call", "tool_result",
                                           "model_call_started", "model_call", "result"]
    assert [e["seq"] for e in events[:-1]] == list(range(6))
    assert events[2]["tool"] == "write_file" and events[2]["args"] == f'file_path=/{marker}-1.txt, content="part 1"'
    assert events[5]["total_tokens"] == 30
    result = events[-1]
    assert result["answer"] == f"fake-llm answer: Updated file /{marker}-1.txt"
    assert result["workflow_id"].startswith("stigmer-run-") and result["model_calls"] == 2


def test_ctrl_c_cancels_the_execution(stack: Stack, fake_llm: str) -> None:
    stack.start()
    marker = f"cancel-{uuid.uuid4().hex[:8]}"
    run = LiveRun(stack, "run", _prompt(marker, 5, delay=3))
    run.wait_for_line(run.err, "model call 1:")
    _wait_for_requests(stack, fake_llm, marker, 2)
    interrupted = time.time()
    run.proc.send_signal(signal.SIGINT)
    assert run.finish(timeout=30) == 130
    ended = time.time()
    err = run.lines(run.err)
    assert any(line.startswith("cancelling stigmer-run-") and "--detach" in line for line in err), err
    assert err[-1].startswith("stigmer: error: the agent execution was cancelled"), err
    workflow_id = next(line.split()[2] for line in err if line.startswith("started execution"))
    runs = json.loads(stack.run("runs", "--json", check=True).stdout)
    assert next(r for r in runs if r["workflow_id"] == workflow_id)["state"] == "canceled"
    time.sleep(4)  # longer than a model call takes: a call started after Ctrl-C would be here
    assert [r for r in _requests(fake_llm, marker) if r["at"] > interrupted] == []
    assert ended - interrupted < 5, ended - interrupted  # bench/run measures it; this bounds a hang


def test_detach_then_attach_shows_the_same_steps_and_the_answer(stack: Stack, fake_llm: str) -> None:
    stack.start()
    marker = f"attach-{uuid.uuid4().hex[:8]}"
    detached = stack.run("run", "--detach", _prompt(marker, 2, delay=1), check=True)
    workflow_id = detached.stdout.strip()
    assert workflow_id.startswith("stigmer-run-") and f"stigmer run --attach {workflow_id}" in detached.stderr
    attached = LiveRun(stack, "run", "--attach", workflow_id)
    assert attached.finish() == 0
    assert attached.lines(attached.out) == [f"fake-llm answer: Updated file /{marker}-2.txt"]
    steps = _step_lines(attached.lines(attached.err))
    assert len(steps) == 7 and steps[0].startswith("model call 1:") and steps[-1].startswith("model call 3:")
    # Attaching to a finished run replays its steps the same way.
    again = stack.run("run", "--attach", workflow_id, check=True)
    assert _step_lines(again.stderr.splitlines()) == steps
    missing = stack.run("run", "--attach", "stigmer-run-0-none")
    assert missing.returncode == 5 and "no execution stigmer-run-0-none" in missing.stderr


def test_runs_lists_executions_started_by_stigmer_and_by_the_temporal_cli(stack: Stack, fake_llm: str) -> None:
    stack.start()
    answered = json.loads(stack.run("run", "--json", _prompt("listed", 1, delay=0), check=True).stdout)
    queue = stack.status()["temporal"]["task_queue"]
    other = f"from-temporal-cli-{uuid.uuid4().hex[:6]}"
    subprocess.run([str(stack.home / "bin" / "temporal"), "workflow", "start",  # the stack's own Temporal CLI
                    "--address", f"127.0.0.1:{stack.ports['grpc']}", "--type", "ExecuteAgent", "--task-queue", queue,
                    "--workflow-id", other, "--input", json.dumps({"prompt": "[fake:delay=0] hello"})],
                   check=True, capture_output=True, timeout=60)
    stack.wait_for(lambda: next(r for r in json.loads(stack.run("runs", "--json").stdout)
                                if r["workflow_id"] == other)["state"] == "completed", timeout=60, what="the CLI's run")
    runs = {r["workflow_id"]: r for r in json.loads(stack.run("runs", "--json", check=True).stdout)}
    mine = runs[answered["workflow_id"]]
    assert (mine["state"], mine["total_tokens"], mine["model_calls"]) == ("completed", 30, 2)
    assert mine["prompt"].startswith("[fake:delay=0] listed")
    assert (runs[other]["state"], runs[other]["total_tokens"], runs[other]["prompt"]) == ("completed", 15, None)
    table = stack.run("runs", check=True).stdout
    assert answered["workflow_id"] in table and other in table


def _approval_run(stack: Stack, marker: str, *flags: str) -> tuple[LiveRun, str]:
    run = LiveRun(stack, "run", "--approve", "write_file", *flags, _prompt(marker, 1, delay=0), stdin=subprocess.DEVNULL)
    run.wait_for_line(run.err, "waiting for approval of write_file")
    workflow_id = next(line.split()[2] for line in run.lines(run.err) if line.startswith("started execution"))
    return run, workflow_id


def test_approval_granted_from_another_terminal(stack: Stack, fake_llm: str) -> None:
    stack.start()
    marker = f"grant-{uuid.uuid4().hex[:8]}"
    run, workflow_id = _approval_run(stack, marker)
    assert len(_requests(fake_llm, marker)) == 1
    approved = stack.run("approve", workflow_id, check=True)
    assert f"approved write_file(file_path=/{marker}-1.txt" in approved.stdout
    assert run.finish() == 0
    assert (stack.home / "data" / "workspaces" / f"run-{workflow_id}" / f"{marker}-1.txt").read_text() == "part 1"
    assert "write_file approved" in "\n".join(run.lines(run.err))


def test_denied_tool_never_runs(stack: Stack, fake_llm: str) -> None:
    stack.start()
    marker = f"deny-{uuid.uuid4().hex[:8]}"
    run, workflow_id = _approval_run(stack, marker)
    denied = stack.run("deny", workflow_id, "--reason", "not this file", check=True)
    assert "denied write_file" in denied.stdout
    assert run.finish() == 0
    assert not (stack.home / "data" / "workspaces" / f"run-{workflow_id}").exists()
    assert "The user denied this write_file call: not this file" in json.dumps(_requests(fake_llm, marker)[-1]["body"])
    again = stack.run("approve", workflow_id)
    assert again.returncode != 0 and len(again.stderr.strip().splitlines()) == 1


def test_approval_survives_a_server_restart(stack: Stack, fake_llm: str) -> None:
    stack.start()
    marker = f"restart-{uuid.uuid4().hex[:8]}"
    run, workflow_id = _approval_run(stack, marker)
    run.proc.kill()  # the terminal is gone; the execution waits in Temporal
    run.finish()
    stack.run("server", "restart", *stack.port_flags(), check=True)
    stack.wait_for(lambda: stack.component("agent-runner")["state"] == "ready", what="agent-runner")
    approved = stack.run("approve", workflow_id, check=True)
    assert "approved write_file" in approved.stdout
    attached = stack.run("run", "--attach", workflow_id, check=True)
    assert attached.stdout.strip() == f"fake-llm answer: Updated file /{marker}-1.txt"
    assert len(_requests(fake_llm, marker)) == 2  # the call before the wait was not made again


def test_approval_asked_on_the_terminal(stack: Stack, fake_llm: str) -> None:
    stack.start()
    marker = f"tty-{uuid.uuid4().hex[:8]}"
    leader, follower = os.openpty()
    run = LiveRun(stack, "run", "--approve", "write_file", _prompt(marker, 1, delay=0), stdin=follower)
    os.close(follower)
    os.write(leader, b"y\n")  # typed ahead: the terminal keeps it until the question reads it
    assert run.finish() == 0
    os.close(leader)
    err = "\n".join(run.lines(run.err))
    assert f"allow write_file(file_path=/{marker}-1.txt" in err and "write_file approved" in err
    assert [p.read_text() for p in (stack.home / "data" / "workspaces").glob(f"run-*/{marker}-1.txt")] == ["part 1"]


def test_workspace_is_a_directory_of_the_users(stack: Stack, fake_llm: str, tmp_path) -> None:
    stack.start()
    mine = tmp_path / "project"
    mine.mkdir()
    (mine / "notes.md").write_text("# notes\n")
    outside = tmp_path / "outside.txt"
    prompt = ('[fake:delay=0] tidy up. [fake:tool=write_file {"file_path": "/summary.txt", "content": "two files"}]'
              '[fake:tool=edit_file {"file_path": "/notes.md", "old_string": "# notes", "new_string": "# Notes"}]'
              '[fake:tool=write_file {"file_path": "/../outside.txt", "content": "escaped"}]')
    result = stack.run("run", "--json", "--workspace", str(mine), prompt, check=True)
    answer = json.loads(result.stdout)
    assert [f["path"] for f in answer["files"]] == ["/notes.md", "/summary.txt"]
    assert (mine / "summary.txt").read_text() == "two files"
    assert (mine / "notes.md").read_text() == "# Notes\n"
    assert not outside.exists()
    refused = [c for c in answer["tool_calls"] if c["args"].get("file_path") == "/../outside.txt"]
    assert refused and "outside.txt" not in os.listdir(tmp_path)
    # Nothing was kept in the private workspaces: the files are the user's.
    assert not (stack.home / "data" / "workspaces" / f"run-{answer['workflow_id']}").exists()
    missing = stack.run("run", "--workspace", str(tmp_path / "nope"), "hi")
    assert missing.returncode == 2 and missing.stderr.startswith("stigmer: error: the workspace is not a directory")


def test_ctrl_c_cancels_a_threads_turn_and_the_thread_goes_on(stack: Stack, fake_llm: str) -> None:
    stack.start()
    thread = f"t-{uuid.uuid4().hex[:6]}"
    marker = f"turn-{uuid.uuid4().hex[:8]}"
    run = LiveRun(stack, "run", "--thread", thread, _prompt(marker, 3, delay=3))
    run.wait_for_line(run.err, "model call 1:")
    _wait_for_requests(stack, fake_llm, marker, 2)
    interrupted = time.time()
    run.proc.send_signal(signal.SIGINT)
    assert run.finish(timeout=30) == 130
    assert run.lines(run.err)[-1].startswith("stigmer: error: the turn was cancelled"), run.lines(run.err)
    time.sleep(4)
    assert [r for r in _requests(fake_llm, marker) if r["at"] > interrupted] == []
    after = stack.run("run", "--thread", thread, "[fake:delay=0] and now?", check=True)
    assert after.stdout.strip().startswith("fake-llm answer")
    assert marker not in json.dumps(json.loads(urllib.request.urlopen(f"{fake_llm}/_fake/requests").read())[-1]["body"])
