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

    // Every event of a workflow run's history so far, oldest first.
    std::vector<nlohmann::json> history(const std::string& workflow_id,
                                        const std::string& run_id) const;

    // The outcome if `events` contains the close event.
    static std::optional<WorkflowOutcome> outcome_of(const std::vector<nlohmann::json>& events);

    const Endpoint& endpoint() const { return endpoint_; }

  private:
    std::string namespace_url() const;
    std::map<std::string, std::string> headers() const;

    Endpoint endpoint_;
};

}  // namespace stigmer::temporal
