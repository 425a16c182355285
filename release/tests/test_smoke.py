"""release/smoke-test.sh, the workflow's pre-publication check, on the local linux-amd64 artifacts:
versions, then the agent-runner polling its task queue on a real Temporal dev server."""
from __future__ import annotations

from pathlib import Path

from conftest import PLATFORM, RELEASE, VERSION, run


def test_smoke_test_passes_on_the_local_artifacts(tree: Path) -> None:
    out = run(["bash", str(RELEASE / "smoke-test.sh"), VERSION, str(tree / VERSION / PLATFORM)], timeout=240)
    assert out.returncode == 0, out.stderr
    assert "polls task queue agent_execution_runner" in out.stderr


def test_smoke_test_catches_a_wrong_version(tree: Path) -> None:
    out = run(["bash", str(RELEASE / "smoke-test.sh"), "9.9.9", str(tree / VERSION / PLATFORM)], timeout=60)
    assert out.returncode != 0 and "expected it to contain 9.9.9" in out.stderr
