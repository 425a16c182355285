#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "temporal/json_http.h"

namespace stigmer::temporal {

// Where Temporal's HTTP API is and who we are to it.
struct Endpoint {
    std::string http_url;  // "http://127.0.0.1:7243"
    std::string name_space = "default";
    std::string api_key;  // sent as a bearer token when set (Temporal Cloud)
    ClientTls tls;        // mutual TLS to a self-hosted cluster
};

struct WorkflowStart {
    std::string workflow_id;
    std::string workflow_type;
    std::string task_queue;
    nlohmann::json input;  // one argument, sent as a JSON payload
    std::chrono::seconds execution_timeout{3600};
    // Memo fields (key -> JSON value, each sent as a json/plain payload): what `stigmer runs`
    // shows about an execution without reading its history, e.g. {"prompt": "..."}.
    nlohmann::json memo = nlohmann::json::object();
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

// One workflow execution as Temporal's visibility (list, describe) sees it.
struct ExecutionSummary {
    std::string workflow_id, run_id, type;
    std::string status;  // "running", "completed", "failed", "canceled", "terminated",
                         // "timed out", "continued as new"
    std::string start_time, close_time;  // RFC 3339 as Temporal gives them; close empty if running
    nlohmann::json memo = nlohmann::json::object();  // decoded: key -> JSON value
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

    // Runs query `query_type` with one argument on the workflow (latest run if `run_id` is empty)
    // and returns the first payload of its result. Throws Error(kNotAvailable) when the
    // workflow does not exist or rejected the query, Error(kFailure) when the query failed,
    // Error(kNetwork) when no answer came within `timeout` (Temporal waits up to 30 s for a
    // worker; a caller that polls gives up sooner).
    nlohmann::json query_workflow(
        const std::string& workflow_id, const std::string& run_id, const std::string& query_type,
        const nlohmann::json& arg,
        std::chrono::milliseconds timeout = std::chrono::milliseconds(35'000)) const;

    // Sends signal `signal_name` with one argument to the workflow's latest run.
    void signal_workflow(const std::string& workflow_id, const std::string& signal_name,
                         const nlohmann::json& arg) const;

    // Asks the workflow to cancel (latest run if `run_id` is empty); returns once Temporal has
    // recorded the request. Throws Error(kNotAvailable) when the workflow does not exist.
    void cancel_workflow(const std::string& workflow_id, const std::string& run_id,
                         const std::string& reason) const;

    // Sends update `update_name` with one argument to the workflow's latest run and waits until
    // it completes: status "completed" with its result, or "failed" with the message (a
    // validator's rejection comes back this way). Throws Error(kNotAvailable) when the workflow
    // does not exist or has ended, or when no worker takes the update in time.
    WorkflowOutcome update_workflow(const std::string& workflow_id, const std::string& update_name,
                                    const std::string& update_id, const nlohmann::json& arg) const;

    // Executions matching a visibility query ("WorkflowType = 'ExecuteAgent'"), newest first,
    // at most `page_size` of them.
    std::vector<ExecutionSummary> list_workflows(const std::string& visibility_query,
                                                 int page_size) const;

    // One execution (latest run if `run_id` is empty); nullopt when there is none.
    std::optional<ExecutionSummary> describe_workflow(const std::string& workflow_id,
                                                      const std::string& run_id) const;

    // A WorkflowExecutionInfo of the HTTP API as a summary.
    static ExecutionSummary summary_of(const nlohmann::json& info);

    // A payload as JSON: the shorthand form is the value itself; the full form
    // {"metadata": {"encoding": base64}, "data": base64} is decoded when its encoding is
    // json/plain (binary/null and undecodable encodings give null).
    static nlohmann::json decode_payload(const nlohmann::json& payload);

    // "WORKFLOW_EXECUTION_STATUS_TIMED_OUT" -> "timed out".
    static std::string status_name(const std::string& execution_status);

    // The outcome in an UpdateWorkflowExecution response; nullopt when the update has not
    // completed yet (Temporal answered before the wait policy's stage was reached).
    static std::optional<WorkflowOutcome> update_response_outcome(const nlohmann::json& response);

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
    std::string workflow_url(const std::string& workflow_id) const;
    Credentials credentials() const;

    Endpoint endpoint_;
};

}  // namespace stigmer::temporal
