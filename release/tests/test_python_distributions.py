"""list-python-distributions.py: the bundle's *.dist-info folders, checked against the build
environment's metadata, with each distribution's license."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import RELEASE

sys.path.insert(0, str(RELEASE))
from stigrel.python_distributions import BundleError, license_of, python_distributions  # noqa: E402


def bundle(tmp_path: Path, dists: dict[str, str], folders: tuple[str, ...] = ()) -> Path:
    root = tmp_path / "agent-runner-folder"
    for name, version in dists.items():
        d = root / "_internal" / f"{name.replace('-', '_')}-{version}.dist-info"
        d.mkdir(parents=True)
        (d / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nbody\n")
    for folder in folders:
        (root / "_internal" / folder).mkdir(parents=True)
    return root


def venv(dists: dict[str, tuple[str, dict[str, Any]]], packages: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"python": "3.11.7", "implementation": "CPython", "packages": packages or {},
            "distributions": {name: {"version": v, **fields} for name, (v, fields) in dists.items()}}


def test_lists_every_bundled_distribution_with_its_license_and_the_interpreter(tmp_path: Path) -> None:
    b = bundle(tmp_path, {"pydantic-core": "2.27.2", "certifi": "2024.12.14"}, ("pydantic_core",))
    env = venv({"pydantic_core": ("2.27.2", {"license_expression": "MIT"}),
                "certifi": ("2024.12.14", {"license": "MPL-2.0"}),
                "pytest": ("8.0.0", {"license": "MIT"})}, {"pydantic_core": ["pydantic_core"]})
    got = {c.name: (c.version, c.license, c.license_is_spdx) for c in python_distributions(b, Path("-"), env)}
    assert got == {"pydantic-core": ("2.27.2", "MIT", True), "certifi": ("2024.12.14", "MPL-2.0", False),
                   "Python (CPython)": ("3.11.7", "PSF-2.0", True)}


def test_a_version_other_than_the_build_environments_is_refused(tmp_path: Path) -> None:
    b = bundle(tmp_path, {"certifi": "2024.1.1"})
    with pytest.raises(BundleError, match="bundled 2024.1.1, the build environment has 2024.12.14"):
        python_distributions(b, Path("-"), venv({"certifi": ("2024.12.14", {})}))


def test_a_distribution_the_build_environment_lacks_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="not installed"):
        python_distributions(bundle(tmp_path, {"ghost": "1.0"}), Path("-"), venv({}))


def test_a_bundled_module_whose_metadata_was_left_out_is_listed_from_the_environment(tmp_path: Path) -> None:
    b = bundle(tmp_path, {"certifi": "1"}, ("pygments", "certifi"))
    (b / "_internal" / "typing_extensions.pyc").write_bytes(b"")
    (b / "_internal" / "_cffi_backend.cpython-311-x86_64-linux-gnu.so").write_bytes(b"")
    env = venv({"certifi": ("1", {"license_files": ["/venv/certifi-1.dist-info/LICENSE"]}),
                "Pygments": ("2.21", {"license_expression": "BSD-2-Clause",
                                      "license_files": ["/venv/pygments-2.21.dist-info/licenses/LICENSE"]}),
                "typing_extensions": ("4.12", {}), "cffi": ("2.1", {}), "pytest": ("8", {})},
               {"pygments": ["Pygments"], "certifi": ["certifi"], "typing_extensions": ["typing_extensions"],
                "_cffi_backend": ["cffi"], "pytest": ["pytest"]})
    got = {c.name: (c.version, c.origin) for c in python_distributions(b, Path("-"), env)}
    assert set(got) == {"certifi", "Pygments", "typing_extensions", "cffi", "Python (CPython)"}
    assert got["Pygments"] == ("2.21", "bundle modules ['pygments'] without dist-info, build environment metadata")
    assert got["certifi"][1] == "bundle dist-info and modules"
    # Only a distribution bundled without its dist-info needs its license text in the notices.
    files = {c.name: c.license_file for c in python_distributions(b, Path("-"), env)}
    assert files["Pygments"] == "/venv/pygments-2.21.dist-info/licenses/LICENSE" and files["certifi"] is None


def test_metadata_whose_modules_were_excluded_says_so(tmp_path: Path) -> None:
    b = bundle(tmp_path, {"cryptography": "50.0"})
    got = python_distributions(b, Path("-"), venv({"cryptography": ("50.0", {})}, {"cryptography": ["cryptography"]}))
    assert got[0].origin == "bundle dist-info only (its modules are excluded from the bundle)"


def test_the_real_interpreter_is_read(tmp_path: Path) -> None:
    """describe_venv runs the given interpreter: here the one running the tests."""
    b = bundle(tmp_path, {"pytest": pytest.__version__})
    got = python_distributions(b, Path(sys.executable))
    assert [c.name for c in got][-1] == "Python (CPython)" and "pytest" in [c.name for c in got]


@pytest.mark.parametrize("info,expected", [
    ({"license_expression": "Apache-2.0 OR MIT", "license": "x"}, ("Apache-2.0 OR MIT", True)),
    ({"license": "BSD"}, ("BSD", False)),
    ({"license": "long text\nof a license", "classifiers": ["License :: OSI Approved :: MIT License"]},
     ("MIT License", False)),
    ({"license": "MIT License\n\nCopyright (c) 2022 Someone\n"}, ("MIT License", False)),
    ({"license": "UNKNOWN"}, (None, False)),
])
def test_license_fields_in_order_of_precision(info: dict[str, Any], expected: tuple[str | None, bool]) -> None:
    assert license_of(info) == expected
