"""Running the worker: connect, poll the task queue, announce readiness, stop gracefully."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, Optional

from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.worker import Worker, WorkerDeploymentConfig

from agent_runner import logs, ollama_server
from agent_runner.activities import AgentActivities
from agent_runner.agent_stack import AgentStack, AgentStackGate
from agent_runner.auth_errors import auth_failure
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


# The deployment an unversioned worker names itself in: with an explicit version, the SDK
# does not hash the bytecode of every loaded module at start to make up a build id.
UNVERSIONED_DEPLOYMENT = "stigmer-agent-runner"


def deployment_config(temporal: TemporalSettings) -> WorkerDeploymentConfig:
    """Worker Versioning when the daemon names a deployment: executions are pinned to the build
    that started them (threads declare auto-upgrade themselves), so a new release's runner can
    start beside the old one while the old one finishes what it began. Otherwise the worker is
    unversioned, identified by the runner's version."""
    if temporal.deployment_name is None or temporal.build_id is None:
        return WorkerDeploymentConfig(
            version=WorkerDeploymentVersion(UNVERSIONED_DEPLOYMENT, current_version()),
            use_worker_versioning=False,
        )
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
        workflows=[ExecuteAgent, VersionedAgentThread if versioning.use_worker_versioning else AgentThread],
        activities=[activities.resolve_model, activities.save_files, activities.check_workspace, activities.workspace_files],
        interceptors=[ProviderErrorsInterceptor(settings.llm)],
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
            refused = auth_failure(settings.temporal, str(error))
            if refused is not None:  # checked first: the SDK then says "not found or otherwise"
                raise refused
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


def _stack_error(error: BaseException) -> StartupError:
    logs.logger().debug("the agent stack failed to load", exc_info=error)
    summary = " ".join(str(error).split())[:200]
    return StartupError(
        f"the agent libraries failed to load ({type(error).__name__}: {summary})",
        "this agent-runner is damaged: reinstall stigmer",
    )


async def serve(settings: RunnerSettings) -> int:
    log = logs.logger()
    ensure_workspace_root(settings.workspace_root)
    stop = ShutdownSignals(settings.shutdown_grace_seconds)
    stop.install()
    try:
        # The provider checked before the worker polls: only Ollama's model list is local and cheap
        # to ask (a model not pulled, or Ollama not running, then stops the start with one line).
        await asyncio.to_thread(ollama_server.check_at_start, settings.llm)
        activities = AgentActivities(settings.llm, settings.workspace_root)
        stack = AgentStack(settings.llm.provider)
        plugin = build_plugin(activities.chat_model, stack)
        client = await _first(stop, connect(settings.temporal, plugins=[plugin], payload_codec=AgentStackGate(stack)))
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
        stack_failed = asyncio.ensure_future(stack.failure())
        await _first(stop, asyncio.wait({run, stack_failed}, return_when=asyncio.FIRST_COMPLETED))
        if not run.done():
            await worker.shutdown()
        await run
        if stack_failed.done():
            raise _stack_error(stack_failed.result())
        stack_failed.cancel()
        logs.event(log, "stopped", "stopped")
        return 0
    finally:
        stop.uninstall()
