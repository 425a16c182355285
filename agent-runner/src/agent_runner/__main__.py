"""Entry point of the agent-runner executable.

Kept light at import time: the agent stack is imported only once the command is
known, inside the error handling, so that even a failing import ends in one
clear line rather than a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Optional

from agent_runner import logs
from agent_runner.errors import SettingsRefused, StartupError
from agent_runner.parent_death import die_with_bootloader
from agent_runner.version import current_version

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_STARTUP = 2
EXIT_REFUSED = 78  # sysexits' EX_CONFIG: the settings were refused; do not restart unchanged
EXIT_INTERRUPTED = 130

_json_errors = False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agent-runner",
        usage="agent-runner [--version]",
        description="Runs stigmer AI agents: a worker polling a Temporal task queue.",
        epilog="Configured by environment variables: TEMPORAL_SERVICE_ADDRESS, TEMPORAL_NAMESPACE, "
        "TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE, STIGMER_LLM_PROVIDER, STIGMER_LLM_MODEL, "
        "STIGMER_LLM_API_KEY (or ANTHROPIC_API_KEY / OPENAI_API_KEY), STIGMER_LOG_FORMAT and more "
        "(see the agent-runner README).",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", help=argparse.SUPPRESS)
    replay = commands.add_parser("replay")  # hidden from help: a check of the build
    replay.add_argument("history", type=Path, nargs="+")
    commands.add_parser("selfcheck")  # hidden from help: a check of the build
    return parser


def _print_error(error: StartupError) -> None:
    if _json_errors:
        logs.event(logs.logger(), "startup_failed", error.one_line(), level=logging.ERROR)
    else:
        print(f"agent-runner: error: {error.one_line()}", file=sys.stderr, flush=True)


def _quiet_hooks() -> None:
    """Unhandled errors in threads go to the debug log, never as a traceback on the console."""

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        logs.logger().debug("error in thread %s", args.thread, exc_info=(args.exc_type, args.exc_value, args.exc_traceback))  # type: ignore[arg-type]

    threading.excepthook = thread_hook


def _run(args: argparse.Namespace) -> int:
    global _json_errors
    from agent_runner.config import read_settings

    from agent_runner.core_logs import route_core_logs_to_python_logging

    if args.command == "replay":
        logs.configure("plain", "error")  # the outcome is the exit code and one line
        route_core_logs_to_python_logging()
        from agent_runner.replay import replay_history_files

        asyncio.run(replay_history_files(args.history, lambda name: print(f"replayed {name}: ok", flush=True)))
        return EXIT_OK
    if args.command == "selfcheck":
        from agent_runner.selfcheck import report

        print(json.dumps(report(), indent=2))
        return EXIT_OK
    # Chosen before the other settings are checked, so their errors come out in this format.
    _json_errors = os.environ.get("STIGMER_LOG_FORMAT", "").strip().lower() == "json"
    logs.configure("json" if _json_errors else "plain", "info")
    settings = read_settings()
    logs.configure(settings.log_format, settings.log_level)
    route_core_logs_to_python_logging(debug=settings.log_level == "debug")
    from agent_runner.serve import serve

    return asyncio.run(serve(settings))


def main(argv: Optional[list[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.version:
        print(current_version())
        return EXIT_OK
    _quiet_hooks()
    die_with_bootloader()
    try:
        return _run(args)
    except SettingsRefused as error:
        logs.logger().debug("startup refused", exc_info=True)
        _print_error(error)
        return EXIT_REFUSED
    except StartupError as error:
        logs.logger().debug("startup failed", exc_info=True)
        _print_error(error)
        return EXIT_STARTUP
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:  # the last line of defence: no traceback on the console
        logs.logger().debug("unexpected error", exc_info=True)
        summary = " ".join(str(error).split())[:300]
        _print_error(
            StartupError(
                f"unexpected {type(error).__name__}: {summary}",
                "run with STIGMER_LOG_LEVEL=debug for details",
            )
        )
        return EXIT_UNEXPECTED


def run_and_exit() -> None:
    """The executable's entry: main(), then an exit that skips interpreter finalisation.

    Temporal's native runtime keeps threads that forward its logs into `logging`; tearing
    the interpreter down under them can abort the process after a clean run. Everything
    worth keeping is flushed first.
    """
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run_and_exit()
