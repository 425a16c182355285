"""What the daemon and the processes it starts inherit: stdin, stdout and stderr, nothing more."""
from __future__ import annotations

import os
import select
import subprocess
from pathlib import Path

from conftest import Stack


def descriptors(pid: int) -> dict[int, str]:
    """What each descriptor of `pid` above stderr refers to: "pipe:[…]", "socket:[…]", a path."""
    found = {}
    for entry in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found[int(entry.name)] = os.readlink(entry)
        except OSError:  # closed meanwhile
            continue
    return {fd: target for fd, target in found.items() if fd > 2}


def test_the_stack_holds_nothing_it_did_not_open(stack: Stack) -> None:
    # `server start` holds an inheritable pipe, as a shell or a CI runner may hand it one.
    read_end, write_end = os.pipe()
    starter_pipe = os.readlink(f"/proc/self/fd/{write_end}")
    try:
        started = subprocess.run(stack.command("server", "start", *stack.port_flags()), env=stack.env,
                                 capture_output=True, text=True, timeout=300, pass_fds=(write_end,))
    finally:
        os.close(write_end)
    try:
        assert started.returncode == 0, started.stderr
        # Nothing left holds the write end: the pipe is at end-of-file, not waiting for a writer.
        assert select.select([read_end], [], [], 0)[0] == [read_end]
        assert os.read(read_end, 1) == b""
    finally:
        os.close(read_end)

    processes = stack.processes()
    daemon = [pid for pid, command in processes if " daemon " in command]
    assert len(daemon) == 1, processes
    held = descriptors(daemon[0])
    assert starter_pipe not in held.values()
    assert "/dev/null" not in held.values(), held
    # Pipes and sockets are shared only when inherited: a component's own have inodes of their
    # own. The daemon's control socket, its children's output pipes and whatever libcurl holds
    # stay with the daemon.
    shared = {target for target in held.values() if target.startswith(("pipe:", "socket:"))}
    components = [(pid, command) for pid, command in processes if pid != daemon[0]]
    assert {command.split()[0].rsplit("/", 1)[-1] for _, command in components} >= {"temporal", "agent-runner"}
    for pid, command in components:
        inherited = {fd: target for fd, target in descriptors(pid).items()
                     if target in shared or target == starter_pipe}
        assert inherited == {}, f"{command} holds the daemon's {inherited}"


def test_the_run_directory_is_its_owners_and_stderr_is_the_daemon_log(stack: Stack) -> None:
    stack.start()
    run = stack.home / "run"
    assert run.stat().st_mode & 0o777 == 0o700
    assert (run / "stigmer.sock").stat().st_mode & 0o777 == 0o600
    daemon = [pid for pid, command in stack.processes() if " daemon " in command]
    assert len(daemon) == 1
    # What the daemon (or a library in it) prints to stderr lands in the log it rotates.
    assert os.readlink(f"/proc/{daemon[0]}/fd/2") == str((stack.home / "logs" / "daemon.log").resolve())
