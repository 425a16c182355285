#include "commands/runs_view.h"

#include <algorithm>
#include <ctime>
#include <map>

#include "util/error.h"

namespace stigmer::commands {
namespace {

constexpr const char* kAgentWorkflows = "WorkflowType IN ('ExecuteAgent','AgentThread')";

// "12" with a leading zero below 10: the second unit of a duration, "3m04s".
std::string two_digits(long long value) {
    return (value < 10 ? "0" : "") + std::to_string(value);
}

std::tm local_time(TimePoint point) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(point);
    std::tm local{};
#ifdef _WIN32
    localtime_s(&local, &seconds);
#else
    localtime_r(&seconds, &local);
#endif
    return local;
}

nlohmann::json string_or_null(const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

nlohmann::json memo_number(const temporal::ExecutionSummary& run, const char* key) {
    const auto it = run.memo.find(key);
    return it != run.memo.end() && it->is_number() ? *it : nlohmann::json(nullptr);
}

std::string memo_prompt(const temporal::ExecutionSummary& run) {
    const auto it = run.memo.find("prompt");
    return it != run.memo.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string runs_visibility_query(const std::string& state) {
    if (state.empty()) return kAgentWorkflows;
    // Temporal's ExecutionStatus values, by the names `stigmer runs` shows (any separator).
    static const std::map<std::string, std::string> kStatuses = {
        {"running", "Running"},    {"completed", "Completed"},
        {"failed", "Failed"},      {"canceled", "Canceled"},
        {"cancelled", "Canceled"}, {"terminated", "Terminated"},
        {"timedout", "TimedOut"},  {"continuedasnew", "ContinuedAsNew"},
    };
    std::string key;
    for (const char c : state) {
        if (c != '-' && c != '_' && c != ' ')
            key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const auto status = kStatuses.find(key);
    if (status == kStatuses.end()) {
        throw Error(ExitCode::kUsage, "unknown state '" + state + "'", "--state",
                    "use running, completed, failed, canceled, terminated, timed-out or "
                    "continued-as-new");
    }
    return std::string(kAgentWorkflows) + " AND ExecutionStatus = '" + status->second + "'";
}

std::optional<long long> run_duration_seconds(const temporal::ExecutionSummary& run,
                                              TimePoint now) {
    const auto start = parse_rfc3339(run.start_time);
    if (!start) return std::nullopt;
    const auto close = run.close_time.empty() ? std::nullopt : parse_rfc3339(run.close_time);
    const auto end = close ? *close : now;
    return std::max(0LL,
                    static_cast<long long>(
                        std::chrono::duration_cast<std::chrono::seconds>(end - *start).count()));
}

std::string format_run_duration(long long seconds) {
    if (seconds < 60) return std::to_string(seconds) + "s";
    if (seconds < 3600) return std::to_string(seconds / 60) + "m" + two_digits(seconds % 60) + "s";
    if (seconds < 86400)
        return std::to_string(seconds / 3600) + "h" + two_digits(seconds % 3600 / 60) + "m";
    return std::to_string(seconds / 86400) + "d" + two_digits(seconds % 86400 / 3600) + "h";
}

std::string format_run_start(TimePoint start, TimePoint now) {
    const std::tm when = local_time(start);
    const std::tm today = local_time(now);
    const char* format = "%Y-%m-%d";
    if (when.tm_year == today.tm_year) {
        format = when.tm_yday == today.tm_yday ? "%H:%M:%S" : "%b %d %H:%M";
    }
    char buffer[32];
    const std::size_t n = std::strftime(buffer, sizeof buffer, format, &when);
    return std::string(buffer, n);
}

std::string prompt_excerpt(const std::string& prompt, std::size_t max_chars) {
    std::string excerpt;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < prompt.size(); ++i) {
        const auto byte = static_cast<unsigned char>(prompt[i]);
        const bool continuation = (byte & 0xC0) == 0x80;
        if (!continuation && chars++ == max_chars) {
            // Cut on a character boundary; the mark takes the last three places.
            std::size_t keep = excerpt.size();
            for (int dropped = 0; dropped < 3 && keep > 0; ++dropped) {
                do --keep;
                while (keep > 0 && (static_cast<unsigned char>(excerpt[keep]) & 0xC0) == 0x80);
            }
            return excerpt.substr(0, keep) + "...";
        }
        // One line per row: a newline or tab in the prompt would break the table.
        excerpt += byte == '\n' || byte == '\r' || byte == '\t' ? ' ' : prompt[i];
    }
    return excerpt;
}

nlohmann::json run_document(const temporal::ExecutionSummary& run, TimePoint now) {
    const auto duration = run_duration_seconds(run, now);
    const auto prompt = run.memo.find("prompt");
    return {
        {"workflow_id", run.workflow_id},
        {"run_id", run.run_id},
        {"type", run.type},
        {"state", run.status},
        {"start_time", string_or_null(run.start_time)},
        {"close_time", string_or_null(run.close_time)},
        {"duration_seconds", duration ? nlohmann::json(*duration) : nlohmann::json(nullptr)},
        {"total_tokens", memo_number(run, "total_tokens")},
        {"model_calls", memo_number(run, "model_calls")},
        {"prompt",
         prompt != run.memo.end() && prompt->is_string() ? *prompt : nlohmann::json(nullptr)},
    };
}

std::string render_runs_table(const std::vector<temporal::ExecutionSummary>& runs, TimePoint now) {
    std::vector<std::vector<std::string>> rows{
        {"ID", "STATE", "STARTED", "DURATION", "TOKENS", "MODEL CALLS", "PROMPT"}};
    for (const auto& run : runs) {
        const auto start = parse_rfc3339(run.start_time);
        const auto duration = run_duration_seconds(run, now);
        const auto tokens = memo_number(run, "total_tokens");
        const auto calls = memo_number(run, "model_calls");
        const std::string prompt = prompt_excerpt(memo_prompt(run), 40);
        rows.push_back({run.workflow_id, run.status, start ? format_run_start(*start, now) : "-",
                        duration ? format_run_duration(*duration) : "-",
                        tokens.is_null() ? "-" : tokens.dump(),
                        calls.is_null() ? "-" : calls.dump(), prompt.empty() ? "-" : prompt});
    }
    std::vector<std::size_t> widths(rows[0].size(), 0);
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    std::string table;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
        }
        table += line + "\n";
    }
    return table;
}

}  // namespace stigmer::commands
