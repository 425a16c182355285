"""Durable executions through the shipped stack: an agent of five model calls (four tool steps,
then the answer) interrupted at its third call by each fault a user meets. The stand-in LLM
server counts the calls; a finished call must never run again (only the one in flight at a
SIGKILL may), and `stigmer run`, started before the fault, prints the right answer."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
import uuid
from collections import Counter

from conftest import Stack

STEPS = 4
DELAY = 2.5  # seconds the stand-in takes for each model call


def _prompt(marker: str) -> str:
    steps = "".join(f'[fake:tool=write_file {{"file_path": "/step{i}.txt", "content": "{marker} {i}"}}]' for i in range(1, STEPS + 1))
    return f"[fake:delay={DELAY}] {marker}: work in steps. {steps}"


def _calls(fake_llm: str, marker: str) -> list[int]:
    """The step of each model request of this agent: how many tool results its conversation held."""
    requests = json.loads(urllib.request.urlopen(f"{fake_llm}/_fake/requests").read())
    mine = [r for r in requests if marker in json.dumps(r["body"].get("messages", []))]
    return [sum(1 for m in r["body"]["messages"] if m.get("role") == "tool") for r in mine]


def _start_agent(stack: Stack, fake_llm: str) -> tuple[str, subprocess.Popen]:
    marker = f"durable-{uuid.uuid4().hex[:8]}"
    run = stack.spawn("run", _prompt(marker))
    stack.wait_for(lambda: len(_calls(fake_llm, marker)) >= 3, timeout=120, what="the third model call")
    return marker, run


def _finishes(run: subprocess.Popen, marker: str) -> None:
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert out.strip() == f"fake-llm answer: Updated file /step{STEPS}.txt"


def _repeated(fake_llm: str, marker: str) -> dict[int, int]:
    seen = Counter(_calls(fake_llm, marker))
    assert sorted(seen) == list(range(STEPS + 1)), seen
    return {step: n for step, n in seen.items() if n > 1}


def test_sigkill_of_agent_runner_repeats_only_the_call_in_flight(stack: Stack, fake_llm: str) -> None:
    stack.start()
    marker, run = _start_agent(stack, fake_llm)
    os.killpg(stack.component("agent-runner")["pid"], signal.SIGKILL)
    _finishes(run, marker)
    assert _repeated(fake_llm, marker) in ({}, {2: 2})
    assert stack.component("agent-runner")["restarts"] == 1


def test_sigkill_of_the_daemon_then_start_resumes_the_execution(stack: Stack, fake_llm: str) -> None:
    stack.start()
    marker, run = _start_agent(stack, fake_llm)
    os.kill(stack.status()["daemon"]["pid"], signal.SIGKILL)
    stack.wait_for(lambda: [pid for pid, _ in stack.processes() if pid != run.pid] == [], timeout=10, what="the stack's processes to go")
    time.sleep(2)  # `stigmer run` meanwhile waits for Temporal, keeping the execution
    assert run.poll() is None, run.communicate()
    stack.start()
    _finishes(run, marker)
    assert _repeated(fake_llm, marker) in ({}, {2: 2})


def test_server_restart_longer_than_the_grace_repeats_no_call(stack: Stack, fake_llm: str) -> None:
    # The rest of the agent's work (about 7 s) is longer than the grace; each call is shorter.
    stack.home.mkdir(parents=True, exist_ok=True)
    (stack.home / "config.toml").write_text("[agent_runner]\nshutdown_grace_seconds = 4\n")
    stack.start()
    marker, run = _start_agent(stack, fake_llm)
    stack.run("server", "restart", *stack.port_flags(), check=True)
    _finishes(run, marker)
    assert _repeated(fake_llm, marker) == {}


def test_a_thread_keeps_its_conversation_and_files_across_a_server_restart(stack: Stack, fake_llm: str) -> None:
    stack.start()
    thread = f"journey-{uuid.uuid4().hex[:6]}"
    first = stack.run("run", "--thread", thread, 'My name is Ada. [fake:tool=write_file {"file_path": "/name.txt", "content": "Ada"}]', check=True)
    assert first.stdout.strip() == "fake-llm answer: Updated file /name.txt"
    stack.run("server", "restart", *stack.port_flags(), check=True)
    second = json.loads(stack.run("run", "--json", "--thread", thread, f'{thread} who am I? [fake:tool=read_file {{"file_path": "/name.txt"}}]', check=True).stdout)
    assert second["answer"].endswith("Ada") and second["thread_id"] == thread and second["model_calls"] == 2
    assert second["workflow_id"] == f"stigmer-thread-{thread}" and second["turn_id"].startswith("stigmer-turn-")
    requests = json.loads(urllib.request.urlopen(f"{fake_llm}/_fake/requests").read())
    last = json.dumps([r for r in requests if f"{thread} who am I?" in json.dumps(r["body"])][-1]["body"]["messages"])
    assert "My name is Ada." in last  # the first turn's conversation, kept in Temporal across the restart
    assert (stack.home / "data" / "workspaces" / f"thread-{thread}" / "name.txt").read_text() == "Ada"


def test_a_refused_request_and_the_call_limit_are_one_line_each_and_not_retried(stack: Stack, fake_llm: str) -> None:
    stack.start()
    marker = f"refused-{uuid.uuid4().hex[:8]}"
    refused = stack.run("run", f"{marker} [fake:fail=401]")
    assert refused.returncode != 0
    lines = refused.stderr.strip().splitlines()
    assert lines[-1].startswith("stigmer: error: the agent execution failed: openai refused the request (HTTP 401: fake-llm scripted failure 401); check the API key")
    assert "Traceback" not in refused.stderr and "Python" not in refused.stderr
    assert len(_calls(fake_llm, marker)) == 1  # neither the provider SDK nor Temporal tried again

    limited = stack.run("run", "--max-model-calls", "2", _prompt(f"limit-{uuid.uuid4().hex[:8]}").replace(f"[fake:delay={DELAY}] ", ""))
    assert limited.returncode != 0
    assert "the agent made 2 model calls without a final answer, its limit; raise it with 'stigmer run --max-model-calls N'" in limited.stderr.strip().splitlines()[-1]
