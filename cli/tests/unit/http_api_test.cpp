#include "temporal/http_api.h"

#include <gtest/gtest.h>

using nlohmann::json;
using stigmer::temporal::HttpApi;

namespace {

json accepted(const std::string& update_id) {
    return {
        {"eventType", "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED"},
        {"workflowExecutionUpdateAcceptedEventAttributes", {{"protocolInstanceId", update_id}}}};
}

json completed(const std::string& update_id, const json& outcome) {
    return {{"eventType", "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED"},
            {"workflowExecutionUpdateCompletedEventAttributes",
             {{"meta", {{"updateId", update_id}}}, {"outcome", outcome}}}};
}

}  // namespace

TEST(HttpApiUpdates, FindsTheOutcomeOfItsOwnUpdate) {
    const std::vector<json> events = {
        accepted("turn-1"), completed("turn-1", {{"success", json::array({{{"answer", "one"}}})}}),
        accepted("turn-2"),
        completed("turn-2",
                  {{"failure", {{"message", "anthropic refused the request (HTTP 401)"}}}})};
    const auto first = HttpApi::update_outcome_of(events, "turn-1");
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->completed());
    EXPECT_EQ(first->result.value("answer", ""), "one");
    const auto second = HttpApi::update_outcome_of(events, "turn-2");
    ASSERT_TRUE(second);
    EXPECT_EQ(second->status, "failed");
    EXPECT_EQ(second->failure, "anthropic refused the request (HTTP 401)");
    EXPECT_FALSE(HttpApi::update_outcome_of(events, "turn-3"));
}

TEST(HttpApiUpdates, ProgressStartsAtTheUpdatesAcceptance) {
    const json step = {{"eventType", "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"}};
    const std::vector<json> events = {accepted("turn-1"), step, accepted("turn-2"), step, step};
    EXPECT_EQ(HttpApi::events_after_update_accepted(events, "turn-1").size(), 4U);
    EXPECT_EQ(HttpApi::events_after_update_accepted(events, "turn-2").size(), 2U);
    EXPECT_TRUE(HttpApi::events_after_update_accepted(events, "turn-3").empty());
}

TEST(HttpApiUpdates, AContinuedRunIsAClosedOne) {
    const std::vector<json> events = {
        json{{"eventType", "EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW"}}};
    const auto outcome = HttpApi::outcome_of(events);
    ASSERT_TRUE(outcome);
    EXPECT_EQ(outcome->status, "continued as new");
}
