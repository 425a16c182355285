#include "commands/stack_commands.h"

#include <iostream>
#include <set>
#include <thread>

#include "commands/cli_upgrade.h"
#include "commands/logs_command.h"
#include "commands/rolling_update.h"
#include "commands/stack_launch.h"
#include "commands/stack_status_view.h"
#include "daemon/daemon_client.h"
#include "daemon/daemon_runner.h"
#include "platform/background.h"
#include "platform/file_lock.h"
#include "util/error.h"
#include "util/files.h"

namespace stigmer::commands {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct StartFlags {
    StackFlags stack;
    bool foreground = false;
    int timeout_seconds = 300;
};

struct StopFlags {
    int timeout_seconds = 90;
};

// Prints what the stack waits for as it changes; returns the final document when every
// component is ready, throws Error when one failed, the daemon went away, or time ran out.
nlohmann::json wait_until_ready(const daemon::DaemonClient& client, const Console& console,
                                int daemon_pid, seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::set<std::string> said;
    auto say_once = [&](const std::string& line) {
        if (said.insert(line).second) console.status(line);
    };
    for (;;) {
        const auto status = client.status(milliseconds(3000));
        if (status) {
            for (const auto& c : (*status)["components"]) {
                const std::string name = c.value("name", ""), state = c.value("state", "");
                if (state == "ready") say_once("  " + name + " ready");
                if (state == "starting" || state == "waiting")
                    say_once("  " + c.value("detail", name));
            }
            if (status->value("ready", false)) return *status;
            if (status->value("failed", false)) {
                for (const auto& c : (*status)["components"]) {
                    if (c.value("state", "") != "failed") continue;
                    if (c.value("refused", false)) {  // its own line says what to change
                        throw Error(ExitCode::kUsage,
                                    c.value("name", "") + " cannot start: " + c.value("detail", ""),
                                    "", "");
                    }
                    std::string lines;
                    for (const auto& line : c["last_lines"])
                        lines += "    " + line.get<std::string>() + "\n";
                    if (!lines.empty())
                        std::cerr << "last lines of " << c.value("name", "") << ":\n" << lines;
                    throw Error(
                        ExitCode::kFailure,
                        c.value("name", "") + " failed to start: " + c.value("detail", ""),
                        (client.paths().log_dir / (c.value("name", "") + ".log")).string(),
                        "see the log with 'stigmer server logs -c " + c.value("name", "") + "'");
                }
            }
        } else if (!client.alive() ||
                   (daemon_pid > 0 && platform::detached_child_exited(daemon_pid))) {
            throw Error(ExitCode::kFailure, "the stigmer daemon stopped before the stack was ready",
                        client.paths().daemon_log.string(),
                        "see that log; 'stigmer server stop' may have been run");
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            throw Error(ExitCode::kFailure,
                        "the stack was not ready after " + std::to_string(timeout.count()) + "s",
                        client.paths().log_dir.string(),
                        "see 'stigmer server status' and 'stigmer server logs --all'");
        }
        std::this_thread::sleep_for(milliseconds(250));
    }
}

void print_status_result(const nlohmann::json& status, const GlobalOptions& options,
                         const std::string& headline) {
    if (options.json) {
        std::cout << status.dump(2) << '\n';
        return;
    }
    if (!options.quiet) std::cerr << headline << '\n';
    std::cout << render_stack_status(status);
}

// Stops a daemon (asking first, forcing if it does not answer) and reports as components go.
void stop_daemon(const daemon::DaemonClient& client, const Console& console, seconds timeout) {
    // A daemon that has just started may not serve its socket yet: give it a moment.
    const auto patience = std::chrono::steady_clock::now() + seconds(5);
    bool asked = client.request_stop();
    while (!asked && client.alive() && std::chrono::steady_clock::now() < patience) {
        std::this_thread::sleep_for(milliseconds(250));
        asked = client.request_stop();
    }
    if (asked) {
        console.status("stopping the stack (agent-runner, then Temporal)...");
        if (client.wait_until_gone(timeout)) {
            client.clean_up_after_dead_daemon();
            return;
        }
        console.status("the daemon did not stop within " + std::to_string(timeout.count()) +
                       "s; forcing it");
    } else if (client.alive()) {
        console.status("the daemon does not answer; stopping the process that holds its lock");
    }
    client.force_stop(milliseconds(15'000));
    if (client.alive()) {
        throw Error(ExitCode::kFailure, "the stigmer daemon could not be stopped",
                    client.paths().daemon_lock.string(),
                    "kill the process that holds that file (`fuser` names it), then retry");
    }
}

void run_start(GlobalOptions& options, const StartFlags& flags) {
    Context context(options);
    const auto& console = context.console();
    const daemon::DaemonClient client(context.settings().home);

    if (auto status = client.status()) {
        const std::string running = (*status)["daemon"].value("release", "");
        if (!flags.stack.version.empty() && flags.stack.version != running) {
            // Another release asked of a running stack: a rolling update, nothing stops.
            auto installed = context.store().ensure_installed(flags.stack.version, context.source(),
                                                              context.http(), console,
                                                              refuse_if_cli_too_old(context));
            context.store().activate(installed);
            if (const auto applied = apply_to_running_stack(context, installed)) {
                if (options.json) {
                    std::cout << nlohmann::json{{"previous", running},
                                                {"version", flags.stack.version},
                                                {"running_stack", *applied}}
                                     .dump(2)
                              << '\n';
                } else {
                    console.result("switched the running stack " + running + " -> " +
                                   flags.stack.version + ": " + *applied);
                }
                return;
            }
        }
        console.status("stigmer is already running (daemon pid " +
                       std::to_string((*status)["daemon"].value("pid", 0)) + ")");
        const auto ready = wait_until_ready(client, console, 0, seconds(flags.timeout_seconds));
        print_status_result(ready, options, "the stack is running");
        return;
    }
    // One start at a time per home: the others wait, then find the daemon running.
    std::optional<platform::FileLock> start_lock = platform::FileLock::acquire(
        client.paths().start_lock,
        [&] { console.status("another 'stigmer server start' is in progress; waiting for it"); });
    if (client.alive()) {
        const auto ready = wait_until_ready(client, console, 0, seconds(flags.timeout_seconds));
        print_status_result(ready, options, "the stack is running");
        return;
    }
    client.clean_up_after_dead_daemon();

    const auto config =
        config::load_stack_config(context.settings().home / "config.toml", flags.stack.overrides);
    check_ports_free(config);

    // Install what is missing (with progress), before anything starts.
    const auto local = local_binary_overrides(flags.stack);
    const bool needs_release =
        !local.count("agent-runner") || (!config.temporal.external && !local.count("temporal"));
    const auto version = release_to_run(flags.stack, context);
    // Installed or not, a release that needs a newer CLI is refused before anything starts.
    const auto refuse_old_cli = refuse_if_cli_too_old(context);
    if (const auto stored = context.store().stored_manifest(version); needs_release && stored)
        refuse_old_cli(*stored);
    if (needs_release && !context.store().find_installed(version)) {
        auto installed = context.store().ensure_installed(
            version, context.source(), context.http(), console,
            [&](const release::SignedManifest& manifest) {
                refuse_old_cli(manifest);  // one line, before any word about installing it
                console.status("installing release " + version + "...");
            });
        if (!context.store().active_state().active) context.store().activate(installed);
    }
    auto launch = resolve_launch(flags.stack, context);
    launch.foreground = flags.foreground;

    if (flags.foreground) {
        start_lock.reset();
        console.status("running the stack in the foreground (Ctrl-C stops it)");
        const int code = daemon::run_daemon(launch);
        if (code != 0)
            throw Error(static_cast<ExitCode>(code), "the daemon could not start",
                        launch.home.string(),
                        "is another stigmer daemon running? see 'stigmer server status'");
        return;
    }

    create_directories_or_throw(client.paths().log_dir);
    platform::SpawnRequest request;
    request.executable = platform::current_executable();
    request.arguments = {"daemon", "--home", launch.home.string()};
    if (options.releases_url)
        request.arguments.insert(request.arguments.end(),
                                 {"--releases-url", *options.releases_url});
    auto stack_arguments = flags.stack.as_arguments();
    if (flags.stack.version.empty())
        stack_arguments.insert(stack_arguments.begin(), {"--version", version});
    request.arguments.insert(request.arguments.end(), stack_arguments.begin(),
                             stack_arguments.end());
    request.environment = launch.environment;
    const int daemon_pid = platform::spawn_detached(request, client.paths().daemon_log);
    console.status("started the stigmer daemon (pid " + std::to_string(daemon_pid) + "), release " +
                   version);

    // Hold the start lock until the daemon answers, so a concurrent start finds it.
    const auto answer_deadline = std::chrono::steady_clock::now() + seconds(30);
    while (!client.status(milliseconds(1000))) {
        if (platform::detached_child_exited(daemon_pid) ||
            std::chrono::steady_clock::now() > answer_deadline)
            break;
        std::this_thread::sleep_for(milliseconds(100));
    }
    start_lock.reset();

    try {
        const auto ready =
            wait_until_ready(client, console, daemon_pid, seconds(flags.timeout_seconds));
        print_status_result(ready, options, "the stack is ready");
    } catch (const Error&) {
        // Leave nothing running behind a failed start.
        if (client.alive()) stop_daemon(client, Console(true, false, false), seconds(60));
        throw;
    }
}

void run_stop(GlobalOptions& options, const StopFlags& flags) {
    Context context(options);
    const daemon::DaemonClient client(context.settings().home);
    if (!client.alive()) {
        client.clean_up_after_dead_daemon();
        if (options.json) {
            std::cout << nlohmann::json{{"stopped", false}, {"running", false}}.dump(2) << '\n';
        } else {
            context.console().result("stigmer is not running");
        }
        return;
    }
    stop_daemon(client, context.console(), seconds(flags.timeout_seconds));
    if (options.json) {
        std::cout << nlohmann::json{{"stopped", true}, {"running", false}}.dump(2) << '\n';
    } else {
        context.console().result("stopped");
    }
}

void run_status(GlobalOptions& options) {
    Context context(options);
    const daemon::DaemonClient client(context.settings().home);
    const auto status = client.status();
    if (!status) {
        const bool alive = client.alive();
        if (options.json) {
            std::cout << nlohmann::json{{"running", false},
                                        {"daemon_unresponsive", alive},
                                        {"home", context.settings().home.string()}}
                             .dump(2)
                      << '\n';
        }
        throw Error(
            ExitCode::kNotRunning,
            alive ? "the stigmer daemon runs but does not answer" : "stigmer is not running",
            client.paths().socket.string(),
            alive ? "stop it with 'stigmer server stop'" : "start it with 'stigmer server start'");
    }
    if (options.json) {
        auto document = *status;
        document["running"] = true;
        std::cout << document.dump(2) << '\n';
        return;
    }
    std::cout << render_stack_status(*status);
}

void run_daemon_command(GlobalOptions& options, const StackFlags& flags) {
    Context context(options);
    const auto launch = resolve_launch(flags, context);
    // Another daemon may be probing-then-releasing the lock for an instant: retry briefly.
    int code = 0;
    for (int attempt = 0; attempt < 10; ++attempt) {
        code = daemon::run_daemon(launch);
        if (code != static_cast<int>(ExitCode::kRefused) ||
            daemon::DaemonClient(launch.home).status())
            break;
        std::this_thread::sleep_for(milliseconds(100));
    }
    if (code != 0) std::exit(code);
}

}  // namespace

void add_stack_commands(CLI::App& app, CLI::App& server, GlobalOptions& options,
                        std::function<void()>& action) {
    static StartFlags start_flags;
    static StopFlags stop_flags;
    static StackFlags daemon_flags;

    auto* start = server.add_subcommand(
        "start", "Start Temporal and agent-runner in the background and wait until ready");
    start_flags.stack.add_to(*start);
    start->add_flag("--foreground", start_flags.foreground,
                    "run in this terminal; Ctrl-C stops everything");
    start
        ->add_option("--timeout", start_flags.timeout_seconds,
                     "seconds to wait for the stack to be ready (default 300)")
        ->check(CLI::PositiveNumber);
    start->footer(R"(Examples:
  stigmer server start                                   the release this CLI runs, default ports
  stigmer server start --grpc-port 17233 --ui-port 18233 --http-port 17243
  stigmer server start --use-local-binary agent-runner=./agent-runner/dist/agent-runner
  stigmer server start --temporal-address my-ns.acct.tmprl.cloud:7233 --namespace my-ns.acct)");
    start->callback([&] { action = [&] { run_start(options, start_flags); }; });

    auto* stop = server.add_subcommand("stop", "Stop agent-runner, then Temporal, then the daemon");
    stop->add_option("--timeout", stop_flags.timeout_seconds,
                     "seconds to wait before forcing (default 90)")
        ->check(CLI::PositiveNumber);
    stop->callback([&] { action = [&] { run_stop(options, stop_flags); }; });

    auto* restart = server.add_subcommand("restart", "Stop the stack, then start it again");
    start_flags.stack.add_to(*restart);
    restart->add_option("--timeout", start_flags.timeout_seconds,
                        "seconds to wait for the stack to be ready");
    restart->callback([&] {
        action = [&] {
            run_stop(options, stop_flags);
            run_start(options, start_flags);
        };
    });

    auto* status = server.add_subcommand(
        "status", "Show state, version, pid, uptime, restarts and ports of each component");
    status->footer("Exit code 0 when the daemon answers, 8 when stigmer is not running.");
    status->callback([&] { action = [&] { run_status(options); }; });

    add_logs_command(server, options, action);

    auto* daemon =
        app.add_subcommand("daemon", "Run the stigmer daemon (started by 'stigmer server start')");
    daemon->group("");  // hidden: users go through `server start`
    daemon_flags.add_to(*daemon);
    daemon->callback([&] { action = [&] { run_daemon_command(options, daemon_flags); }; });
}

}  // namespace stigmer::commands
