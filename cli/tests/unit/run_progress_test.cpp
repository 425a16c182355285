#include "commands/run_progress.h"

#include <gtest/gtest.h>

using nlohmann::json;
using stigmer::commands::describe_progress;

namespace {

json scheduled(int id, const std::string& activity) {
    return {{"eventId", std::to_string(id)},
            {"eventType", "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"},
            {"activityTaskScheduledEventAttributes", {{"activityType", {{"name", activity}}}}}};
}

json started(int scheduled_id, int attempt) {
    return {{"eventType", "EVENT_TYPE_ACTIVITY_TASK_STARTED"},
            {"activityTaskStartedEventAttributes",
             {{"scheduledEventId", std::to_string(scheduled_id)}, {"attempt", attempt}}}};
}

json completed(int scheduled_id) {
    return {{"eventType", "EVENT_TYPE_ACTIVITY_TASK_COMPLETED"},
            {"activityTaskCompletedEventAttributes",
             {{"scheduledEventId", std::to_string(scheduled_id)}}}};
}

}  // namespace

TEST(RunProgress, NamesTheModelCallInFlight) {
    std::vector<json> events = {json{{"eventType", "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"}}};
    EXPECT_EQ(describe_progress(events), "queued");
    events.push_back(scheduled(5, "ResolveModel"));
    EXPECT_EQ(describe_progress(events), "starting");
    events.push_back(started(5, 1));
    events.push_back(completed(5));
    events.push_back(scheduled(11, "deepagents.invoke_model"));
    EXPECT_EQ(describe_progress(events), "model call 1: waiting for a worker");
    events.push_back(started(11, 1));
    EXPECT_EQ(describe_progress(events), "model call 1");
    events.push_back(completed(11));
    EXPECT_EQ(describe_progress(events), "model call 1 done");
    events.push_back(scheduled(17, "deepagents.invoke_model"));
    events.push_back(started(17, 3));
    EXPECT_EQ(describe_progress(events), "model call 2 (attempt 3)");
    events.push_back(completed(17));
    events.push_back(scheduled(23, "SaveFiles"));
    EXPECT_EQ(describe_progress(events), "saving the agent's files");
}

TEST(RunProgress, ToleratesEventsWithoutAttributes) {
    const std::vector<json> events = {json{{"eventType", "EVENT_TYPE_ACTIVITY_TASK_STARTED"}},
                                      json{{"eventType", "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"}}};
    EXPECT_EQ(describe_progress(events), "queued");
}
