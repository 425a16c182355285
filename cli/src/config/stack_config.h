#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.h"
#include "config/update_config.h"

namespace stigmer::config {

// How the stack reaches Temporal: a dev server the daemon runs, or an existing cluster
// (self-hosted or Temporal Cloud) that several machines' agent-runners can share.
struct TemporalSettings {
    bool external = false;
    std::string host = "127.0.0.1";  // local: where the dev server listens
    int grpc_port = 7233;
    int ui_port = 8233;
    int http_port = 7243;
    std::string address;   // external: "host:port" of the frontend
    std::string http_url;  // external: its HTTP API, for `stigmer run`
    std::string name_space = "default";
    std::string task_queue = "agent_execution_runner";
    std::string tls_cert;  // external: client certificate file (mTLS)
    std::string tls_key;
    std::string tls_ca;           // external: CA file of the cluster's certificate (self-hosted)
    std::string tls_server_name;  // external: the name in that certificate, if not the address's
    std::string api_key;          // external: API key (Temporal Cloud); a secret
    // The stack's Temporal Worker Deployment: each release's agent-runner is a version of it
    // (build id = release version). Empty: unversioned workers (no rolling updates).
    std::string deployment = "stigmer";

    std::string grpc_address() const;  // what agent-runner dials
    std::string http_api_url() const;  // what `stigmer run` calls
};

struct AgentRunnerSettings {
    int max_concurrency = 0;  // 0: agent-runner's default
    int shutdown_grace_seconds = 30;
    // How long an old release's runner may keep finishing the executions pinned to it after an
    // update; what is left then is moved to the current release.
    int drain_limit_seconds = 3600;
    std::map<std::string, std::string> env;  // [agent_runner.env]: provider settings, keys
};

// [agent]: defaults of every `stigmer run`.
struct AgentSettings {
    int max_model_calls = 0;           // 0: agent-runner's default
    std::vector<std::string> approve;  // tools that wait for the user's approval
};

struct StackConfig {
    TemporalSettings temporal;
    AgentRunnerSettings agent_runner;
    AgentSettings agent;
    UpdateConfig updates;  // auto_update, update_check, [updates]
};

// Flags of `server start` that override config.toml.
struct StackOverrides {
    std::optional<int> grpc_port, ui_port, http_port;
    std::optional<std::string> temporal_address;  // implies an external cluster
    std::optional<std::string> name_space;
    std::optional<std::string> task_queue;
};

// Reads [temporal], [agent_runner] and [agent] of config.toml (defaults when absent), then applies
// the environment (TEMPORAL_API_KEY) and the flags. Throws Error(kUsage) naming the file and key.
StackConfig load_stack_config(const std::filesystem::path& config_file,
                              const StackOverrides& overrides,
                              const EnvironmentLookup& environment = process_environment);

}  // namespace stigmer::config
