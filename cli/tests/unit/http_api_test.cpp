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

// As Temporal's HTTP API answers ListWorkflowExecutions / DescribeWorkflowExecution (1.5.1 dev
// server): memo values in the payload shorthand.
TEST(HttpApiVisibility, ReadsAnExecutionInfo) {
    const json info = json::parse(R"({
        "execution": {"workflowId": "stigmer-run-1", "runId": "01a22e82-dc23"},
        "type": {"name": "ExecuteAgent"},
        "startTime": "2026-11-30T22:10:57.699737Z",
        "closeTime": "2026-11-30T22:11:09.100000Z",
        "status": "WORKFLOW_EXECUTION_STATUS_COMPLETED",
        "memo": {"fields": {"prompt": "hello", "total_tokens": 1234, "model_calls": 2}},
        "taskQueue": "q"})");
    const auto summary = HttpApi::summary_of(info);
    EXPECT_EQ(summary.workflow_id, "stigmer-run-1");
    EXPECT_EQ(summary.run_id, "01a22e82-dc23");
    EXPECT_EQ(summary.type, "ExecuteAgent");
    EXPECT_EQ(summary.status, "completed");
    EXPECT_EQ(summary.start_time, "2026-11-30T22:10:57.699737Z");
    EXPECT_EQ(summary.close_time, "2026-11-30T22:11:09.100000Z");
    EXPECT_EQ(summary.memo,
              (json{{"prompt", "hello"}, {"total_tokens", 1234}, {"model_calls", 2}}));
}

TEST(HttpApiVisibility, ARunningExecutionWithoutMemo) {
    const auto summary = HttpApi::summary_of({{"execution", {{"workflowId", "x"}, {"runId", "r"}}},
                                              {"type", {{"name", "AgentThread"}}},
                                              {"startTime", "2026-11-30T22:10:49.385459Z"},
                                              {"status", "WORKFLOW_EXECUTION_STATUS_RUNNING"},
                                              {"memo", json::object()}});
    EXPECT_EQ(summary.status, "running");
    EXPECT_TRUE(summary.close_time.empty());
    EXPECT_TRUE(summary.memo.is_object());
    EXPECT_TRUE(summary.memo.empty());
}

TEST(HttpApiVisibility, NamesEveryStatus) {
    EXPECT_EQ(HttpApi::status_name("WORKFLOW_EXECUTION_STATUS_TIMED_OUT"), "timed out");
    EXPECT_EQ(HttpApi::status_name("WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW"),
              "continued as new");
    EXPECT_EQ(HttpApi::status_name("WORKFLOW_EXECUTION_STATUS_CANCELED"), "canceled");
    EXPECT_EQ(HttpApi::status_name("WORKFLOW_EXECUTION_STATUS_TERMINATED"), "terminated");
    EXPECT_EQ(HttpApi::status_name(""), "unknown");
}

TEST(HttpApiPayloads, DecodesTheFullFormAndKeepsTheShorthand) {
    // base64("json/plain") and base64("{\"a\":[1,2]}")
    EXPECT_EQ(HttpApi::decode_payload(
                  {{"metadata", {{"encoding", "anNvbi9wbGFpbg=="}}}, {"data", "eyJhIjpbMSwyXX0="}}),
              (json{{"a", {1, 2}}}));
    // base64("binary/null"): Python's None
    EXPECT_TRUE(
        HttpApi::decode_payload({{"metadata", {{"encoding", "YmluYXJ5L251bGw="}}}}).is_null());
    // base64("binary/plain"): bytes, not JSON
    EXPECT_TRUE(HttpApi::decode_payload(
                    {{"metadata", {{"encoding", "YmluYXJ5L3BsYWlu"}}}, {"data", "aGk="}})
                    .is_null());
    EXPECT_EQ(HttpApi::decode_payload("hello"), "hello");
    EXPECT_EQ(HttpApi::decode_payload(42), 42);
    const json lookalike = {{"metadata", "not a payload"}, {"data", 1}};
    EXPECT_EQ(HttpApi::decode_payload(lookalike), lookalike);
}

// UpdateWorkflowExecution's answers, as the dev server gives them with stage COMPLETED.
TEST(HttpApiUpdates, ReadsAnUpdateResponse) {
    const auto approved = HttpApi::update_response_outcome(json::parse(R"({
        "updateRef": {"workflowExecution": {"workflowId": "y1", "runId": "r"}, "updateId": "u2"},
        "outcome": {"success": [{"approved": true, "args": "path=/a.txt", "tool": "write_file"}]},
        "stage": "UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED"})"));
    ASSERT_TRUE(approved);
    EXPECT_TRUE(approved->completed());
    EXPECT_EQ(approved->result.value("tool", ""), "write_file");

    // A validator's rejection is the update's failure.
    const auto rejected = HttpApi::update_response_outcome(json::parse(R"({
        "updateRef": {"workflowExecution": {"workflowId": "y1", "runId": "r"}, "updateId": "u3"},
        "outcome": {"failure": {"message": "nothing in y1 waits for approval",
                                "applicationFailureInfo": {"type": "ValueError"}}},
        "stage": "UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED"})"));
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->status, "failed");
    EXPECT_EQ(rejected->failure, "nothing in y1 waits for approval");

    // Temporal stopped waiting (no worker yet): ask again.
    EXPECT_FALSE(HttpApi::update_response_outcome(json::parse(R"({
        "updateRef": {"workflowExecution": {"workflowId": "x4", "runId": "r"}, "updateId": "u1"},
        "stage": "UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED"})")));
}
