"""The Homebrew formula rendered from the release: syntax, per-platform URL and sha256, and its
`install` + `test do` blocks run (through formula_harness.rb, a stand-in for Homebrew's DSL)
against the real CLI archive."""
from __future__ import annotations

import hashlib
import json
import sys
import tarfile
from pathlib import Path

import pytest
from conftest import PLATFORM, RELEASE, VERSION, run

sys.path.insert(0, str(RELEASE))
from stigrel.formula import FORMULA_PLATFORMS, FormulaError, render  # noqa: E402

HARNESS = Path(__file__).with_name("formula_harness.rb")
TEMPLATE = (RELEASE / "homebrew" / "stigmer.rb.tmpl").read_text()
BASE = "http://releases.example.test"


def evaluate(formula: Path, os_: str, arch: str, *extra: str) -> dict:
    out = run(["ruby", str(HARNESS), str(formula), os_, arch, *extra])
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture
def rendered(tree: Path, tmp_path: Path) -> Path:
    out = tmp_path / "stigmer.rb"
    res = run([sys.executable, str(RELEASE / "render-formula.py"), "--tree", str(tree), "--version", VERSION,
               "--base-url", BASE, "--out", str(out)])
    assert res.returncode == 0, res.stderr
    return out


def test_rendered_formula_is_valid_ruby(rendered: Path) -> None:
    out = run(["ruby", "-c", str(rendered)])
    assert out.returncode == 0 and "Syntax OK" in out.stdout


def test_linux_amd64_points_at_the_real_archive(tree: Path, rendered: Path) -> None:
    got = evaluate(rendered, "linux", "amd64")
    archive = tree / VERSION / PLATFORM / "stigmer.tar.gz"
    assert got["url"] == f"{BASE}/{VERSION}/{PLATFORM}/stigmer.tar.gz"
    assert got["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert got["version"] == VERSION


def test_install_and_test_blocks_run_the_real_cli(tree: Path, rendered: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "unpacked"
    with tarfile.open(tree / VERSION / PLATFORM / "stigmer.tar.gz") as tar:
        tar.extractall(unpacked, filter="data")
    got = evaluate(rendered, "linux", "amd64", str(unpacked), str(tmp_path / "prefix"))
    assert got["tested"] is True
    assert (tmp_path / "prefix" / "bin" / "stigmer").is_file()


def test_platforms_absent_from_the_release_are_left_out(rendered: Path) -> None:
    assert evaluate(rendered, "darwin", "arm64")["url"] is None
    assert evaluate(rendered, "linux", "arm64")["url"] is None


def test_each_platform_gets_its_own_checksum(tmp_path: Path) -> None:
    sums = {p: hashlib.sha256(p.encode()).hexdigest() for p in FORMULA_PLATFORMS}
    formula = tmp_path / "stigmer.rb"
    formula.write_text(render(TEMPLATE, "1.2.3", BASE, sums, require_all=True))
    for platform in FORMULA_PLATFORMS:
        os_, arch = platform.split("-")
        got = evaluate(formula, os_, arch)
        assert got["url"] == f"{BASE}/1.2.3/{platform}/stigmer.tar.gz"
        assert got["sha256"] == sums[platform]
    # The CLI carries its libraries (release/check-portable.sh): the formula needs no others.
    for os_, arch in (("darwin", "arm64"), ("darwin", "amd64"), ("linux", "amd64")):
        assert evaluate(formula, os_, arch)["depends_on"] == []


def test_release_workflow_rendering_requires_every_platform() -> None:
    with pytest.raises(FormulaError, match="darwin-arm64"):
        render(TEMPLATE, "1.2.3", BASE, {"linux-amd64": "0" * 64}, require_all=True)
