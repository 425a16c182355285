#include "commands/stack_launch.h"

#include "commands/version_command.h"
#include "platform/port_probe.h"
#include "platform/process.h"
#include "util/error.h"

namespace stigmer::commands {

void StackFlags::add_to(CLI::App& command) {
    command.add_option("--version", version,
                       "release version to run (default: the active one, else this CLI's)");
    command.add_option(
        "--use-local-binary", local_binaries,
        "run a local build instead of the release's: NAME=PATH (agent-runner=..., temporal=...)");
    command.add_option("--grpc-port", overrides.grpc_port, "Temporal gRPC port (default 7233)")
        ->check(CLI::Range(1, 65535));
    command.add_option("--ui-port", overrides.ui_port, "Temporal web UI port (default 8233)")
        ->check(CLI::Range(1, 65535));
    command.add_option("--http-port", overrides.http_port, "Temporal HTTP API port (default 7243)")
        ->check(CLI::Range(1, 65535));
    command.add_option("--temporal-address", overrides.temporal_address,
                       "use an existing Temporal cluster at HOST:PORT instead of starting one");
    command.add_option("--namespace", overrides.name_space,
                       "Temporal namespace (default: default)");
    command.add_option("--task-queue", overrides.task_queue,
                       "task queue agent-runner polls (default agent_execution_runner)");
}

std::vector<std::string> StackFlags::as_arguments() const {
    std::vector<std::string> args;
    if (!version.empty()) args.insert(args.end(), {"--version", version});
    for (const auto& binary : local_binaries)
        args.insert(args.end(), {"--use-local-binary", binary});
    if (overrides.grpc_port)
        args.insert(args.end(), {"--grpc-port", std::to_string(*overrides.grpc_port)});
    if (overrides.ui_port)
        args.insert(args.end(), {"--ui-port", std::to_string(*overrides.ui_port)});
    if (overrides.http_port)
        args.insert(args.end(), {"--http-port", std::to_string(*overrides.http_port)});
    if (overrides.temporal_address)
        args.insert(args.end(), {"--temporal-address", *overrides.temporal_address});
    if (overrides.name_space) args.insert(args.end(), {"--namespace", *overrides.name_space});
    if (overrides.task_queue) args.insert(args.end(), {"--task-queue", *overrides.task_queue});
    return args;
}

std::string release_to_run(const StackFlags& flags, Context& context) {
    if (!flags.version.empty()) return flags.version;
    if (auto active = context.store().active_state().active) return *active;
    return cli_version();
}

std::map<std::string, std::filesystem::path> local_binary_overrides(const StackFlags& flags) {
    std::map<std::string, std::filesystem::path> result;
    for (const auto& entry : flags.local_binaries) {
        const auto equals = entry.find('=');
        if (equals == std::string::npos || equals == 0 || equals + 1 == entry.size()) {
            throw Error(ExitCode::kUsage, "--use-local-binary '" + entry + "' is not NAME=PATH",
                        "--use-local-binary",
                        "write it as agent-runner=./agent-runner/dist/agent-runner");
        }
        const std::string name = entry.substr(0, equals);
        const auto path = std::filesystem::absolute(entry.substr(equals + 1));
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) {
            throw Error(ExitCode::kUsage, "no executable file for " + name, path.string(),
                        "build it first (make build) or fix the path");
        }
        result[name] = path;
    }
    return result;
}

daemon::DaemonLaunch resolve_launch(const StackFlags& flags, Context& context) {
    daemon::DaemonLaunch launch;
    launch.home = context.settings().home;
    launch.config = config::load_stack_config(launch.home / "config.toml", flags.overrides);
    launch.release_version = release_to_run(flags, context);
    launch.environment = platform::current_environment();
    launch.releases_url = context.settings().releases_url;

    const auto local = local_binary_overrides(flags);
    const std::vector<std::string> needed =
        launch.config.temporal.external ? std::vector<std::string>{"agent-runner"}
                                        : std::vector<std::string>{"temporal", "agent-runner"};
    bool all_local = true;
    for (const auto& name : needed) all_local = all_local && local.count(name) > 0;

    std::optional<store::InstalledRelease> installed;
    if (!all_local) {
        installed = context.store().find_installed(launch.release_version);
        if (!installed) {
            throw Error(ExitCode::kNotAvailable,
                        "release " + launch.release_version + " is not installed",
                        context.store().layout().home().string(),
                        "run 'stigmer server install --version " + launch.release_version + "'");
        }
    }
    for (const auto& name : needed) {
        if (auto it = local.find(name); it != local.end()) {
            launch.binaries[name] = {name, "local", it->second};
            continue;
        }
        const auto component = installed->components.find(name);
        if (component == installed->components.end()) {
            throw Error(ExitCode::kNotAvailable,
                        "release " + launch.release_version + " has no " + name,
                        context.store().layout().manifest_dir(launch.release_version).string(),
                        "use a release that ships it, or --use-local-binary " + name + "=PATH");
        }
        launch.binaries[name] = {name, component->second.component_version,
                                 component->second.executable};
    }
    return launch;
}

void check_ports_free(const config::StackConfig& config) {
    if (config.temporal.external) return;
    const auto& t = config.temporal;
    const struct {
        const char* what;
        int port;
        const char* flag;
        const char* key;
    } ports[] = {
        {"Temporal gRPC", t.grpc_port, "--grpc-port", "grpc_port"},
        {"Temporal web UI", t.ui_port, "--ui-port", "ui_port"},
        {"Temporal HTTP API", t.http_port, "--http-port", "http_port"},
    };
    for (const auto& p : ports) {
        if (platform::tcp_port_is_free(t.host, p.port)) continue;
        std::string holder = "another program";
        if (auto found = platform::find_tcp_port_holder(p.port)) {
            holder = "pid " + std::to_string(found->pid) +
                     (found->command.empty() ? "" : " (" + found->command + ")");
        }
        throw Error(
            ExitCode::kRefused,
            "port " + std::to_string(p.port) + " (" + p.what + ") is already in use by " + holder,
            t.host + ":" + std::to_string(p.port),
            std::string("stop it, or choose another port with ") + p.flag + " N or [temporal] " +
                p.key + " in config.toml");
    }
}

}  // namespace stigmer::commands
