"""The GitHub Actions workflows never run here: their supply-chain and failure-handling rules are
checked by reading the files. Each rule is also run on a small bad example, so it can fail.

STIGMER_TEST_WORKFLOWS=DIR checks the *.yml files of DIR instead of .github/workflows (for example
an older commit's, written out with `git show`)."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO

WORKFLOWS = Path(os.environ.get("STIGMER_TEST_WORKFLOWS", REPO / ".github" / "workflows"))
RETIRED = {"macos-13", "macos-14", "ubuntu-20.04"}
# Still served, with an announced end: each use must say when, so the move is planned.
RETIRING = {"ubuntu-22.04": "April 2027", "ubuntu-22.04-arm": "April 2027"}
PINNED = re.compile(r"^[^#]*\buses:\s*([^@\s]+)@([0-9a-f]{40})\s+#\s*v\S+\s*$")
FEEDS = re.compile(r"\$\{?GITHUB_(ENV|OUTPUT)\b")


def load(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def workflow_files() -> list[Path]:
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))
    assert files, f"no workflow in {WORKFLOWS}"
    return files


def strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in strings(key) + strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    return [node] if isinstance(node, str) else []


def unpinned_actions(text: str) -> list[str]:
    """Every `uses:` of a non-local action names a full commit SHA, with its tag as a comment."""
    bad = []
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"^[^#]*\buses:\s*(\S+)", line)
        if not match or match.group(1).startswith("./"):
            continue
        if not PINNED.match(line):
            bad.append(f"line {number}: {line.strip()}")
    return bad


def secrets_without_environment(text: str) -> list[str]:
    """A job reading an environment's secret must name the environment, or it reads them empty."""
    bad = []
    for name, job in load(text)["jobs"].items():
        used = {s for value in strings(job) for s in re.findall(r"secrets\.(\w+)", value)}
        if used - {"GITHUB_TOKEN"} and "environment" not in job:
            bad.append(f"job {name} reads {sorted(used)} without environment:")
    return bad


def retired_runners(text: str) -> list[str]:
    return sorted({s for s in strings(load(text)) if s in RETIRED})


def retiring_without_date(text: str) -> list[str]:
    used = set(strings(load(text)))
    return sorted(label for label, when in RETIRING.items() if label in used and when not in text)


def default_shell(data: dict[str, Any], job: dict[str, Any]) -> str | None:
    for scope in (job, data):
        shell = (scope.get("defaults") or {}).get("run", {}).get("shell")
        if shell:
            return str(shell)
    return None


def unchecked_env_writes(text: str) -> list[str]:
    """A command whose output goes to $GITHUB_ENV / $GITHUB_OUTPUT must fail its step when it fails:
    `echo "X=$(cmd)"` returns echo's status, and `cmd | tee` tee's unless the shell has pipefail
    (GitHub's bash has it only when `shell: bash` is named)."""
    data = load(text)
    bad = []
    for name, job in data["jobs"].items():
        for step in job.get("steps", []):
            script = step.get("run")
            if not script:
                continue
            shell = step.get("shell") or default_shell(data, job)
            for line in script.splitlines():
                if not FEEDS.search(line):
                    continue
                if "$(" in line or "`" in line:
                    bad.append(f"job {name}: command substitution on the line that writes: {line.strip()}")
                elif "|" in line.replace("||", "") and shell != "bash":
                    bad.append(f"job {name}: a pipeline without pipefail (shell: bash) writes: {line.strip()}")
    return bad


def installer_for_prereleases(text: str) -> list[str]:
    """install.sh goes into the published tree (the bucket root) only for a stable version."""
    bad = []
    for name, job in load(text)["jobs"].items():
        for step in job.get("steps", []):
            guarded = "prerelease == 'false'" in str(step.get("if", ""))
            for line in str(step.get("run", "")).splitlines():
                writes = re.search(r"\binstall\.sh\b", line) and re.search(r"\$\{?TREE\b", line)
                if writes and not guarded and \
                        not re.search(r"PRERELEASE\"?\s*=\s*\"?false", line):
                    bad.append(f"job {name}: {line.strip()}")
    return bad


RULES = [unpinned_actions, secrets_without_environment, retired_runners, retiring_without_date,
         unchecked_env_writes, installer_for_prereleases]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_workflows_follow_the_rule(rule: Any) -> None:
    problems = {path.name: rule(path.read_text()) for path in workflow_files()}
    assert {name: found for name, found in problems.items() if found} == {}


def test_the_release_workflow_is_checked() -> None:
    assert "release.yml" in [path.name for path in workflow_files()]


BAD = """
on: push
jobs:
  a:
    runs-on: macos-14
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@0123456789abcdef0123456789abcdef01234567
      - uses: ./.github/actions/local
      - run: echo "X=$(false)" >> "$GITHUB_ENV"
      - run: python3 version.py | tee -a "$GITHUB_OUTPUT"
      - run: cp release/install.sh "$TREE/install.sh"
        env:
          KEY: ${{ secrets.MINISIGN_SECRET_KEY }}
  b:
    runs-on: ubuntu-22.04
    environment: release
    defaults:
      run:
        shell: bash
    steps:
      - uses: actions/checkout@0123456789abcdef0123456789abcdef01234567 # v9.9.9
      - run: |
          value=$(false)
          echo "X=$value" >> "$GITHUB_ENV"
          python3 version.py | tee -a "$GITHUB_OUTPUT"
          if [ "$PRERELEASE" = false ]; then cp release/install.sh "$TREE/install.sh"; fi
        env:
          TOKEN: ${{ secrets.HOMEBREW_TAP_TOKEN }}
"""


def test_each_rule_catches_its_defect_and_only_it() -> None:
    assert unpinned_actions(BAD) == ["line 7: - uses: actions/checkout@v4",
                                     "line 8: - uses: actions/setup-python@0123456789abcdef0123456789abcdef01234567"]
    assert secrets_without_environment(BAD) == ["job a reads ['MINISIGN_SECRET_KEY'] without environment:"]
    assert retired_runners(BAD) == ["macos-14"]
    assert retiring_without_date(BAD) == ["ubuntu-22.04"]
    assert retiring_without_date(BAD + "# ubuntu-22.04 retires in April 2027\n") == []
    assert [p.split(":")[0] for p in unchecked_env_writes(BAD)] == ["job a", "job a"]
    assert installer_for_prereleases(BAD) == ['job a: cp release/install.sh "$TREE/install.sh"']
