"""`stigmer run --workspace DIR`: the agent works in a directory of the user's, each file step an
activity on the worker; paths outside it are refused. In a worker inside the test process (and
once through the frozen executable) against a real Temporal dev server; the LLM is the fake-LLM
stand-in."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from agent_runner.contracts import CONFIGURATION_ERROR, STEPS_QUERY, AgentExecutionInput, FileRecord, StepsQuery, StepsView
from fake_llm import ANSWER_PREFIX, FakeLlmServer
from support.in_process import execute, failure_of, fake_llm_env, running_worker, thread_turn
from support.launch import start_runner
from support.temporal_dev import TemporalDevServer
from support.workflows import activity_steps
from support.workflows import execute as execute_from_outside

pytestmark = pytest.mark.temporal

T = TypeVar("T")


def _tool(name: str, **args: Any) -> str:
    return f"[fake:tool={name} {json.dumps(args)}]"


def _with_worker(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, root: Path, body: Callable[[Client], Awaitable[T]]) -> T:
    async def run() -> T:
        async with running_worker(temporal, task_queue, fake_llm_env(fake_llm, root)) as client:
            return await body(client)

    return asyncio.run(run())


def _dirs(tmp_path: Path) -> tuple[Path, Path]:
    """The worker's own workspace root, and the user's directory."""
    root, user = tmp_path / "root", tmp_path / "user"
    user.mkdir()
    return root, user


def _tool_results(fake_llm: FakeLlmServer) -> list[str]:
    """Every tool result the model was sent (Anthropic format), in the last request."""
    results = []
    for message in fake_llm.requests[-1]["body"]["messages"]:
        for block in message["content"] if isinstance(message["content"], list) else []:
            if block.get("type") == "tool_result":
                content = block["content"]
                results.append(content if isinstance(content, str) else " ".join(c.get("text", "") for c in content))
    return results


def test_files_land_in_the_directory_and_the_result_lists_them(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    root, user = _dirs(tmp_path)
    prompt = "Write two. " + _tool("write_file", file_path="/notes/a.txt", content="alpha") + _tool("write_file", file_path="/b.txt", content="bé")
    request = AgentExecutionInput(prompt=prompt, workspace=str(user))
    result, history = _with_worker(temporal, fake_llm, task_queue, root, lambda c: execute(c, task_queue, request))
    assert (user / "notes" / "a.txt").read_text() == "alpha"
    assert (user / "b.txt").read_text() == "bé"
    assert result.files == [FileRecord("/b.txt", 3), FileRecord("/notes/a.txt", 5)]
    # Each file step an activity; nothing saved under the worker's own root.
    steps = [name for name, _ in activity_steps(history)]
    assert steps[0] == "CheckWorkspace" and steps.count("deepagents.backend_op") == 2
    assert "SaveFiles" not in steps and steps[-1] == "ListWorkspaceFiles"
    assert not root.exists() or not any(root.iterdir())
    # No shell in the user's directory: the model is never offered `execute`.
    tools = {tool["name"] for tool in fake_llm.requests[0]["body"]["tools"]}
    assert {"ls", "read_file", "write_file", "edit_file"} <= tools and "execute" not in tools


def test_an_edit_of_a_user_file_works_and_is_listed(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    root, user = _dirs(tmp_path)
    (user / "README.md").write_text("hello world\n")
    (user / "other.txt").write_text("untouched")
    prompt = "Fix it. " + _tool("edit_file", file_path="/README.md", old_string="world", new_string="there, reader")
    request = AgentExecutionInput(prompt=prompt, workspace=str(user))
    result, _ = _with_worker(temporal, fake_llm, task_queue, root, lambda c: execute(c, task_queue, request))
    assert (user / "README.md").read_text() == "hello there, reader\n"
    assert result.files == [FileRecord("/README.md", len("hello there, reader\n"))]
    assert (user / "other.txt").read_text() == "untouched"


def test_a_read_of_a_user_file_reaches_the_model(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> None:
    root, user = _dirs(tmp_path)
    (user / "src").mkdir()
    (user / "src" / "data.txt").write_text("the answer is 42\n")
    prompt = "Read it. " + _tool("ls", path="/") + _tool("read_file", file_path="/src/data.txt")
    request = AgentExecutionInput(prompt=prompt, workspace=str(user))
    result, _ = _with_worker(temporal, fake_llm, task_queue, root, lambda c: execute(c, task_queue, request))
    listing, content = _tool_results(fake_llm)
    assert "/src" in listing
    assert "the answer is 42" in content and result.answer.startswith(ANSWER_PREFIX) and "the answer is 42" in result.answer
    assert result.files == []  # read, not written


def test_a_path_outside_the_directory_is_refused(temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path) -> None:
    root, user = _dirs(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("do not read")
    (user / "out").symlink_to(outside)  # a symlink out of the directory
    (user / "secret-link.txt").symlink_to(outside / "secret.txt")
    prompt = "Escape. " + "".join(
        [
            _tool("write_file", file_path="../escape.txt", content="x"),
            _tool("write_file", file_path="/../outside/escape.txt", content="x"),
            _tool("write_file", file_path="/out/escape.txt", content="x"),
            _tool("edit_file", file_path="/out/secret.txt", old_string="do", new_string="did"),
            _tool("read_file", file_path="/secret-link.txt"),
            _tool("ls", path="/out"),
            _tool("write_file", file_path="/inside.txt", content="fine"),
        ]
    )
    request = AgentExecutionInput(prompt=prompt, workspace=str(user))

    async def body(client: Client) -> tuple[Any, StepsView]:
        result, history = await execute(client, task_queue, request)
        handle = client.get_workflow_handle(history.workflow_id)
        return result, await handle.query(STEPS_QUERY, StepsQuery(), result_type=StepsView)

    result, view = _with_worker(temporal, fake_llm, task_queue, root, body)
    refusals = _tool_results(fake_llm)[:6]
    assert all("traversal" in refusal.lower() for refusal in refusals[:2])
    for refusal in refusals[2:]:
        assert "outside the workspace directory" in refusal, refusal
        assert str(outside) not in refusal  # names no host path
    assert "do not read" not in " ".join(refusals)
    # Nothing touched outside; the one path inside was written.
    assert {p.name for p in tmp_path.iterdir()} <= {"outside", "user", "root"}
    assert not root.exists() or not any(root.iterdir())
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"] and (outside / "secret.txt").read_text() == "do not read"
    assert not (tmp_path / "escape.txt").exists()
    assert (user / "inside.txt").read_text() == "fine"
    assert result.files == [FileRecord("/inside.txt", 4)]
    assert [s["tool"] for s in view.steps if s["kind"] == "tool_result"] == ["write_file"] * 3 + ["edit_file", "read_file", "ls", "write_file"]


@pytest.mark.parametrize("make", ["missing", "file", "relative"])
def test_a_workspace_that_is_not_a_directory_fails_in_one_line(
    make: str, temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    workspace = {"missing": str(tmp_path / "nope"), "file": str(tmp_path / "file.txt"), "relative": "some/dir"}[make]
    (tmp_path / "file.txt").write_text("a file")
    request = AgentExecutionInput(prompt="Hi " + _tool("write_file", file_path="/a.txt", content="x"), workspace=workspace)
    cause, history = _with_worker(temporal, fake_llm, task_queue, root, lambda c: failure_of(c, task_queue, request))
    assert isinstance(cause, ApplicationError) and cause.type == CONFIGURATION_ERROR
    assert "\n" not in cause.message and "Traceback" not in cause.message
    expected = f"the workspace {workspace} is not an absolute path" if make == "relative" else f"the workspace {workspace} is not a directory on the worker"
    assert cause.message.startswith(expected), cause.message
    assert fake_llm.requests == []  # no model call
    assert activity_steps(history) == [("CheckWorkspace", 1)]  # not retried


def test_a_thread_turn_with_a_workspace_leaves_the_thread_files_alone(
    temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    root, user = _dirs(tmp_path)

    async def body(client: Client) -> list[Any]:
        own = await thread_turn(client, task_queue, "ws-thread", AgentExecutionInput(prompt="Own. " + _tool("write_file", file_path="/t.txt", content="thread")))
        in_dir = await thread_turn(
            client, task_queue, "ws-thread", AgentExecutionInput(prompt="There. " + _tool("write_file", file_path="/w.txt", content="dir"), workspace=str(user))
        )
        back = await thread_turn(client, task_queue, "ws-thread", AgentExecutionInput(prompt="Back. " + _tool("read_file", file_path="/t.txt")))
        return [own, in_dir, back]

    own, in_dir, back = _with_worker(temporal, fake_llm, task_queue, root, body)
    assert [f.path for f in own.files] == ["/t.txt"]
    assert in_dir.files == [FileRecord("/w.txt", 3)] and (user / "w.txt").read_text() == "dir"
    assert not (user / "t.txt").exists()
    assert "thread" in back.answer  # the thread's own file, there again
    assert sorted(f.path for f in back.files) == ["/t.txt"]
    assert not (root / "thread-ws-thread" / "w.txt").exists()


def test_a_runner_process_works_in_the_directory(
    kind: str, temporal: TemporalDevServer, fake_llm: FakeLlmServer, task_queue: str, tmp_path: Path
) -> None:
    """In a separate process, from source and frozen: the named backend factory is registered
    there (not only in the process that built the workflow) and passes the sandbox."""
    root, user = _dirs(tmp_path)
    runner = start_runner(kind, temporal, fake_llm, task_queue, root)
    try:
        runner.wait_ready()
        prompt = "Write. " + _tool("write_file", file_path="/frozen.txt", content="from the executable") + _tool("read_file", file_path="/frozen.txt")
        result, history = execute_from_outside(temporal.address, task_queue, AgentExecutionInput(prompt=prompt, workspace=str(user)))
    finally:
        runner.stop()
    assert (user / "frozen.txt").read_text() == "from the executable"
    assert result.files == [FileRecord("/frozen.txt", len("from the executable"))]
    assert "from the executable" in result.answer
    assert [name for name, _ in activity_steps(history)].count("deepagents.backend_op") == 2
