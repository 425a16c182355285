"""release/smoke-test.sh, the workflow's pre-publication check, on the local linux-amd64 artifacts:
versions, then the agent-runner polling its task queue on a real Temporal dev server."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from conftest import PLATFORM, RELEASE, VERSION, run


@pytest.fixture(scope="module")
def local_runner_floor(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The glibc this machine's interpreter, frozen into the local bundle, asks for."""
    folder = tmp_path_factory.mktemp("runner")
    with tarfile.open(tree / VERSION / PLATFORM / "agent-runner.tar.gz") as archive:
        archive.extractall(folder, filter="tar")
    files = [str(p) for p in folder.rglob("*") if p.is_file()]
    out = subprocess.run([sys.executable, str(RELEASE / "binary_floor.py"), "glibc", *files],
                         capture_output=True, text=True, check=True)
    floors = [line.split("\t")[1] for line in out.stdout.splitlines() if not line.endswith("\t-")]
    return max(floors, key=lambda v: tuple(int(p) for p in v.split(".")))


def smoke_env(local_runner_floor: str) -> dict[str, str]:
    # A local bundle is frozen with this machine's interpreter: checked against its own glibc.
    return {**os.environ, "STIGMER_RUNNER_GLIBC_FLOOR": local_runner_floor}


def test_smoke_test_passes_on_the_local_artifacts(tree: Path, local_runner_floor: str) -> None:
    out = run(["bash", str(RELEASE / "smoke-test.sh"), VERSION, str(tree / VERSION / PLATFORM)], timeout=240,
              env=smoke_env(local_runner_floor))
    assert out.returncode == 0, out.stderr
    assert "polls task queue agent_execution_runner" in out.stderr
    assert "agent-runner selfcheck: ok" in out.stderr


def test_smoke_test_runs_the_selfcheck_and_refuses_an_unfrozen_runner(tree: Path, tmp_path: Path,
                                                                      local_runner_floor: str) -> None:
    # An agent-runner that answers --version but reports itself unfrozen (as a Python run would).
    platform_dir = tmp_path / PLATFORM
    shutil.copytree(tree / VERSION / PLATFORM, platform_dir)
    fake = tmp_path / "agent-runner"
    fake.write_text("#!/bin/sh\n"
                    f"[ \"$1\" = --version ] && {{ echo {VERSION}; exit 0; }}\n"
                    f"echo '{{\"version\": \"{VERSION}\", \"frozen\": false, \"distributions\": {{}}}}'\n")
    fake.chmod(0o755)
    (platform_dir / "agent-runner.tar.gz").unlink()
    with tarfile.open(platform_dir / "agent-runner.tar.gz", "w:gz") as archive:
        archive.add(fake, "agent-runner")
    out = run(["bash", str(RELEASE / "smoke-test.sh"), VERSION, str(platform_dir)], timeout=60,
              env=smoke_env(local_runner_floor))
    assert out.returncode != 0
    assert "agent-runner selfcheck: the bundle is not a frozen build" in out.stderr


def test_release_cli_needs_only_the_c_runtime_and_libcurl(tree: Path, tmp_path: Path) -> None:
    with tarfile.open(tree / VERSION / PLATFORM / "stigmer.tar.gz") as archive:
        archive.extract("stigmer", tmp_path, filter="tar")
    out = run(["bash", str(RELEASE / "check-portable.sh"), PLATFORM, str(tmp_path / "stigmer")])
    assert out.returncode == 0, out.stderr
    needed = set(re.search(r"needs (.*) and GLIBC_", out.stderr).group(1).split())
    assert "libcurl.so.4" in needed and not any(name.startswith(("libsodium", "libarchive", "libcrypto",
                                                                  "libstdc++", "libtomlplusplus")) for name in needed)


def test_portability_check_names_a_library_from_the_build_machine() -> None:
    # minisign is a real executable linked against the system's shared libsodium.
    minisign = shutil.which("minisign")
    assert minisign, "minisign is installed by scripts/setup.sh"
    out = run(["bash", str(RELEASE / "check-portable.sh"), PLATFORM, minisign])
    assert out.returncode != 0
    assert "libsodium.so" in out.stderr and "STIGMER_PORTABLE=ON" in out.stderr


def test_smoke_test_catches_a_wrong_version(tree: Path, local_runner_floor: str) -> None:
    out = run(["bash", str(RELEASE / "smoke-test.sh"), "9.9.9", str(tree / VERSION / PLATFORM)], timeout=60,
              env=smoke_env(local_runner_floor))
    assert out.returncode != 0 and "expected it to contain 9.9.9" in out.stderr


def test_smoke_test_holds_the_agent_runner_to_the_release_floor(tree: Path, local_runner_floor: str) -> None:
    # Without the local override the bundle is checked against static-deps.lock's floor, as in
    # the release workflow: this machine's interpreter (newer glibc) is refused there.
    lock_floor = re.search(r"^glibc-floor (\S+)$", (RELEASE / "static-deps.lock").read_text(), re.M).group(1)
    env = {k: v for k, v in os.environ.items() if k != "STIGMER_RUNNER_GLIBC_FLOOR"}
    out = run(["bash", str(RELEASE / "smoke-test.sh"), VERSION, str(tree / VERSION / PLATFORM)], timeout=60, env=env)
    if tuple(map(int, local_runner_floor.split("."))) > tuple(map(int, lock_floor.split("."))):
        assert out.returncode != 0
        assert f"need a glibc above the floor {lock_floor}" in out.stderr and "libpython3" in out.stderr
    else:
        assert out.returncode == 0, out.stderr
