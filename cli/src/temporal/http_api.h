#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace stigmer::temporal {

// Where Temporal's HTTP API is and who we are to it.
struct Endpoint {
    std::string http_url;  // "http://127.0.0.1:7243"
    std::string name_space = "default";
    std::string api_key;  // sent as a bearer token when set (Temporal Cloud)
};

struct WorkflowStart {
    std::string workflow_id;
    std::string workflow_type;
    std::string task_queue;
    nlohmann::json input;  // one argument, sent as a JSON payload
    std::chrono::seconds execution_timeout{3600};
};

// An update sent to a workflow that is started first unless it runs already (Temporal's
// update-with-start): how `stigmer run --thread` sends a turn to the thread's workflow.
struct UpdateWithStart {
    WorkflowStart start;      // its conflict policy is "use the running workflow"
    std::string update_name;  // e.g. "Turn"
    std::string update_id;    // the update's identity: sending it again is harmless
    nlohmann::json update_input;
};

// How a workflow ended, read from its close event.
struct WorkflowOutcome {
    std::string status;     // "completed", "failed", "timed out", "terminated", "canceled"
    nlohmann::json result;  // the first result payload when completed
    std::string failure;    // the failure message otherwise
    bool completed() const { return status == "completed"; }
};

// A thin client of the Temporal HTTP API (JSON over HTTP, payloads in the JSON shorthand form).
// Throws Error naming the URL when Temporal cannot be reached or refuses a request.
class HttpApi {
  public:
    explicit HttpApi(Endpoint endpoint);

    // Whether the namespace answers within `timeout`; never throws.
    bool namespace_reachable(std::chrono::milliseconds timeout) const;

    // Workers polling a task queue for workflow tasks (0 when none, or on any error).
    int workflow_poller_count(const std::string& task_queue) const;

    // Starts a workflow; returns its run id.
    std::string start_workflow(const WorkflowStart& start) const;

    // Starts the workflow unless it runs, then sends the update; returns once Temporal holds
    // the update (admitted or accepted), with the run id of the workflow that has it.
    std::string update_with_start(const UpdateWithStart& request) const;

    // Every event of a workflow run's history so far, oldest first.
    std::vector<nlohmann::json> history(const std::string& workflow_id,
                                        const std::string& run_id) const;

    // The outcome if `events` contains the close event.
    static std::optional<WorkflowOutcome> outcome_of(const std::vector<nlohmann::json>& events);

    // The outcome of update `update_id` if `events` contains its completion.
    static std::optional<WorkflowOutcome> update_outcome_of(
        const std::vector<nlohmann::json>& events, const std::string& update_id);

    // The events that follow the acceptance of update `update_id` (none before it is accepted).
    static std::vector<nlohmann::json> events_after_update_accepted(
        const std::vector<nlohmann::json>& events, const std::string& update_id);

    const Endpoint& endpoint() const { return endpoint_; }

  private:
    std::string namespace_url() const;
    std::map<std::string, std::string> headers() const;

    Endpoint endpoint_;
};

}  // namespace stigmer::temporal
