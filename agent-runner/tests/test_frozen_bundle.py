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
