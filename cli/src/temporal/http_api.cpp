#include "temporal/http_api.h"

#include <curl/curl.h>
#include <sodium.h>

#include <cctype>
#include <string_view>

#include "temporal/json_http.h"
#include "util/error.h"

namespace stigmer::temporal {
namespace {

constexpr std::chrono::milliseconds kRequestTimeout{15'000};
// Temporal holds an update request up to about 20 s waiting for a worker to accept it.
constexpr std::chrono::milliseconds kUpdateRequestTimeout{70'000};
// Temporal answers a query no worker picks up after 30 s ("query timed out"): wait for that
// answer rather than a transport timeout that would blame the network.

std::string message_of(const JsonResponse& response) {
    try {
        return nlohmann::json::parse(response.body).value("message", "");
    } catch (const nlohmann::json::exception&) {
        return "";
    }
}

[[noreturn]] void throw_for(const JsonResponse& response, const std::string& url,
                            const std::string& doing) {
    if (response.status == 0) {
        throw Error(ExitCode::kNetwork,
                    "cannot reach Temporal to " + doing + " (" + response.transport_error + ")",
                    url, "check that the stack is running with 'stigmer server status'");
    }
    const std::string message = message_of(response);
    throw Error(ExitCode::kFailure,
                "Temporal refused to " + doing + " (HTTP " + std::to_string(response.status) +
                    (message.empty() ? "" : ": " + message) + ")",
                url, "check the namespace and task queue in config.toml");
}

// HTTP 404 for a workflow: none with that id, its run has ended (for an update), or something
// it held is gone (an update the ending workflow dropped): Temporal's words then.
[[noreturn]] void throw_not_found(const JsonResponse& response, const std::string& url,
                                  const std::string& workflow_id, const std::string& name_space) {
    const std::string message = message_of(response);
    std::string what = "there is no workflow " + workflow_id + " in namespace " + name_space;
    if (message.find("already completed") != std::string::npos) {
        what = "workflow " + workflow_id + " has already ended";
    } else if (!message.empty() && message.find("workflow not found") == std::string::npos) {
        what = "workflow " + workflow_id + ": " + message;
    }
    throw Error(ExitCode::kNotAvailable, what, url, "list recent executions with 'stigmer runs'");
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

Credentials HttpApi::credentials() const {
    Credentials c{{}, endpoint_.tls};
    if (!endpoint_.api_key.empty()) c.headers["Authorization"] = "Bearer " + endpoint_.api_key;
    return c;
}

bool HttpApi::namespace_reachable(std::chrono::milliseconds timeout) const {
    const auto response = send_json_request("GET", namespace_url(), "", credentials(), timeout);
    return response.status == 200;
}

int HttpApi::workflow_poller_count(const std::string& task_queue) const {
    const std::string url = namespace_url() + "/task-queues/" + escape_path(task_queue) +
                            "?taskQueueType=TASK_QUEUE_TYPE_WORKFLOW";
    const auto response =
        send_json_request("GET", url, "", credentials(), std::chrono::milliseconds(5000));
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
    // The HTTP API takes each memo value in the payload shorthand: the JSON value itself.
    if (start.memo.is_object() && !start.memo.empty()) request["memo"] = {{"fields", start.memo}};
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
        send_json_request("POST", url, request.dump(), credentials(), kRequestTimeout);
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
        send_json_request("POST", url, body.dump(), credentials(), kUpdateRequestTimeout);
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
        const auto response = send_json_request("GET", url, "", credentials(), kRequestTimeout);
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

std::string HttpApi::workflow_url(const std::string& workflow_id) const {
    return namespace_url() + "/workflows/" + escape_path(workflow_id);
}

nlohmann::json HttpApi::query_workflow(const std::string& workflow_id, const std::string& run_id,
                                       const std::string& query_type, const nlohmann::json& arg,
                                       std::chrono::milliseconds timeout) const {
    const std::string url = workflow_url(workflow_id) + "/query/" + escape_path(query_type);
    nlohmann::json request = {
        {"execution", {{"workflowId", workflow_id}}},
        {"query", {{"queryType", query_type}, {"queryArgs", nlohmann::json::array({arg})}}},
    };
    if (!run_id.empty()) request["execution"]["runId"] = run_id;
    const auto response = send_json_request("POST", url, request.dump(), credentials(), timeout);
    const std::string doing = "query workflow " + workflow_id;
    if (response.status == 404) throw_not_found(response, url, workflow_id, endpoint_.name_space);
    if (response.status == 504) {
        throw Error(ExitCode::kNotAvailable,
                    "no worker answered query '" + query_type + "' of workflow " + workflow_id, url,
                    "check that agent-runner is ready with 'stigmer server status'");
    }
    if (response.status == 400) {
        // A query the worker ran and failed (unknown query type, an exception in the handler).
        const std::string message = message_of(response);
        throw Error(ExitCode::kFailure,
                    "query '" + query_type + "' of workflow " + workflow_id + " failed" +
                        (message.empty() ? "" : ": " + message),
                    url, "check that the stack's agent-runner is as new as this stigmer");
    }
    if (response.status != 200) throw_for(response, url, doing);
    const auto document = parse_or_throw(response, url, doing);
    if (const auto rejected = document.find("queryRejected");
        rejected != document.end() && rejected->is_object()) {
        throw Error(ExitCode::kNotAvailable,
                    "workflow " + workflow_id + " rejected query '" + query_type + "' (it is " +
                        status_name(rejected->value("status", "")) + ")",
                    url, "list recent executions with 'stigmer runs'");
    }
    const auto result = document.find("queryResult");
    if (result == document.end()) return nullptr;
    // Payloads come as {"payloads": [...]} or, in shorthand, as the array itself.
    const nlohmann::json& payloads =
        result->is_object() && result->contains("payloads") ? (*result)["payloads"] : *result;
    if (!payloads.is_array() || payloads.empty()) return nullptr;
    return decode_payload(payloads[0]);
}

void HttpApi::cancel_workflow(const std::string& workflow_id, const std::string& run_id,
                              const std::string& reason) const {
    const std::string url = workflow_url(workflow_id) + "/cancel";
    nlohmann::json request = {
        {"workflowExecution", {{"workflowId", workflow_id}}},
        {"identity", "stigmer"},
        {"reason", reason},
    };
    if (!run_id.empty()) request["workflowExecution"]["runId"] = run_id;
    const auto response =
        send_json_request("POST", url, request.dump(), credentials(), kRequestTimeout);
    if (response.status == 404) throw_not_found(response, url, workflow_id, endpoint_.name_space);
    if (response.status != 200) throw_for(response, url, "cancel workflow " + workflow_id);
}

void HttpApi::signal_workflow(const std::string& workflow_id, const std::string& signal_name,
                              const nlohmann::json& arg) const {
    const std::string url = workflow_url(workflow_id) + "/signal/" + escape_path(signal_name);
    const nlohmann::json request = {
        {"workflowExecution", {{"workflowId", workflow_id}}},
        {"signalName", signal_name},
        {"input", nlohmann::json::array({arg})},
        {"identity", "stigmer"},
    };
    const auto response =
        send_json_request("POST", url, request.dump(), credentials(), kRequestTimeout);
    if (response.status == 404) throw_not_found(response, url, workflow_id, endpoint_.name_space);
    if (response.status != 200) throw_for(response, url, "signal workflow " + workflow_id);
}

WorkflowOutcome HttpApi::update_workflow(const std::string& workflow_id,
                                         const std::string& update_name,
                                         const std::string& update_id,
                                         const nlohmann::json& arg) const {
    const std::string url = workflow_url(workflow_id) + "/update/" + escape_path(update_name);
    const nlohmann::json request = {
        {"workflowExecution", {{"workflowId", workflow_id}}},
        {"request",
         {{"meta", {{"updateId", update_id}, {"identity", "stigmer"}}},
          {"input", {{"name", update_name}, {"args", nlohmann::json::array({arg})}}}}},
        {"waitPolicy", {{"lifecycleStage", "UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED"}}},
    };
    const std::string doing = "send update '" + update_name + "' to workflow " + workflow_id;
    // Temporal answers after about 20 s even if the update has not completed; sending the same
    // update id again waits for the same update, so ask again until the deadline.
    const auto deadline = std::chrono::steady_clock::now() + kUpdateRequestTimeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        const auto response = send_json_request("POST", url, request.dump(), credentials(), left);
        if (response.status == 404)
            throw_not_found(response, url, workflow_id, endpoint_.name_space);
        if (response.status == 0 && std::chrono::steady_clock::now() >= deadline) break;
        if (response.status != 200) throw_for(response, url, doing);
        if (auto outcome = update_response_outcome(parse_or_throw(response, url, doing)))
            return *outcome;
    }
    throw Error(ExitCode::kNotAvailable,
                "no worker completed update '" + update_name + "' of workflow " + workflow_id +
                    " within " + std::to_string(kUpdateRequestTimeout.count() / 1000) + " s",
                url, "check that agent-runner is ready with 'stigmer server status'");
}

std::vector<ExecutionSummary> HttpApi::list_workflows(const std::string& visibility_query,
                                                      int page_size) const {
    std::string url = namespace_url() + "/workflows?pageSize=" + std::to_string(page_size);
    if (!visibility_query.empty()) url += "&query=" + escape_path(visibility_query);
    const auto response = send_json_request("GET", url, "", credentials(), kRequestTimeout);
    if (response.status != 200) throw_for(response, url, "list workflows");
    const auto document = parse_or_throw(response, url, "list workflows");
    std::vector<ExecutionSummary> summaries;
    if (const auto executions = document.find("executions");
        executions != document.end() && executions->is_array()) {
        for (const auto& info : *executions) summaries.push_back(summary_of(info));
    }
    return summaries;
}

std::optional<ExecutionSummary> HttpApi::describe_workflow(const std::string& workflow_id,
                                                           const std::string& run_id) const {
    std::string url = workflow_url(workflow_id);
    if (!run_id.empty()) url += "?execution.runId=" + escape_path(run_id);
    const auto response = send_json_request("GET", url, "", credentials(), kRequestTimeout);
    if (response.status == 404) return std::nullopt;
    const std::string doing = "describe workflow " + workflow_id;
    if (response.status != 200) throw_for(response, url, doing);
    const auto document = parse_or_throw(response, url, doing);
    return summary_of(document.value("workflowExecutionInfo", nlohmann::json::object()));
}

ExecutionSummary HttpApi::summary_of(const nlohmann::json& info) {
    ExecutionSummary summary;
    if (!info.is_object()) return summary;
    const auto execution = info.value("execution", nlohmann::json::object());
    summary.workflow_id = execution.value("workflowId", "");
    summary.run_id = execution.value("runId", "");
    summary.type = info.value("type", nlohmann::json::object()).value("name", "");
    summary.status = status_name(info.value("status", ""));
    summary.start_time = info.value("startTime", "");
    summary.close_time = info.value("closeTime", "");
    const auto memo = info.value("memo", nlohmann::json::object());
    if (const auto fields = memo.find("fields"); fields != memo.end() && fields->is_object()) {
        for (const auto& [key, payload] : fields->items())
            summary.memo[key] = decode_payload(payload);
    }
    return summary;
}

namespace {

std::optional<std::string> from_base64(const std::string& text) {
    std::string bytes(text.size(), '\0');
    std::size_t length = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(),
                          text.c_str(), text.size(), "\n\r ", &length, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return std::nullopt;
    bytes.resize(length);
    return bytes;
}

}  // namespace

nlohmann::json HttpApi::decode_payload(const nlohmann::json& payload) {
    // The full form is what the HTTP API sends for a payload it cannot show as plain JSON.
    const bool full_form = payload.is_object() && payload.size() <= 2 &&
                           payload.contains("metadata") && payload["metadata"].is_object() &&
                           payload["metadata"].contains("encoding") &&
                           payload["metadata"]["encoding"].is_string() &&
                           (!payload.contains("data") || payload["data"].is_string());
    if (!full_form) return payload;
    const auto encoding = from_base64(payload["metadata"]["encoding"].get<std::string>());
    if (!encoding || *encoding != "json/plain") return nullptr;
    const auto data = from_base64(payload.value("data", ""));
    if (!data) return nullptr;
    try {
        return nlohmann::json::parse(*data);
    } catch (const nlohmann::json::exception&) {
        return nullptr;
    }
}

std::string HttpApi::status_name(const std::string& execution_status) {
    static constexpr std::string_view kPrefix = "WORKFLOW_EXECUTION_STATUS_";
    std::string name = execution_status.starts_with(kPrefix)
                           ? execution_status.substr(kPrefix.size())
                           : execution_status;
    for (char& c : name) {
        c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return name.empty() ? "unknown" : name;
}

std::optional<WorkflowOutcome> HttpApi::update_response_outcome(const nlohmann::json& response) {
    const auto outcome = response.find("outcome");
    if (outcome == response.end() || !outcome->is_object()) return std::nullopt;
    WorkflowOutcome result;
    if (const auto failure = outcome->find("failure"); failure != outcome->end()) {
        result.status = "failed";
        result.failure = failure_text(*failure, "the update failed");
        return result;
    }
    const auto success = outcome->find("success");
    if (success == outcome->end()) return std::nullopt;
    result.status = "completed";
    const nlohmann::json& payloads =
        success->is_object() && success->contains("payloads") ? (*success)["payloads"] : *success;
    if (payloads.is_array() && !payloads.empty()) result.result = decode_payload(payloads[0]);
    return result;
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
