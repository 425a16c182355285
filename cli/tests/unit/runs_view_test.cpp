#include "commands/runs_view.h"

#include <gtest/gtest.h>

#include "util/error.h"

using nlohmann::json;
using stigmer::commands::TimePoint;
using stigmer::temporal::ExecutionSummary;
namespace commands = stigmer::commands;

namespace {

TimePoint at(const std::string& rfc3339) {
    const auto point = stigmer::parse_rfc3339(rfc3339);
    EXPECT_TRUE(point) << rfc3339;
    return point.value_or(TimePoint{});
}

ExecutionSummary execution(std::string status, std::string start, std::string close, json memo) {
    ExecutionSummary run;
    run.workflow_id = "stigmer-run-1";
    run.run_id = "r1";
    run.type = "ExecuteAgent";
    run.status = std::move(status);
    run.start_time = std::move(start);
    run.close_time = std::move(close);
    run.memo = std::move(memo);
    return run;
}

}  // namespace

TEST(RunsView, QueriesAgentWorkflowsOfOneState) {
    EXPECT_EQ(commands::runs_visibility_query(""),
              "WorkflowType IN ('ExecuteAgent','AgentThread')");
    EXPECT_EQ(commands::runs_visibility_query("running"),
              "WorkflowType IN ('ExecuteAgent','AgentThread') AND ExecutionStatus = 'Running'");
    EXPECT_NE(commands::runs_visibility_query("timed-out").find("'TimedOut'"), std::string::npos);
    EXPECT_NE(commands::runs_visibility_query("continued as new").find("'ContinuedAsNew'"),
              std::string::npos);
    EXPECT_NE(commands::runs_visibility_query("Cancelled").find("'Canceled'"), std::string::npos);
    try {
        commands::runs_visibility_query("done' OR 1=1");
        FAIL() << "an unknown state was accepted";
    } catch (const stigmer::Error& error) {
        EXPECT_EQ(error.code(), stigmer::ExitCode::kUsage);
    }
}

TEST(RunsView, ParsesTemporalsTimes) {
    const auto base = at("2026-11-30T22:10:57Z");
    EXPECT_EQ(at("2026-11-30T22:10:57.699737Z") - base, std::chrono::microseconds(699737));
    EXPECT_EQ(at("2026-11-30T22:10:57.699737678Z") - base, std::chrono::nanoseconds(699737678));
    EXPECT_EQ(at("2026-11-30T23:10:57+01:00"), base);
    EXPECT_EQ(at("2026-11-30T21:40:57-00:30"), base);
    EXPECT_EQ(std::chrono::system_clock::to_time_t(at("1970-01-02T00:00:00Z")), 86400);
    EXPECT_FALSE(stigmer::parse_rfc3339(""));
    EXPECT_FALSE(stigmer::parse_rfc3339("2026-11-30"));
    EXPECT_FALSE(stigmer::parse_rfc3339("2026-02-30T00:00:00Z"));
    EXPECT_FALSE(stigmer::parse_rfc3339("2026-11-30T22:10:57"));
    EXPECT_FALSE(stigmer::parse_rfc3339("2026-11-30T22:10:57Zjunk"));
}

TEST(RunsView, FormatsDurations) {
    EXPECT_EQ(commands::format_run_duration(0), "0s");
    EXPECT_EQ(commands::format_run_duration(12), "12s");
    EXPECT_EQ(commands::format_run_duration(184), "3m04s");
    EXPECT_EQ(commands::format_run_duration(3600 + 5 * 60 + 9), "1h05m");
    EXPECT_EQ(commands::format_run_duration(2 * 86400 + 3 * 3600), "2d03h");
}

TEST(RunsView, ARunningExecutionLastsUntilNow) {
    const auto now = at("2026-11-30T22:12:00Z");
    const auto running = execution("running", "2026-11-30T22:10:57.5Z", "", json::object());
    EXPECT_EQ(commands::run_duration_seconds(running, now), 62);
    const auto done =
        execution("completed", "2026-11-30T22:10:57.5Z", "2026-11-30T22:11:09.9Z", json::object());
    EXPECT_EQ(commands::run_duration_seconds(done, now), 12);
    EXPECT_FALSE(commands::run_duration_seconds(execution("running", "", "", json::object()), now));
}

TEST(RunsView, CutsLongPromptsOnCharacters) {
    EXPECT_EQ(commands::prompt_excerpt("short", 40), "short");
    EXPECT_EQ(commands::prompt_excerpt("line one\nline two", 40), "line one line two");
    EXPECT_EQ(commands::prompt_excerpt("abcdefghijkl", 10), "abcdefg...");
    EXPECT_EQ(commands::prompt_excerpt("abcdefghij", 10), "abcdefghij");
    // Nine two-byte characters then more: cut after six of them, never inside one.
    EXPECT_EQ(commands::prompt_excerpt("ééééééééééé", 9), "éééééé...");
}

TEST(RunsView, JsonHasNullsForWhatTheWorkflowDidNotRecord) {
    const auto now = at("2026-11-30T22:12:00Z");
    const auto from_temporal_cli = commands::run_document(
        execution("running", "2026-11-30T22:11:00Z", "", json::object()), now);
    EXPECT_EQ(from_temporal_cli["state"], "running");
    EXPECT_EQ(from_temporal_cli["duration_seconds"], 60);
    EXPECT_TRUE(from_temporal_cli["close_time"].is_null());
    EXPECT_TRUE(from_temporal_cli["total_tokens"].is_null());
    EXPECT_TRUE(from_temporal_cli["model_calls"].is_null());
    EXPECT_TRUE(from_temporal_cli["prompt"].is_null());

    const auto from_stigmer = commands::run_document(
        execution("completed", "2026-11-30T22:11:00Z", "2026-11-30T22:11:30Z",
                  {{"prompt", "Summarise"}, {"total_tokens", 1234}, {"model_calls", 3}}),
        now);
    EXPECT_EQ(from_stigmer["workflow_id"], "stigmer-run-1");
    EXPECT_EQ(from_stigmer["run_id"], "r1");
    EXPECT_EQ(from_stigmer["type"], "ExecuteAgent");
    EXPECT_EQ(from_stigmer["close_time"], "2026-11-30T22:11:30Z");
    EXPECT_EQ(from_stigmer["duration_seconds"], 30);
    EXPECT_EQ(from_stigmer["total_tokens"], 1234);
    EXPECT_EQ(from_stigmer["model_calls"], 3);
    EXPECT_EQ(from_stigmer["prompt"], "Summarise");
}

TEST(RunsView, TableShowsADashForEachAbsentField) {
    const auto now = at("2026-11-30T22:12:00Z");
    const std::string table = commands::render_runs_table(
        {execution("completed", "2026-11-30T22:08:56Z", "2026-11-30T22:12:00Z",
                   {{"prompt", "Summarise the files in this workspace, then list them all"},
                    {"total_tokens", 1234},
                    {"model_calls", 3}}),
         execution("running", "2026-11-30T22:11:48Z", "", {{"total_tokens", "junk"}})},
        now);
    std::vector<std::string> lines;
    for (std::size_t start = 0, end; (end = table.find('\n', start)) != std::string::npos;
         start = end + 1)
        lines.push_back(table.substr(start, end - start));
    ASSERT_EQ(lines.size(), 3U);
    EXPECT_EQ(lines[0].rfind("ID", 0), 0U);
    for (const char* column : {"STATE", "STARTED", "DURATION", "TOKENS", "MODEL CALLS", "PROMPT"})
        EXPECT_NE(lines[0].find(column), std::string::npos) << column;
    EXPECT_NE(lines[1].find("  completed  "), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find("  3m04s  "), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find("  1234  "), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find("Summarise the files in this workspace..."), std::string::npos);
    EXPECT_NE(lines[2].find("  12s  "), std::string::npos) << lines[2];
    EXPECT_EQ(lines[2].substr(lines[2].size() - 1), "-");  // no prompt
    // Columns line up: PROMPT starts at the same place on every line.
    const auto prompt_column = lines[0].find("PROMPT");
    EXPECT_EQ(lines[1].substr(prompt_column, 9), "Summarise");
    EXPECT_EQ(lines[2].substr(prompt_column), "-");
}
