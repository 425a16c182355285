"""The progress bar appears on a terminal only, and never with --quiet."""
import shutil
import subprocess

import pytest

from release_tree import write_release

VERSION = "1.0.0"


def run_on_terminal(stigmer, *args):
    """Runs stigmer under `script`, which gives it a pseudo-terminal; returns what it printed."""
    command = " ".join(f"'{part}'" for part in stigmer.command(*args))
    result = subprocess.run(["script", "-qec", command, "/dev/null"], env=stigmer.env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux script")
def test_progress_bar_on_terminal(server, stigmer):
    write_release(server.root, VERSION)
    output = run_on_terminal(stigmer, "server", "install", "--version", VERSION)
    assert "agent-runner 1.0.0 [####################]" in output
    assert "/s  done" in output


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux script")
def test_quiet_hides_progress_on_terminal(server, stigmer):
    write_release(server.root, VERSION)
    output = run_on_terminal(stigmer, "--quiet", "server", "install", "--version", VERSION)
    assert "[#" not in output and "downloading" not in output
    assert "installed release 1.0.0" in output


def test_no_progress_when_stderr_is_not_a_terminal(server, stigmer):
    write_release(server.root, VERSION)
    result = stigmer.run("server", "install", "--version", VERSION)
    assert result.returncode == 0
    assert "\r" not in result.stderr and "[#" not in result.stderr
    assert "downloading agent-runner" in result.stderr
