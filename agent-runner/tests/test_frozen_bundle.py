"""What the frozen executable carries, checked where no Python can be found."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from support import no_python
from support.launch import command_for
from support.runner_process import AGENT_RUNNER_DIR, runner_env

pytestmark = pytest.mark.frozen


@pytest.fixture(autouse=True)
def _binary(frozen_binary: Path) -> None:
    if not no_python.available():
        pytest.fail("the frozen tests need root and unshare(1) to hide Python")


def _selfcheck() -> dict[str, object]:
    completed = subprocess.run(command_for("frozen") + ["selfcheck"], env=runner_env(), capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert no_python.MARKER in completed.stderr  # it ran with Python hidden
    return dict(json.loads(completed.stdout))


def test_bundle_carries_certificates_and_metadata() -> None:
    report = _selfcheck()
    assert report["frozen"] is True
    assert "_MEI" in str(report["ca_file"])  # certifi's bundle, extracted from the executable
    assert int(str(report["ca_certificates"])) > 100
    distributions = report["distributions"]
    assert isinstance(distributions, dict)
    missing = [name for name, version in distributions.items() if not version]
    assert missing == []


def test_version_is_the_one_stamped_at_build_time() -> None:
    # The Makefile writes the VERSION it stamped beside the executable.
    stamped = (AGENT_RUNNER_DIR / "dist" / "agent-runner.version").read_text().strip()
    completed = subprocess.run(command_for("frozen") + ["--version"], env=runner_env(), capture_output=True, text=True, timeout=60)
    assert completed.stdout.strip() == stamped
    assert re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.+-]*", stamped)


def test_size_is_under_the_limit(frozen_binary: Path) -> None:
    assert frozen_binary.stat().st_size < 100 * 1024 * 1024


def test_stamping_another_version_rebuilds_nothing() -> None:
    """The version is a file beside the executables: the bundles stay as built (make -q: up to date)."""
    dist = AGENT_RUNNER_DIR / "dist"
    before = (dist / "agent-runner.version").read_text().strip()
    targets = ["dist/agent-runner", "dist/agent-runner-folder/agent-runner"]
    built = [(AGENT_RUNNER_DIR / target).stat().st_mtime_ns for target in targets]
    make = ["make", "--no-print-directory", "-C", str(AGENT_RUNNER_DIR)]
    assert subprocess.run(make + ["-q", *targets], capture_output=True).returncode == 0, "the bundles are out of date"
    try:
        stamped = subprocess.run(make + ["build-binary", "VERSION=9.8.7-stamp"], capture_output=True, text=True, timeout=60)
        assert stamped.returncode == 0, stamped.stderr
        assert "PyInstaller" not in stamped.stdout + stamped.stderr
        assert [(AGENT_RUNNER_DIR / target).stat().st_mtime_ns for target in targets] == built
        for folder in (dist, dist / "agent-runner-folder"):
            assert (folder / "agent-runner.version").read_text().strip() == "9.8.7-stamp"
        completed = subprocess.run(command_for("frozen") + ["--version"], env=runner_env(), capture_output=True, text=True, timeout=60)
        assert completed.stdout.strip() == "9.8.7-stamp"
    finally:
        subprocess.run(make + ["build-binary", f"VERSION={before}"], capture_output=True, timeout=60)
