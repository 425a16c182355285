#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "temporal/http_api.h"
#include "util/rfc3339.h"

namespace stigmer::commands {

using stigmer::TimePoint;

// The visibility query behind `stigmer runs`: agent executions (ExecuteAgent and AgentThread
// workflows), of one state if `state` is not empty ("running", "timed-out", ...). Throws
// Error(kUsage) for a state Temporal does not know.
std::string runs_visibility_query(const std::string& state);

// From start to close, or to `now` while it runs; nullopt without a start time.
std::optional<long long> run_duration_seconds(const temporal::ExecutionSummary& run, TimePoint now);

// "12s", "3m04s", "2h05m", "3d04h".
std::string format_run_duration(long long seconds);

// Local time, short: "14:03:12" today, "Nov 30 14:03" this year, "2025-11-30" before.
std::string format_run_start(TimePoint start, TimePoint now);

// The first `max_chars` characters (UTF-8) on one line, "..." when cut.
std::string prompt_excerpt(const std::string& prompt, std::size_t max_chars);

// One execution for `stigmer runs --json`: workflow_id, run_id, type, state, start_time,
// close_time, duration_seconds, total_tokens, model_calls, prompt (null when unknown).
nlohmann::json run_document(const temporal::ExecutionSummary& run, TimePoint now);

// The table `stigmer runs` prints: a header and one row per execution.
std::string render_runs_table(const std::vector<temporal::ExecutionSummary>& runs, TimePoint now);

}  // namespace stigmer::commands
