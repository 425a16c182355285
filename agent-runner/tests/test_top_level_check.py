"""The build-time check that two distributions never ship the same top-level module."""

from __future__ import annotations

import importlib.metadata as metadata
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "packaging"))

import top_level_check  # noqa: E402


def _install(site: Path, name: str, files: list[str]) -> None:
    """A minimal installed distribution: METADATA plus a RECORD listing `files`."""
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in files + [f"{info.name}/METADATA"]))


def _clashes(site: Path) -> dict[str, list[str]]:
    return top_level_check.find_clashes(metadata.distributions(path=[str(site)]))


def test_multipart_and_python_multipart_clash(tmp_path: Path) -> None:
    _install(tmp_path, "multipart", ["multipart.py"])
    _install(tmp_path, "python-multipart", ["multipart/__init__.py", "python_multipart/__init__.py"])
    assert _clashes(tmp_path) == {"multipart": ["multipart", "python-multipart"]}


def test_shared_namespace_packages_do_not_clash(tmp_path: Path) -> None:
    _install(tmp_path, "langgraph", ["langgraph/graph/__init__.py"])
    _install(tmp_path, "langgraph-checkpoint", ["langgraph/checkpoint/__init__.py"])
    assert _clashes(tmp_path) == {}


def test_a_subpackage_added_to_another_package_does_not_clash(tmp_path: Path) -> None:
    _install(tmp_path, "temporalio", ["temporalio/__init__.py", "temporalio/client.py"])
    _install(tmp_path, "temporalio-deepagents", ["temporalio/deepagents/__init__.py"])
    assert _clashes(tmp_path) == {}


def test_the_same_file_from_two_distributions_clashes(tmp_path: Path) -> None:
    _install(tmp_path, "a-dist", ["ns/shared/__init__.py"])
    _install(tmp_path, "b-dist", ["ns/shared/__init__.py"])
    assert _clashes(tmp_path) == {"ns": ["a-dist", "b-dist"]}


def test_unresolved_clash_fails_and_a_resolved_one_passes(tmp_path: Path) -> None:
    _install(tmp_path, "one", ["thing.py"])
    _install(tmp_path, "two", ["thing/__init__.py"])
    assert top_level_check.main([str(tmp_path)]) == 1
    assert top_level_check.unresolved({"multipart": ["multipart", "python-multipart"]}) == {}


def test_the_build_environment_has_no_unresolved_clash() -> None:
    assert top_level_check.main() == 0
