"""Running the worker: connect, poll the task queue, announce readiness, stop gracefully."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, Optional

from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.worker import Worker, WorkerDeploymentConfig

from agent_runner import logs
from agent_runner.activities import AgentActivities
from agent_runner.config import RunnerSettings, TemporalSettings
from agent_runner.errors import SettingsRefused, StartupError
from agent_runner.plugin import build_plugin
from agent_runner.provider_errors import ProviderErrorsInterceptor
from agent_runner.shutdown import ShutdownSignals
from agent_runner.temporal_client import connect
from agent_runner.thread_workflow import AgentThread, VersionedAgentThread
from agent_runner.version import current_version
from agent_runner.workflow import ExecuteAgent
from agent_runner.workspace import ensure_workspace_root

READY_POLL_SECONDS = 0.02


def deployment_config(temporal: TemporalSettings) -> Optional[WorkerDeploymentConfig]:
    """Worker Versioning when the daemon names a deployment: executions are pinned to the build
    that started them (threads declare auto-upgrade themselves), so a new release's runner can
    start beside the old one while the old one finishes what it began."""
    if temporal.deployment_name is None or temporal.build_id is None:
        return None
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(temporal.deployment_name, temporal.build_id),
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.PINNED,
    )


def build_worker(client: Any, settings: RunnerSettings, activities: AgentActivities) -> Worker:
    """The worker; `client` must carry the plugin built with `activities.chat_model`."""
    temporal = settings.temporal
    limits: dict[str, int] = {}
    if temporal.max_concurrency:
        limits = {
            "max_concurrent_activities": temporal.max_concurrency,
            "max_concurrent_workflow_tasks": temporal.max_concurrency,
        }
    versioning = deployment_config(temporal)
    return Worker(
        client,
        task_queue=temporal.task_queue,
        workflows=[ExecuteAgent, VersionedAgentThread if versioning else AgentThread],
        activities=[activities.resolve_model, activities.save_files, activities.check_workspace, activities.workspace_files],
        interceptors=[ProviderErrorsInterceptor()],
        graceful_shutdown_timeout=timedelta(seconds=settings.shutdown_grace_seconds),
        deployment_config=versioning,
        **limits,  # type: ignore[arg-type]
    )


async def _wait_until_polling(worker: Worker, run: "asyncio.Task[None]", settings: RunnerSettings) -> None:
    """Returns once the worker polls; raises StartupError if it stopped first (e.g. no such namespace)."""
    while not worker.is_running:
        if run.done():
            error = run.exception()
            text = " ".join(str(error).split())[:200] if error else "worker stopped"
            if "namespace" in text.lower() and "not found" in text.lower():
                raise SettingsRefused(
                    f"Temporal namespace {settings.temporal.namespace!r} does not exist",
                    "create it on the cluster or set TEMPORAL_NAMESPACE ([temporal] namespace)",
                )
            raise StartupError(f"the worker could not start polling ({text})", "check the Temporal settings")
        await asyncio.sleep(READY_POLL_SECONDS)


async def _first(stop: ShutdownSignals, awaitable: Any) -> Optional[Any]:
    """Runs `awaitable` unless a stop is requested first (then returns None)."""
    task = asyncio.ensure_future(awaitable)
    stopper = asyncio.ensure_future(stop.requested.wait())
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    stopper.cancel()
    if task in done:
        return task.result()
    task.cancel()
    return None


async def serve(settings: RunnerSettings) -> int:
    log = logs.logger()
    ensure_workspace_root(settings.workspace_root)
    stop = ShutdownSignals(settings.shutdown_grace_seconds)
    stop.install()
    try:
        activities = AgentActivities(settings.llm, settings.workspace_root)
        client = await _first(stop, connect(settings.temporal, plugins=[build_plugin(activities.chat_model)]))
        if client is None:
            return 0
        worker = build_worker(client, settings, activities)
        run = asyncio.create_task(worker.run())
        if await _first(stop, _wait_until_polling(worker, run, settings)) is None and not worker.is_running:
            await worker.shutdown()
            return 0
        if not stop.requested.is_set():
            logs.event(
                log,
                "ready",
                "polling for agent executions",
                task_queue=settings.temporal.task_queue,
                namespace=settings.temporal.namespace,
                address=settings.temporal.address,
                version=current_version(),
                deployment=settings.temporal.deployment_name or "",
                build_id=settings.temporal.build_id or "",
            )
        await _first(stop, asyncio.shield(run))
        if not run.done():
            await worker.shutdown()
        await run
        logs.event(log, "stopped", "stopped")
        return 0
    finally:
        stop.uninstall()
