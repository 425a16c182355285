#include "temporal/worker_deployment.h"

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "temporal/json_http.h"

namespace stigmer::temporal {
namespace {

constexpr std::chrono::milliseconds kTimeout{5'000};
// Temporal answers a routing change once the task queues have it: longer on a busy server.
constexpr std::chrono::milliseconds kRoutingTimeout{20'000};
constexpr const char* kIdentity = "stigmer daemon";

std::optional<nlohmann::json> parsed(const JsonResponse& response) {
    if (response.status != 200) return std::nullopt;
    try {
        return nlohmann::json::parse(response.body);
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

// Visibility strings are single-quoted; a quote inside one is doubled.
std::string quoted(const std::string& value) {
    std::string text = "'";
    for (char c : value) {
        text += c;
        if (c == '\'') text += '\'';
    }
    return text + "'";
}

}  // namespace

WorkerDeployment::WorkerDeployment(Endpoint endpoint, std::string name)
    : api_(std::move(endpoint)), name_(std::move(name)) {}

std::string WorkerDeployment::deployment_url() const {
    return api_.endpoint().http_url + "/api/v1/namespaces/" +
           escape_path(api_.endpoint().name_space) + "/worker-deployments/" + escape_path(name_);
}

namespace {
Credentials credentials_for(const Endpoint& endpoint) {
    Credentials c{{}, endpoint.tls};
    if (!endpoint.api_key.empty()) c.headers["Authorization"] = "Bearer " + endpoint.api_key;
    return c;
}
}  // namespace

bool WorkerDeployment::build_polls(const std::string& build_id,
                                   const std::string& task_queue) const {
    const auto& e = api_.endpoint();
    const std::string url = e.http_url + "/api/v1/namespaces/" + escape_path(e.name_space) +
                            "/worker-deployment-versions/" + escape_path(name_) + "/" +
                            escape_path(build_id);
    const auto document = parsed(send_json_request("GET", url, "", credentials_for(e), kTimeout));
    if (!document) return false;
    const auto info = document->value("workerDeploymentVersionInfo", nlohmann::json::object());
    for (const auto& queue : info.value("taskQueueInfos", nlohmann::json::array())) {
        if (queue.value("name", "") == task_queue) return true;
    }
    return false;
}

bool WorkerDeployment::set_current(const std::string& build_id) const {
    const nlohmann::json body = {{"buildId", build_id}, {"identity", kIdentity}};
    const auto response =
        send_json_request("POST", deployment_url() + "/set-current-version", body.dump(),
                          credentials_for(api_.endpoint()), kRoutingTimeout);
    return response.status == 200;
}

std::optional<std::string> WorkerDeployment::current_build() const {
    const auto document = parsed(
        send_json_request("GET", deployment_url(), "", credentials_for(api_.endpoint()), kTimeout));
    if (!document) return std::nullopt;
    const auto routing = document->value("workerDeploymentInfo", nlohmann::json::object())
                             .value("routingConfig", nlohmann::json::object());
    const auto current = routing.value("currentDeploymentVersion", nlohmann::json::object());
    const std::string build = current.value("buildId", "");
    if (build.empty()) return std::nullopt;
    return build;
}

std::optional<std::vector<std::string>> WorkerDeployment::builds() const {
    const auto response =
        send_json_request("GET", deployment_url(), "", credentials_for(api_.endpoint()), kTimeout);
    if (response.status == 404) return std::vector<std::string>{};
    const auto document = parsed(response);
    if (!document) return std::nullopt;
    std::vector<std::string> result;
    const auto info = document->value("workerDeploymentInfo", nlohmann::json::object());
    for (const auto& summary : info.value("versionSummaries", nlohmann::json::array())) {
        const auto build =
            summary.value("deploymentVersion", nlohmann::json::object()).value("buildId", "");
        if (!build.empty()) result.push_back(build);
    }
    return result;
}

std::string WorkerDeployment::open_pinned_query(const std::string& build_id) const {
    return "TemporalWorkerDeploymentVersion = " + quoted(name_ + ":" + build_id) +
           " AND TemporalWorkflowVersioningBehavior = 'Pinned' AND ExecutionStatus = 'Running'";
}

std::optional<long> WorkerDeployment::open_pinned(const std::string& build_id) const {
    const auto& e = api_.endpoint();
    const std::string url = e.http_url + "/api/v1/namespaces/" + escape_path(e.name_space) +
                            "/workflow-count?query=" + escape_path(open_pinned_query(build_id));
    const auto document = parsed(send_json_request("GET", url, "", credentials_for(e), kTimeout));
    if (!document) return std::nullopt;
    // Protobuf's JSON writes 64-bit integers as strings, and leaves out zero.
    const auto count = document->find("count");
    if (count == document->end()) return 0;
    try {
        return count->is_string() ? std::stol(count->get<std::string>()) : count->get<long>();
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::vector<std::string> WorkerDeployment::open_pinned_ids(const std::string& build_id,
                                                           int limit) const {
    std::vector<std::string> ids;
    try {
        for (const auto& summary : api_.list_workflows(open_pinned_query(build_id), limit))
            ids.push_back(summary.workflow_id);
    } catch (const std::exception&) {
        // Asked again on the next round.
    }
    return ids;
}

bool WorkerDeployment::move_to(const std::string& workflow_id, const std::string& build_id) const {
    const auto& e = api_.endpoint();
    const std::string url = e.http_url + "/api/v1/namespaces/" + escape_path(e.name_space) +
                            "/workflows/" + escape_path(workflow_id) + "/update-options";
    const nlohmann::json body = {
        {"workflowExecutionOptions",
         {{"versioningOverride",
           {{"pinned",
             {{"behavior", "PINNED_OVERRIDE_BEHAVIOR_PINNED"},
              {"version", {{"deploymentName", name_}, {"buildId", build_id}}}}}}}}},
        {"updateMask", "versioningOverride"},
    };
    return send_json_request("POST", url, body.dump(), credentials_for(e), kRoutingTimeout)
               .status == 200;
}

}  // namespace stigmer::temporal
