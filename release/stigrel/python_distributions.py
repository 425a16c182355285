"""The Python distributions inside a frozen agent-runner bundle, with version and license.

What is bundled is read from the bundle: the *.dist-info folders PyInstaller copied
(agent-runner.spec copies the metadata of every runtime distribution) and the top-level package
folders it wrote into _internal/. Licenses and the cross-check come from the environment
PyInstaller froze (importlib.metadata of that venv's interpreter): every bundled dist-info must
be a distribution of that venv at the same version, and every bundled package folder must
belong to a distribution whose dist-info was bundled."""
from __future__ import annotations

import json
import re
import subprocess
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

from .components import Component

# Run by the venv's interpreter: its distributions, their license fields and top-level modules.
_DESCRIBE_VENV = """
import importlib.metadata as m, json, platform, sys
dists = {}
for d in m.distributions():
    meta = d.metadata
    dists[meta["Name"]] = {
        "version": d.version,
        "license_expression": meta.get("License-Expression"),
        "license": meta.get("License"),
        "classifiers": [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")],
    }
print(json.dumps({"python": platform.python_version(), "implementation": platform.python_implementation(),
                  "distributions": dists, "packages": m.packages_distributions()}))
"""


class BundleError(ValueError):
    """The bundle and the environment it was frozen from disagree."""


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def describe_venv(python: Path) -> dict[str, Any]:
    out = subprocess.run([str(python), "-c", _DESCRIBE_VENV], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise BundleError(f"{python}: cannot read its distributions: {out.stderr.strip()}")
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def bundled_dist_infos(bundle: Path) -> dict[str, tuple[str, str]]:
    """normalized name -> (name, version), from the bundle's *.dist-info/METADATA."""
    internal = bundle / "_internal"
    if not internal.is_dir():
        raise BundleError(f"{bundle}: no _internal/ folder (not a one-folder bundle)")
    out = {}
    for meta_file in sorted(internal.glob("*.dist-info/METADATA")):
        meta = HeaderParser().parsestr(meta_file.read_text(encoding="utf-8", errors="replace"))
        out[normalize(meta["Name"])] = (meta["Name"], meta["Version"])
    if not out:
        raise BundleError(f"{internal}: no *.dist-info folder (agent-runner.spec copies their metadata)")
    return out


def license_of(info: dict[str, Any]) -> tuple[str | None, bool]:
    """(license, is an SPDX expression): License-Expression, else a one-line License field, else
    the license classifiers; None when the distribution declares none."""
    if info.get("license_expression"):
        return str(info["license_expression"]), True
    text = (info.get("license") or "").strip()
    if text and "\n" not in text and len(text) <= 100 and text.upper() != "UNKNOWN":
        return text, False
    classifiers = [c.split(" :: ")[-1] for c in info.get("classifiers") or []]
    if classifiers:
        return "; ".join(classifiers), False
    return None, False


def python_distributions(bundle: Path, python: Path, venv: dict[str, Any] | None = None) -> list[Component]:
    venv = venv if venv is not None else describe_venv(python)
    installed = {normalize(name): (name, info) for name, info in venv["distributions"].items()}
    bundled = bundled_dist_infos(bundle)
    problems = []
    components = []
    for key, (name, version) in sorted(bundled.items()):
        if key not in installed:
            problems.append(f"{name} {version} is bundled but not installed in the build environment")
            continue
        info = installed[key][1]
        if info["version"] != version:
            problems.append(f"{name}: bundled {version}, the build environment has {info['version']}")
        license_, spdx = license_of(info)
        components.append(Component(name, version, license_, f"pkg:pypi/{key}@{version}",
                                     "bundle dist-info, build environment metadata", spdx))
    # Package folders in _internal/ (extension modules, data) whose distribution sent no metadata.
    for entry in sorted((bundle / "_internal").iterdir()):
        for owner in venv["packages"].get(entry.name, []) if entry.is_dir() else []:
            if normalize(owner) not in bundled:
                problems.append(f"_internal/{entry.name}/ comes from {owner}, whose dist-info is not in the bundle")
    if problems:
        raise BundleError("; ".join(problems))
    python_version = venv["python"]
    components.append(Component(f"Python ({venv['implementation']})", python_version, "PSF-2.0",
                                f"pkg:generic/python@{python_version}", "build environment interpreter"))
    return components
