#include "commands/approval_commands.h"

#include <iostream>

#include "commands/ids.h"
#include "commands/stack_endpoint.h"
#include "temporal/http_api.h"
#include "util/error.h"

namespace stigmer::commands {
namespace {

// The update the agent workflows take a decision by; their validator refuses it unless a tool
// call waits for approval.
constexpr const char* kDecideUpdate = "Decide";

struct DecisionFlags {
    std::string workflow_id;
    std::string reason;
};

void decide(const GlobalOptions& options, const DecisionFlags& flags, bool approve) {
    Context context(options);
    const auto stack = find_stack_endpoint(context);
    const temporal::HttpApi api(stack.endpoint);
    const nlohmann::json decision = {{"approve", approve}, {"reason", flags.reason}};
    const auto outcome = api.update_workflow(flags.workflow_id, kDecideUpdate,
                                             new_id("stigmer-decision-"), decision);
    if (!outcome.completed()) {
        // The validator's words, e.g. "nothing in stigmer-run-123 waits for approval".
        const bool names_it = outcome.failure.find(flags.workflow_id) != std::string::npos;
        throw Error(ExitCode::kNotAvailable, outcome.failure, names_it ? "" : flags.workflow_id,
                    "see its state with 'stigmer runs'");
    }
    const auto& result = outcome.result;
    if (options.json) {
        nlohmann::json document = result.is_object() ? result : nlohmann::json::object();
        document["workflow_id"] = flags.workflow_id;
        std::cout << document.dump(2) << '\n';
        return;
    }
    const bool approved = result.is_object() ? result.value("approved", approve) : approve;
    std::string tool = result.is_object() ? result.value("tool", "") : "";
    if (tool.empty()) tool = "the tool call";
    const std::string args = result.is_object() ? result.value("args", "") : "";
    std::cout << (approved ? "approved " : "denied ") << tool << "(" << args << ") in "
              << flags.workflow_id << '\n';
}

}  // namespace

void add_approval_commands(CLI::App& app, GlobalOptions& options, std::function<void()>& action) {
    static DecisionFlags approve_flags;
    static DecisionFlags deny_flags;
    auto* approve = app.add_subcommand(
        "approve",
        "Let the tool call an agent execution waits on run (see `stigmer run --approve`)");
    approve->add_option("id", approve_flags.workflow_id, "the execution's id (see `stigmer runs`)")
        ->required();
    approve->footer(R"(Examples:
  stigmer approve stigmer-run-1733000000000-1a2b3c4d
  stigmer approve stigmer-thread-notes --json)");
    approve->callback([&] { action = [&] { decide(options, approve_flags, true); }; });

    auto* deny = app.add_subcommand(
        "deny", "Refuse the tool call an agent execution waits on; the agent is told and goes on");
    deny->add_option("id", deny_flags.workflow_id, "the execution's id (see `stigmer runs`)")
        ->required();
    deny->add_option("--reason", deny_flags.reason, "why, passed to the agent with the refusal");
    deny->footer(R"(Examples:
  stigmer deny stigmer-run-1733000000000-1a2b3c4d
  stigmer deny stigmer-run-1733000000000-1a2b3c4d --reason "write to notes/ instead")");
    deny->callback([&] { action = [&] { decide(options, deny_flags, false); }; });
}

}  // namespace stigmer::commands
