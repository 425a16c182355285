#include "commands/run_progress.h"

#include <map>

namespace stigmer::commands {
namespace {

// Activity types of agent-runner's ExecuteAgent.
constexpr const char* kModelCall = "deepagents.invoke_model";
constexpr const char* kResolveModel = "ResolveModel";
constexpr const char* kSaveFiles = "SaveFiles";

// Temporal's JSON writes 64-bit ids as strings and smaller numbers as numbers.
std::string id_text(const nlohmann::json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number_integer()) return std::to_string(value.get<long long>());
    return "";
}

const nlohmann::json& attributes(const nlohmann::json& event, const char* name) {
    static const nlohmann::json kNone = nlohmann::json::object();
    const auto found = event.find(name);
    return found != event.end() ? *found : kNone;
}

}  // namespace

std::string describe_progress(const std::vector<nlohmann::json>& events) {
    std::map<std::string, std::string> activity_of;  // scheduled event id -> activity type
    std::map<std::string, int> call_number_of;       // scheduled event id -> model call number
    int model_calls = 0;
    std::string state = "queued";
    for (const auto& event : events) {
        const std::string type = event.value("eventType", "");
        if (type == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED") {
            const auto& a = attributes(event, "activityTaskScheduledEventAttributes");
            const std::string id = id_text(event.value("eventId", nlohmann::json()));
            const std::string name = attributes(a, "activityType").value("name", "");
            activity_of[id] = name;
            if (name == kModelCall) {
                call_number_of[id] = ++model_calls;
                state = "model call " + std::to_string(model_calls) + ": waiting for a worker";
            } else if (name == kResolveModel) {
                state = "starting";
            } else if (name == kSaveFiles) {
                state = "saving the agent's files";
            }
        } else if (type == "EVENT_TYPE_ACTIVITY_TASK_STARTED") {
            const auto& a = attributes(event, "activityTaskStartedEventAttributes");
            const std::string id = id_text(a.value("scheduledEventId", nlohmann::json()));
            if (activity_of[id] != kModelCall) continue;
            const int attempt = a.value("attempt", 1);
            state = "model call " + std::to_string(call_number_of[id]);
            if (attempt > 1) state += " (attempt " + std::to_string(attempt) + ")";
        } else if (type == "EVENT_TYPE_ACTIVITY_TASK_COMPLETED") {
            const auto& a = attributes(event, "activityTaskCompletedEventAttributes");
            const std::string id = id_text(a.value("scheduledEventId", nlohmann::json()));
            if (activity_of[id] == kModelCall) {
                state = "model call " + std::to_string(call_number_of[id]) + " done";
            }
        }
    }
    return state;
}

}  // namespace stigmer::commands
