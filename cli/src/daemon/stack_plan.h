#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/stack_config.h"
#include "supervise/component.h"
#include "temporal/http_api.h"

namespace stigmer::daemon {

// What agent-runner prints, in its plain log format, once it polls its task queue (its
// structured "ready" event).
inline constexpr const char* kAgentRunnerReadyMarker = " event=ready";

// agent-runner's exit code when the cluster refused its settings (certificate, namespace): it is
// not restarted, and `server start` prints its one line (agent-runner's EXIT_REFUSED).
inline constexpr int kAgentRunnerRefusedExit = 78;

// One runnable component of the release being run.
struct PlannedBinary {
    std::string name;
    std::string version;  // shown in status: the component's own version
    std::filesystem::path executable;
};

// Builds the supervisor's component specs for a stack: Temporal's dev server (unless an
// external cluster is configured) and agent-runner with the environment contract of
// docs/configuration.md. `environment` is the daemon's own ("NAME=value"); `release` is the
// release version, the runner's build id in the stack's Worker Deployment.
std::vector<supervise::ComponentSpec> plan_stack(
    const config::StackConfig& config, const std::map<std::string, PlannedBinary>& binaries,
    const std::filesystem::path& home, const std::vector<std::string>& environment,
    const std::string& release);

// Temporal's dev server of a local stack: its data in `home`/data, kept across restarts and
// releases (a rolling update that changes Temporal's version restarts it on the same file).
supervise::ComponentSpec plan_temporal(const config::StackConfig& config,
                                       const PlannedBinary& binary,
                                       const std::filesystem::path& home,
                                       const std::vector<std::string>& environment);

// The agent-runner of release `release` alone: what a rolling update starts beside the old one.
supervise::ComponentSpec plan_agent_runner(const config::StackConfig& config,
                                           const PlannedBinary& binary,
                                           const std::filesystem::path& home,
                                           const std::vector<std::string>& environment,
                                           const std::string& release);

// How the CLI and the daemon reach the stack's Temporal over its HTTP API: address, namespace,
// API key and mutual TLS, as config.toml gives them.
temporal::Endpoint temporal_endpoint(const config::TemporalSettings& t);

// Whether the stack's runners are versions of a Temporal Worker Deployment: a deployment is
// named and the daemon can reach Temporal's HTTP API to make a version current.
bool uses_worker_versioning(const config::StackConfig& config);

// The environment Temporal's dev server gets: the daemon's, minus credentials (names holding
// API_KEY, SECRET, TOKEN or PASSWORD), which are the agents' business.
std::vector<std::string> temporal_environment(const std::vector<std::string>& environment);

// The environment agent-runner gets: the daemon's, minus variables that would change how the
// bundled interpreter behaves, plus [agent_runner.env] of config.toml (the daemon's own
// environment wins: it is what the user typed `stigmer server start` in), plus the Temporal
// settings, which the daemon owns.
std::vector<std::string> agent_runner_environment(const config::StackConfig& config,
                                                  const std::vector<std::string>& environment,
                                                  const std::filesystem::path& workspace_root,
                                                  const std::string& build_id = "");

}  // namespace stigmer::daemon
