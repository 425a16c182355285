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


# Steps that put release files where users get them, and (PUBLISHES) anything else made public.
PUBLISHES_FILES = re.compile(r"release/upload\.sh|\bgh release\b")
PUBLISHES = re.compile(PUBLISHES_FILES.pattern + r"|\bgit (-C \S+ )?push\b")
ATTEST = "actions/attest-build-provenance"


def triggers(data: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True.
    on = data.get("on", data.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {name: None for name in on}
    return dict(on or {})


def publishing_steps(job: dict[str, Any], pattern: re.Pattern[str] = PUBLISHES) -> list[int]:
    return [i for i, step in enumerate(job.get("steps", [])) if pattern.search(str(step.get("run", "")))]


def unattested_publishing(text: str) -> list[str]:
    """A job that publishes attests build provenance (actions/attest-build-provenance) before its
    first publishing step, for every file `gh release` uploads, with the permissions that needs."""
    bad = []
    for name, job in load(text)["jobs"].items():
        steps = job.get("steps", [])
        published = publishing_steps(job, PUBLISHES_FILES)
        if not published:
            continue
        attest = [i for i, step in enumerate(steps) if str(step.get("uses", "")).startswith(ATTEST + "@")]
        if not attest or attest[0] > published[0]:
            bad.append(f"job {name}: no {ATTEST} step before its first publishing step")
            continue
        subjects = str(steps[attest[0]].get("with", {}).get("subject-path", "")).split()
        for i in published:
            for line in str(steps[i].get("run", "")).splitlines():
                if re.search(r"\bgh release (create|upload)\b", line):
                    for glob in re.findall(r"(?<![\w$\"'])([\w./-]+/\*)", line):
                        if glob not in subjects:
                            bad.append(f"job {name}: gh release publishes {glob}, not attested")
        permissions = job.get("permissions") or {}
        for scope in ("id-token", "attestations"):
            if permissions.get(scope) != "write":
                bad.append(f"job {name}: attesting needs permissions {scope}: write")
    return bad


def publishing_outside_tags(text: str) -> list[str]:
    """With triggers other than a tag push (dry runs), a job that publishes, or reads the
    `release` environment's secrets, runs only when the version job says publish, which only a
    pushed v* tag does."""
    data = load(text)
    on = triggers(data)
    if set(on) <= {"push"} and all(not (spec or {}).get("branches") for spec in on.values()):
        return []
    bad: list[str] = []
    jobs = data["jobs"]
    if not any(publishing_steps(job) for job in jobs.values()):
        return bad
    publish_expr = str((jobs.get("version") or {}).get("outputs", {}).get("publish", ""))
    step_ids = re.findall(r"steps\.(\w+)\.outputs\.publish", publish_expr)
    computed = " ".join(str(s.get("env", "")) + str(s.get("run", "")) for s in (jobs.get("version") or {}).get("steps", [])
                        if s.get("id") in step_ids)
    if not ("github.event_name == 'push'" in computed and "startsWith(github.ref, 'refs/tags/v')" in computed):
        bad.append("job version: output publish is not computed from a pushed v* tag")
    for name, job in jobs.items():
        if publishing_steps(job) or job.get("environment"):
            if "needs.version.outputs.publish == 'true'" not in str(job.get("if", "")):
                bad.append(f"job {name} publishes without if: needs.version.outputs.publish == 'true'")
    return bad


# Publishing, or writing what only a published release has (the channel, the stamped installer).
DRY_RUN_SKIPS = {"upload.sh", "publish-channel.sh", "stamp-installer.sh"}


def dry_run_without_builds(text: str) -> list[str]:
    """A workflow that publishes can be run without publishing (workflow_dispatch, and pull
    requests touching release/ or the workflow), and then its build and check jobs all run."""
    data = load(text)
    jobs = data["jobs"]
    if not any(publishing_steps(job) for job in jobs.values()):
        return []
    on = triggers(data)
    bad = []
    if "workflow_dispatch" not in on:
        bad.append("no workflow_dispatch dry run")
    paths = ((on.get("pull_request") or {}) if "pull_request" in on else {}).get("paths", [])
    if not ({"release/**"} <= set(paths) and any(p.startswith(".github/workflows/") for p in paths)):
        bad.append("no pull_request dry run for changes under release/ and the workflow")
    gated = {name for name, job in jobs.items() if "publish == 'true'" in str(job.get("if", ""))}
    for name, job in jobs.items():
        if not publishing_steps(job) and not job.get("environment") and name in gated:
            bad.append(f"job {name} does not publish but is skipped in a dry run")
    # What the publishing jobs build before they publish (tree, SBOM, manifest, assets, formula)
    # is built in a dry run too; only the steps that publish or need the release key are left out.
    scripts = lambda names: {s for n in names for s in re.findall(r"release/([\w.-]+\.(?:sh|py))", str(jobs[n]))}
    left_out = scripts(gated) - scripts(set(jobs) - gated) - DRY_RUN_SKIPS
    if left_out:
        bad.append(f"the dry run never runs {sorted(left_out)}")
    return bad


def tap_without_brew_test(text: str) -> list[str]:
    """The job pushing to the Homebrew tap needs a macOS job that ran `brew install` and
    `brew test` of the formula."""
    jobs = load(text)["jobs"]
    bad = []
    for name, job in jobs.items():
        if not any("Formula/" in str(s.get("run", "")) and re.search(r"\bgit (-C \S+ )?push\b", str(s.get("run", "")))
                   for s in job.get("steps", [])):
            continue
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        checked = [n for n in needs if "macos" in str(jobs.get(n, {}).get("runs-on", ""))
                   and all(re.search(rf"\bbrew {verb}\b", " ".join(strings(jobs[n].get("steps", []))))
                           for verb in ("install", "test"))]
        if not checked:
            bad.append(f"job {name} updates the tap without a macOS brew install + brew test job in needs")
    return bad


RULES = [unpinned_actions, secrets_without_environment, retired_runners, retiring_without_date,
         unchecked_env_writes, installer_for_prereleases, unattested_publishing, publishing_outside_tags,
         dry_run_without_builds, tap_without_brew_test]


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


PUBLISHING = """
on:
  push:
    tags: ["v*"]
  workflow_dispatch:
jobs:
  version:
    runs-on: ubuntu-24.04
    outputs:
      publish: ${{ steps.p.outputs.publish }}
    steps:
      - id: p
        env:
          PUBLISH: ${{ github.event_name == 'push' }}
        run: echo "publish=$PUBLISH" >> "$GITHUB_OUTPUT"
  build:
    needs: version
    if: needs.version.outputs.publish == 'true'
    runs-on: ubuntu-24.04
    steps:
      - run: make
  publish:
    needs: version
    runs-on: ubuntu-24.04
    environment: release
    permissions:
      contents: write
      id-token: write
    steps:
      - run: bash release/upload.sh "$VERSION"
      - uses: actions/attest-build-provenance@0123456789abcdef0123456789abcdef01234567 # v4.1.0
        with:
          subject-path: out/other/*
      - run: gh release create "$TAG" out/github/*
  check:
    runs-on: ubuntu-24.04
    steps:
      - run: brew install ./stigmer.rb && brew test stigmer
  tap:
    needs: [version, check]
    if: needs.version.outputs.publish == 'true'
    runs-on: ubuntu-24.04
    environment: release
    steps:
      - run: cp f.rb tap/Formula/stigmer.rb && git -C tap push
"""


def test_publishing_rules_catch_their_defects() -> None:
    assert unattested_publishing(PUBLISHING) == [
        "job publish: no actions/attest-build-provenance step before its first publishing step"]
    attested_late = PUBLISHING.replace('      - run: bash release/upload.sh "$VERSION"\n', "")
    assert unattested_publishing(attested_late)[:2] == [
        "job publish: gh release publishes out/github/*, not attested",
        "job publish: attesting needs permissions attestations: write"]
    assert publishing_outside_tags(PUBLISHING) == [
        "job version: output publish is not computed from a pushed v* tag",
        "job publish publishes without if: needs.version.outputs.publish == 'true'"]
    assert dry_run_without_builds(PUBLISHING) == [
        "no pull_request dry run for changes under release/ and the workflow",
        "job build does not publish but is skipped in a dry run"]
    # finalize.sh in a tag-only job (tap), and in no other job
    assembles = PUBLISHING.replace('      - run: cp f.rb',
                                   '      - run: bash release/finalize.sh t v\n      - run: cp f.rb')
    assert dry_run_without_builds(assembles)[-1] == "the dry run never runs ['finalize.sh']"
    assert tap_without_brew_test(PUBLISHING) == [
        "job tap updates the tap without a macOS brew install + brew test job in needs"]
    assert tap_without_brew_test(PUBLISHING.replace("    runs-on: ubuntu-24.04\n    steps:\n      - run: brew",
                                                    "    runs-on: macos-15\n    steps:\n      - run: brew")) == []


def test_a_tag_only_workflow_needs_no_publish_guard() -> None:
    tag_only = PUBLISHING.replace("  workflow_dispatch:\n", "")
    assert publishing_outside_tags(tag_only) == []
