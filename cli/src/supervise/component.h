#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "platform/process.h"

namespace stigmer::supervise {

enum class ComponentState { kWaiting, kStarting, kReady, kBackoff, kStopping, kStopped, kFailed };

std::string to_string(ComponentState state);

// What the supervisor needs to run one component. Nothing in it depends on which component
// it is: Temporal and agent-runner differ only in these values.
struct ComponentSpec {
    std::string name;
    std::string version;
    // Tells apart two components of one name (two releases' runners during an update);
    // empty: the name.
    std::string instance;
    platform::SpawnRequest spawn;
    std::vector<std::string> depends_on;  // started only once these are ready
    std::map<std::string, int> ports;     // shown in status ("grpc": 7233)
    // A line of output containing this marks the component as having reported readiness
    // (empty: no such report is expected).
    std::string ready_marker;
    // Polled while starting, after the marker (if any) was seen; true = ready.
    std::function<bool()> ready_check;
    std::string waiting_for;  // what readiness waits for, in words ("waiting for ...")
    std::chrono::milliseconds start_timeout{120'000};
    std::chrono::milliseconds stop_grace{10'000};
    // An exit with this code says the component's settings were refused (a certificate, a
    // namespace): restarting cannot help, so it fails at once, its last line the reason.
    std::optional<int> refused_exit_code;
};

// A snapshot of one component, for status output.
struct ComponentStatus {
    std::string name;
    std::string version;
    std::string instance;
    ComponentState state = ComponentState::kWaiting;
    int pid = 0;
    std::chrono::system_clock::time_point started_at{};
    int restarts = 0;
    std::string last_exit;                // "exit code 1", "killed by signal 9 (SIGKILL)"
    std::string detail;                   // why it is in this state, in words
    std::vector<std::string> last_lines;  // of its output, newest last
    std::filesystem::path binary;
    std::map<std::string, int> ports;
    bool refused = false;  // failed with refused_exit_code: detail is the component's reason
    // Why the last replace() did not take ("1.5.2: exited (exit code 3)"); empty if it did.
    std::string replace_failure;

    nlohmann::json to_json() const;
};

}  // namespace stigmer::supervise
