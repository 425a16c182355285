#include "daemon/stack_plan.h"

#include <algorithm>
#include <iterator>

#include "platform/port_probe.h"
#include "temporal/http_api.h"
#include "util/error.h"

namespace stigmer::daemon {
namespace {

std::string variable_name(const std::string& entry) {
    return entry.substr(0, entry.find('='));
}

// Variables that steer an embedded interpreter or a virtualenv: a user's development setup
// must not change how the bundled agent-runner starts.
bool is_interpreter_variable(const std::string& name) {
    return name.rfind("PYTHON", 0) == 0 || name == "VIRTUAL_ENV" || name == "CONDA_PREFIX" ||
           name.rfind("_MEIPASS", 0) == 0 || name.rfind("_PYI_", 0) == 0;
}

// Variables the daemon sets for agent-runner itself: config.toml or the caller cannot move them.
bool is_daemon_owned(const std::string& name) {
    return name.rfind("TEMPORAL_", 0) == 0 || name == "STIGMER_SHUTDOWN_GRACE_SECONDS" ||
           name == "STIGMER_LOG_FORMAT" || name == "STIGMER_WORKSPACE_ROOT";
}

// Credentials meant for the agents (provider API keys, tokens): Temporal's dev server has no use
// for them, so they stay out of its environment.
bool is_credential(const std::string& name) {
    for (const char* marker : {"API_KEY", "SECRET", "TOKEN", "PASSWORD"}) {
        if (name.find(marker) != std::string::npos) return true;
    }
    return false;
}

void set_variable(std::vector<std::string>& env, const std::string& name,
                  const std::string& value) {
    const auto it = std::find_if(env.begin(), env.end(),
                                 [&](const auto& e) { return variable_name(e) == name; });
    if (it != env.end()) {
        *it = name + "=" + value;
    } else {
        env.push_back(name + "=" + value);
    }
}

const PlannedBinary& binary_for(const std::map<std::string, PlannedBinary>& binaries,
                                const std::string& name) {
    const auto it = binaries.find(name);
    if (it == binaries.end()) {
        throw Error(ExitCode::kNotAvailable, "the release has no " + name + " for this platform",
                    name, "install a complete release with 'stigmer server install'");
    }
    return it->second;
}

}  // namespace

temporal::Endpoint temporal_endpoint(const config::TemporalSettings& t) {
    return temporal::Endpoint{
        t.http_api_url(), t.name_space, t.api_key,
        temporal::ClientTls{t.tls_cert, t.tls_key, t.tls_ca, t.tls_server_name}};
}

bool uses_worker_versioning(const config::StackConfig& config) {
    return !config.temporal.deployment.empty() && !config.temporal.http_api_url().empty();
}

std::vector<std::string> agent_runner_environment(const config::StackConfig& config,
                                                  const std::vector<std::string>& environment,
                                                  const std::filesystem::path& workspace_root,
                                                  const std::string& build_id) {
    std::vector<std::string> env;
    for (const auto& [name, value] : config.agent_runner.env) {
        if (!is_daemon_owned(name) && !is_interpreter_variable(name))
            env.push_back(name + "=" + value);
    }
    for (const auto& entry : environment) {
        const std::string name = variable_name(entry);
        if (name.empty() || is_interpreter_variable(name) || is_daemon_owned(name)) continue;
        set_variable(env, name, entry.substr(name.size() + 1));
    }
    const auto& t = config.temporal;
    set_variable(env, "TEMPORAL_SERVICE_ADDRESS", t.grpc_address());
    set_variable(env, "TEMPORAL_NAMESPACE", t.name_space);
    set_variable(env, "TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE", t.task_queue);
    if (config.agent_runner.max_concurrency > 0) {
        set_variable(env, "TEMPORAL_MAX_CONCURRENCY",
                     std::to_string(config.agent_runner.max_concurrency));
    }
    if (!t.tls_cert.empty()) {
        set_variable(env, "TEMPORAL_TLS_CERT", t.tls_cert);
        set_variable(env, "TEMPORAL_TLS_KEY", t.tls_key);
    }
    if (!t.tls_ca.empty()) set_variable(env, "TEMPORAL_TLS_CA", t.tls_ca);
    if (!t.tls_server_name.empty())
        set_variable(env, "TEMPORAL_TLS_SERVER_NAME", t.tls_server_name);
    if (!t.api_key.empty()) set_variable(env, "TEMPORAL_API_KEY", t.api_key);
    set_variable(env, "STIGMER_SHUTDOWN_GRACE_SECONDS",
                 std::to_string(config.agent_runner.shutdown_grace_seconds));
    set_variable(env, "STIGMER_LOG_FORMAT", "plain");  // the ready marker is read in this format
    set_variable(env, "STIGMER_WORKSPACE_ROOT", workspace_root.string());
    if (uses_worker_versioning(config) && !build_id.empty()) {
        set_variable(env, "TEMPORAL_DEPLOYMENT_NAME", t.deployment);
        set_variable(env, "TEMPORAL_WORKER_BUILD_ID", build_id);
    }
    return env;
}

std::vector<std::string> temporal_environment(const std::vector<std::string>& environment) {
    std::vector<std::string> env;
    std::copy_if(environment.begin(), environment.end(), std::back_inserter(env),
                 [](const std::string& entry) { return !is_credential(variable_name(entry)); });
    return env;
}

supervise::ComponentSpec plan_temporal(const config::StackConfig& config,
                                       const PlannedBinary& binary,
                                       const std::filesystem::path& home,
                                       const std::vector<std::string>& environment) {
    const auto& t = config.temporal;
    supervise::ComponentSpec temporal;
    temporal.name = binary.name;
    temporal.version = binary.version;
    temporal.spawn.executable = binary.executable;
    temporal.spawn.arguments = {
        "server",
        "start-dev",
        "--ip",
        t.host,
        "--port",
        std::to_string(t.grpc_port),
        "--ui-port",
        std::to_string(t.ui_port),
        "--http-port",
        std::to_string(t.http_port),
        "--db-filename",
        (home / "data" / "temporal.db").string(),
        "--log-level",
        "warn",
        // Each model call of an agent is an activity scheduled by the workflow on this same
        // worker: eager execution hands it over in the workflow task's answer instead of a
        // round trip through matching (about 40 ms per step on this server).
        "--dynamic-config-value",
        "system.enableActivityEagerExecution=true",
    };
    if (t.name_space != "default") {
        temporal.spawn.arguments.insert(temporal.spawn.arguments.end(),
                                        {"--namespace", t.name_space});
    }
    temporal.spawn.environment = temporal_environment(environment);
    temporal.spawn.working_directory = home / "data";
    temporal.ports = {{"grpc", t.grpc_port}, {"ui", t.ui_port}, {"http", t.http_port}};
    temporal.waiting_for =
        "waiting for Temporal to accept connections on port " + std::to_string(t.grpc_port);
    const auto endpoint = temporal_endpoint(t);
    const std::string host = t.host;
    const int grpc_port = t.grpc_port;
    temporal.ready_check = [endpoint, host, grpc_port] {
        // Ready when the frontend listens and the namespace answers over the HTTP API.
        return !platform::tcp_port_is_free(host, grpc_port) &&
               temporal::HttpApi(endpoint).namespace_reachable(std::chrono::milliseconds(2000));
    };
    temporal.start_timeout = std::chrono::seconds(60);
    temporal.stop_grace = std::chrono::seconds(10);
    return temporal;
}

std::vector<supervise::ComponentSpec> plan_stack(
    const config::StackConfig& config, const std::map<std::string, PlannedBinary>& binaries,
    const std::filesystem::path& home, const std::vector<std::string>& environment,
    const std::string& release) {
    std::vector<supervise::ComponentSpec> specs;
    const auto& t = config.temporal;

    if (!t.external)
        specs.push_back(plan_temporal(config, binary_for(binaries, "temporal"), home, environment));

    specs.push_back(plan_agent_runner(config, binary_for(binaries, "agent-runner"), home,
                                      environment, release));
    return specs;
}

supervise::ComponentSpec plan_agent_runner(const config::StackConfig& config,
                                           const PlannedBinary& binary,
                                           const std::filesystem::path& home,
                                           const std::vector<std::string>& environment,
                                           const std::string& release) {
    const auto& t = config.temporal;
    supervise::ComponentSpec runner;
    runner.name = binary.name;
    runner.version = binary.version;
    runner.spawn.executable = binary.executable;
    const auto workspace_root = home / "data" / "workspaces";
    runner.spawn.environment =
        agent_runner_environment(config, environment, workspace_root, release);
    // Its temporary files go under STIGMER_HOME, which the daemon empties at start, never into
    // the system's temp directory (where a one-file build would unpack itself at every start).
    for (const char* name : {"TMPDIR", "TMP", "TEMP"})
        set_variable(runner.spawn.environment, name, (home / "tmp").string());
    runner.spawn.working_directory = home / "data";
    if (!t.external) runner.depends_on = {"temporal"};
    runner.ready_marker = kAgentRunnerReadyMarker;
    runner.refused_exit_code = kAgentRunnerRefusedExit;
    runner.waiting_for = "waiting for agent-runner to poll task queue '" + t.task_queue + "'";
    if (!t.http_api_url().empty()) {
        const auto endpoint = temporal_endpoint(t);
        const std::string queue = t.task_queue;
        // Ready once Temporal itself sees a poller on the queue, not just when the worker says so.
        runner.ready_check = [endpoint, queue] {
            return temporal::HttpApi(endpoint).workflow_poller_count(queue) > 0;
        };
    }
    runner.start_timeout =
        std::chrono::seconds(180);  // a one-file build (--use-local-binary) unpacks itself first
    runner.stop_grace = std::chrono::seconds(config.agent_runner.shutdown_grace_seconds + 5);
    return runner;
}

}  // namespace stigmer::daemon
