#include "temporal/http_api.h"

#include <curl/curl.h>

#include "temporal/json_http.h"
#include "util/error.h"

namespace stigmer::temporal {
namespace {

constexpr std::chrono::milliseconds kRequestTimeout{15'000};
// Temporal holds an update request up to about 20 s waiting for a worker to accept it.
constexpr std::chrono::milliseconds kUpdateRequestTimeout{70'000};

std::string escape_path(const std::string& segment) {
    char* escaped = curl_easy_escape(nullptr, segment.c_str(), static_cast<int>(segment.size()));
    std::string result = escaped ? escaped : segment;
    curl_free(escaped);
    return result;
}

[[noreturn]] void throw_for(const JsonResponse& response, const std::string& url,
                            const std::string& doing) {
    if (response.status == 0) {
        throw Error(ExitCode::kNetwork,
                    "cannot reach Temporal to " + doing + " (" + response.transport_error + ")",
                    url, "check that the stack is running with 'stigmer server status'");
    }
    std::string message;
    try {
        message = nlohmann::json::parse(response.body).value("message", "");
    } catch (const nlohmann::json::exception&) {
    }
    throw Error(ExitCode::kFailure,
                "Temporal refused to " + doing + " (HTTP " + std::to_string(response.status) +
                    (message.empty() ? "" : ": " + message) + ")",
                url, "check the namespace and task queue in config.toml");
}

nlohmann::json parse_or_throw(const JsonResponse& response, const std::string& url,
                              const std::string& doing) {
    try {
        return nlohmann::json::parse(response.body);
    } catch (const nlohmann::json::exception&) {
        throw Error(ExitCode::kFailure,
                    "Temporal sent an answer that is not JSON while trying to " + doing, url,
                    "check that the address is Temporal's HTTP API port");
    }
}

}  // namespace

HttpApi::HttpApi(Endpoint endpoint) : endpoint_(std::move(endpoint)) {
    while (!endpoint_.http_url.empty() && endpoint_.http_url.back() == '/')
        endpoint_.http_url.pop_back();
}

std::string HttpApi::namespace_url() const {
    return endpoint_.http_url + "/api/v1/namespaces/" + escape_path(endpoint_.name_space);
}

std::map<std::string, std::string> HttpApi::headers() const {
    std::map<std::string, std::string> h;
    if (!endpoint_.api_key.empty()) h["Authorization"] = "Bearer " + endpoint_.api_key;
    return h;
}

bool HttpApi::namespace_reachable(std::chrono::milliseconds timeout) const {
    const auto response = send_json_request("GET", namespace_url(), "", headers(), timeout);
    return response.status == 200;
}

int HttpApi::workflow_poller_count(const std::string& task_queue) const {
    const std::string url = namespace_url() + "/task-queues/" + escape_path(task_queue) +
                            "?taskQueueType=TASK_QUEUE_TYPE_WORKFLOW";
    const auto response =
        send_json_request("GET", url, "", headers(), std::chrono::milliseconds(5000));
    if (response.status != 200) return 0;
    try {
        const auto document = nlohmann::json::parse(response.body);
        const auto pollers = document.find("pollers");
        return pollers != document.end() && pollers->is_array() ? static_cast<int>(pollers->size())
                                                                : 0;
    } catch (const nlohmann::json::exception&) {
        return 0;
    }
}

namespace {

nlohmann::json start_request(const WorkflowStart& start) {
    nlohmann::json request = {
        {"workflowId", start.workflow_id},
        {"workflowType", {{"name", start.workflow_type}}},
        {"taskQueue", {{"name", start.task_queue}}},
        {"input", nlohmann::json::array({start.input})},
    };
    if (start.execution_timeout.count() > 0) {
        request["workflowExecutionTimeout"] = std::to_string(start.execution_timeout.count()) + "s";
    }
    return request;
}

// The message of a failure, with its cause's: "Activity task failed" says less than its cause.
std::string failure_text(const nlohmann::json& failure, const std::string& fallback) {
    std::string text = failure.value("message", fallback);
    if (failure.contains("cause") && failure["cause"].contains("message")) {
        text += ": " + failure["cause"].value("message", "");
    }
    return text;
}

}  // namespace

std::string HttpApi::start_workflow(const WorkflowStart& start) const {
    const std::string url = namespace_url() + "/workflows/" + escape_path(start.workflow_id);
    const nlohmann::json request = start_request(start);
    const auto response =
        send_json_request("POST", url, request.dump(), headers(), kRequestTimeout);
    if (response.status != 200) throw_for(response, url, "start the workflow");
    const auto document = parse_or_throw(response, url, "start the workflow");
    return document.value("runId", "");
}

std::string HttpApi::update_with_start(const UpdateWithStart& request) const {
    const std::string url = namespace_url() + "/workflows/execute-multi-operation";
    nlohmann::json start = start_request(request.start);
    start["namespace"] = endpoint_.name_space;
    start["workflowIdConflictPolicy"] = "WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING";
    const nlohmann::json update = {
        {"namespace", endpoint_.name_space},
        {"workflowExecution", {{"workflowId", request.start.workflow_id}}},
        {"request",
         {{"meta", {{"updateId", request.update_id}, {"identity", "stigmer"}}},
          {"input",
           {{"name", request.update_name},
            {"args", nlohmann::json::array({request.update_input})}}}}},
        {"waitPolicy", {{"lifecycleStage", "UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED"}}},
    };
    const nlohmann::json body = {
        {"namespace", endpoint_.name_space},
        {"operations", {{{"startWorkflow", start}}, {{"updateWorkflow", update}}}},
    };
    const auto response =
        send_json_request("POST", url, body.dump(), headers(), kUpdateRequestTimeout);
    if (response.status != 200) throw_for(response, url, "send the update");
    const auto document = parse_or_throw(response, url, "send the update");
    const auto& responses = document.value("responses", nlohmann::json::array());
    for (const auto& r : responses) {
        const auto& ref = r.value("updateWorkflow", nlohmann::json::object())
                              .value("updateRef", nlohmann::json::object())
                              .value("workflowExecution", nlohmann::json::object());
        if (ref.contains("runId")) return ref.value("runId", "");
    }
    throw Error(ExitCode::kFailure, "Temporal did not say which run holds the update", url,
                "check that the Temporal server supports update-with-start (1.28 or later)");
}

std::vector<nlohmann::json> HttpApi::history(const std::string& workflow_id,
                                             const std::string& run_id) const {
    std::vector<nlohmann::json> events;
    std::string page_token;
    do {
        std::string url = namespace_url() + "/workflows/" + escape_path(workflow_id) + "/history";
        std::string query;
        if (!run_id.empty()) query += "execution.runId=" + escape_path(run_id);
        if (!page_token.empty())
            query +=
                std::string(query.empty() ? "" : "&") + "nextPageToken=" + escape_path(page_token);
        if (!query.empty()) url += "?" + query;
        const auto response = send_json_request("GET", url, "", headers(), kRequestTimeout);
        if (response.status != 200) throw_for(response, url, "read the workflow's history");
        const auto document = parse_or_throw(response, url, "read the workflow's history");
        if (auto h = document.find("history"); h != document.end()) {
            if (auto e = h->find("events"); e != h->end() && e->is_array()) {
                for (const auto& event : *e) events.push_back(event);
            }
        }
        page_token = document.value("nextPageToken", "");
    } while (!page_token.empty());
    return events;
}

std::optional<WorkflowOutcome> HttpApi::outcome_of(const std::vector<nlohmann::json>& events) {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
        const std::string type = it->value("eventType", "");
        WorkflowOutcome outcome;
        if (type == "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED") {
            outcome.status = "completed";
            const auto& attributes = (*it)["workflowExecutionCompletedEventAttributes"];
            if (attributes.contains("result") && attributes["result"].is_array() &&
                !attributes["result"].empty()) {
                outcome.result = attributes["result"][0];
            }
            return outcome;
        }
        if (type == "EVENT_TYPE_WORKFLOW_EXECUTION_FAILED") {
            outcome.status = "failed";
            const auto& failure = (*it)["workflowExecutionFailedEventAttributes"]["failure"];
            outcome.failure = failure_text(failure, "the workflow failed");
            return outcome;
        }
        if (type == "EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT") outcome.status = "timed out";
        if (type == "EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED") outcome.status = "terminated";
        if (type == "EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED") outcome.status = "canceled";
        if (type == "EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW")
            outcome.status = "continued as new";
        if (!outcome.status.empty()) {
            outcome.failure = "the workflow was " + outcome.status;
            return outcome;
        }
    }
    return std::nullopt;
}

std::optional<WorkflowOutcome> HttpApi::update_outcome_of(const std::vector<nlohmann::json>& events,
                                                          const std::string& update_id) {
    for (const auto& event : events) {
        if (event.value("eventType", "") != "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED")
            continue;
        const auto& attributes = event.value("workflowExecutionUpdateCompletedEventAttributes",
                                             nlohmann::json::object());
        if (attributes.value("meta", nlohmann::json::object()).value("updateId", "") != update_id)
            continue;
        const auto& result = attributes.value("outcome", nlohmann::json::object());
        WorkflowOutcome outcome;
        if (result.contains("failure")) {
            outcome.status = "failed";
            outcome.failure = failure_text(result["failure"], "the update failed");
        } else {
            outcome.status = "completed";
            const auto& success = result.value("success", nlohmann::json::array());
            if (success.is_array() && !success.empty()) outcome.result = success[0];
        }
        return outcome;
    }
    return std::nullopt;
}

std::vector<nlohmann::json> HttpApi::events_after_update_accepted(
    const std::vector<nlohmann::json>& events, const std::string& update_id) {
    for (auto it = events.begin(); it != events.end(); ++it) {
        if (it->value("eventType", "") != "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED") continue;
        const auto& attributes =
            it->value("workflowExecutionUpdateAcceptedEventAttributes", nlohmann::json::object());
        if (attributes.value("protocolInstanceId", "") == update_id) {
            return {std::next(it), events.end()};
        }
    }
    return {};
}

}  // namespace stigmer::temporal
