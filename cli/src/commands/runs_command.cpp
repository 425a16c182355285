#include "commands/runs_command.h"

#include <iostream>

#include "commands/runs_view.h"
#include "commands/stack_endpoint.h"
#include "temporal/http_api.h"

namespace stigmer::commands {
namespace {

struct RunsFlags {
    int limit = 20;
    std::string state;
};

void list_runs(const GlobalOptions& options, const RunsFlags& flags) {
    const std::string query = runs_visibility_query(flags.state);  // usage errors first
    Context context(options);
    const auto stack = find_stack_endpoint(context);
    const temporal::HttpApi api(stack.endpoint);
    const auto runs = api.list_workflows(query, flags.limit);
    const auto now = std::chrono::system_clock::now();
    if (options.json) {
        nlohmann::json documents = nlohmann::json::array();
        for (const auto& run : runs) documents.push_back(run_document(run, now));
        std::cout << documents.dump(2) << '\n';
        return;
    }
    if (runs.empty()) {
        if (flags.state.empty()) {
            std::cout << "no agent executions in namespace " << stack.endpoint.name_space
                      << " yet; start one with 'stigmer run \"PROMPT\"'\n";
        } else {
            std::cout << "no " << flags.state << " agent executions in namespace "
                      << stack.endpoint.name_space << "; 'stigmer runs' lists every state\n";
        }
        return;
    }
    std::cout << render_runs_table(runs, now);
}

}  // namespace

void add_runs_command(CLI::App& app, GlobalOptions& options, std::function<void()>& action) {
    static RunsFlags flags;
    auto* runs = app.add_subcommand(
        "runs", "List recent agent executions: state, start, duration, tokens, prompt");
    runs->add_option("--limit", flags.limit, "how many executions to show (default 20)")
        ->check(CLI::Range(1, 1000));
    runs->add_option("--state", flags.state,
                     "only executions in this state: running, completed, failed, canceled, "
                     "terminated, timed-out, continued-as-new");
    runs->footer(R"(Running executions come first, then the most recently ended. Executions started
with the Temporal CLI are listed too; what they do not record (prompt, tokens) shows as "-".

Examples:
  stigmer runs                           the last 20 agent executions
  stigmer runs --state running           what is running now
  stigmer runs --state failed --limit 5
  stigmer runs --json                    for scripts: workflow_id, state, duration_seconds,
                                         total_tokens, model_calls, prompt, ...)");
    runs->callback([&] { action = [&] { list_runs(options, flags); }; });
}

}  // namespace stigmer::commands
