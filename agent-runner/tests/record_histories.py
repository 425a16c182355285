"""Records a release's replay corpus: every scenario of support/corpus.py run by the FROZEN
executable, as a stack runs it (a version of the Worker Deployment `stigmer`, made current),
against a Temporal dev server and the fake-LLM stand-in; written to histories/<version>/.

  make -C agent-runner record-histories VERSION=1.2.3 [OVERWRITE=1]

The executable (dist/agent-runner, or --binary, e.g. a published release's) must be stamped
with that version (the make target builds it so). An existing
folder is a release's contract with the executions it started: it is replaced only with
--overwrite. The new folder is replayed by the same executable before it is kept.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from temporalio.client import Client

from agent_runner.plugin import build_plugin
from fake_llm import FakeLlmServer
from support.corpus import SCENARIOS, Recording, fit_to_commit, machine_paths_in
from support.deployment import set_current_version
from support.runner_process import AGENT_RUNNER_DIR, FROZEN_BINARY, RunnerProcess, runner_env
from support.temporal_dev import TemporalDevServer, find_temporal_cli

CORPUS = AGENT_RUNNER_DIR / "histories"
DEPLOYMENT = "stigmer"  # the stack's default ([temporal] deployment)
QUEUE = "agent_execution_runner"  # the stack's default task queue


class RecordingError(Exception):
    pass


def _stamped_version(binary: Path) -> str:
    done = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RecordingError(f"{binary} --version failed: {done.stderr.strip()[:200]}")
    return done.stdout.strip()


async def _record(binary: Path, version: str, temporal: TemporalDevServer, folder: Path, out: Path) -> list[Path]:
    written: list[Path] = []
    with FakeLlmServer(api_key="corpus-key") as fake_llm:
        env = runner_env(
            TEMPORAL_SERVICE_ADDRESS=temporal.address,
            TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE=QUEUE,
            TEMPORAL_DEPLOYMENT_NAME=DEPLOYMENT,
            TEMPORAL_WORKER_BUILD_ID=version,
            STIGMER_LLM_PROVIDER="anthropic",
            STIGMER_LLM_BASE_URL=fake_llm.url,
            STIGMER_LLM_API_KEY=fake_llm.api_key,
            STIGMER_WORKSPACE_ROOT=str(folder / "home"),
            STIGMER_LOG_FORMAT="json",
        )
        runner = RunnerProcess([str(binary)], env)
        try:
            runner.wait_ready()
            await asyncio.to_thread(set_current_version, temporal, DEPLOYMENT, version)
            client = await Client.connect(temporal.address, plugins=[build_plugin()])
            run = Recording(client, QUEUE, folder, "corpus-")
            for name, scenario in SCENARIOS.items():
                text = fit_to_commit(await scenario(run), folder)
                leaks = machine_paths_in(text, [str(folder), str(AGENT_RUNNER_DIR.parent), str(Path.home())])
                if leaks:
                    raise RecordingError(f"{name}: the history still names a path of this machine ({leaks[0]})")
                (out / f"{name}.json").write_text(text, encoding="utf-8")
                written.append(out / f"{name}.json")
                print(f"recorded {version}/{name}.json", flush=True)
        finally:
            runner.stop()
    return written


def _replay(binary: Path, files: list[Path]) -> None:
    done = subprocess.run([str(binary), "replay", *map(str, files)], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RecordingError(f"the new histories do not replay: {done.stderr.strip()}")


def record(binary: Path, version: str, overwrite: bool) -> Path:
    target = CORPUS / version
    if target.exists() and not overwrite:
        raise RecordingError(f"{target.relative_to(AGENT_RUNNER_DIR)} exists: a release's corpus is kept as recorded (OVERWRITE=1 replaces it)")
    stamped = _stamped_version(binary)
    if stamped != version:
        raise RecordingError(f"{binary.name} is version {stamped}, not {version}: make -C agent-runner build-binary VERSION={version}")
    cli = find_temporal_cli()
    if cli is None:
        raise RecordingError("the Temporal CLI is missing: run `bash scripts/setup.sh`")
    with tempfile.TemporaryDirectory(prefix="stigmer-corpus-") as scratch:
        folder = Path(scratch)
        out = folder / "out"
        out.mkdir()
        temporal = TemporalDevServer(cli).start()
        try:
            files = asyncio.run(_record(binary, version, temporal, folder, out))
        finally:
            temporal.stop()
        _replay(binary, files)
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(out, target)
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Records a release's replay corpus with the frozen executable.")
    parser.add_argument("--version", required=True, help="the release version the executable is stamped with")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing corpus of that version")
    parser.add_argument("--binary", type=Path, default=FROZEN_BINARY, help="the frozen executable (default dist/agent-runner)")
    args = parser.parse_args(argv)
    try:
        target = record(args.binary.resolve(), args.version, args.overwrite)
    except RecordingError as error:
        print(f"record-histories: {error}", file=sys.stderr)
        return 1
    print(f"record-histories: {len(list(target.glob('*.json')))} histories in {target.relative_to(AGENT_RUNNER_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
