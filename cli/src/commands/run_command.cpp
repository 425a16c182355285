#include "commands/run_command.h"

#include <filesystem>
#include <iostream>
#include <sstream>

#include "commands/execution_follower.h"
#include "commands/ids.h"
#include "commands/stack_endpoint.h"
#include "config/stack_config.h"
#include "platform/terminal.h"
#include "temporal/http_api.h"
#include "util/error.h"

namespace stigmer::commands {
namespace {

struct RunFlags {
    std::string prompt;
    std::string instructions;
    std::string provider;
    std::string model;
    std::optional<double> temperature;
    std::optional<int> max_tokens;
    std::string thread_id;
    std::optional<int> max_model_calls;
    std::optional<std::string> approve;  // comma-separated tool names; "" approves nothing
    std::string workspace;               // a directory of the user's for the agent's files
    std::string attach_id;
    bool detach = false;
    bool events = false;
    int timeout_seconds = 1800;
};

// Names a thread's workflow the way agent-runner does (its workspace.thread_workflow_id).
constexpr const char* kThreadWorkflowPrefix = "stigmer-thread-";
// The prompt as `stigmer runs` shows it: its start is enough to recognise a run.
constexpr std::size_t kMemoPromptChars = 200;

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream stream(text);
    for (std::string item; std::getline(stream, item, ',');) {
        const auto first = item.find_first_not_of(" \t");
        if (first == std::string::npos) continue;
        items.push_back(item.substr(first, item.find_last_not_of(" \t") - first + 1));
    }
    return items;
}

nlohmann::json execution_input(const RunFlags& flags, const config::AgentSettings& defaults) {
    nlohmann::json input = {{"prompt", flags.prompt}};
    if (flags.max_model_calls) {
        input["max_model_calls"] = *flags.max_model_calls;
    } else if (defaults.max_model_calls > 0) {
        input["max_model_calls"] = defaults.max_model_calls;
    }
    const auto approve = flags.approve ? split_list(*flags.approve) : defaults.approve;
    if (!approve.empty()) input["approve_tools"] = approve;
    if (!flags.instructions.empty()) input["instructions"] = flags.instructions;
    if (!flags.workspace.empty()) input["workspace"] = flags.workspace;
    nlohmann::json model = nlohmann::json::object();
    if (!flags.provider.empty()) model["provider"] = flags.provider;
    if (!flags.model.empty()) model["model"] = flags.model;
    if (flags.temperature) model["temperature"] = *flags.temperature;
    if (flags.max_tokens) model["max_tokens"] = *flags.max_tokens;
    if (!model.empty()) input["model"] = model;
    return input;
}

void check_flags(const RunFlags& flags) {
    if (!flags.attach_id.empty()) {
        if (!flags.prompt.empty() || flags.detach || !flags.thread_id.empty()) {
            throw Error(ExitCode::kUsage, "--attach follows an execution that exists",
                        "command line", "give it alone: 'stigmer run --attach ID'");
        }
        return;
    }
    if (flags.prompt.empty()) {
        throw Error(ExitCode::kUsage, "no prompt given", "command line",
                    "say what the agent should do: stigmer run \"...\"");
    }
    if (flags.detach && !flags.thread_id.empty()) {
        throw Error(ExitCode::kUsage, "--detach starts a run; a thread's turn is followed",
                    "command line", "leave out --detach, or --thread");
    }
}

// The workspace as agent-runner needs it: absolute, and a directory (checked here first: on a
// local stack the runner sees the same files).
std::string workspace_path(const std::string& given) {
    std::error_code error;
    auto path = std::filesystem::absolute(given, error).lexically_normal();
    if (!path.has_filename()) path = path.parent_path();  // "dir/" -> "dir"
    if (error || !std::filesystem::is_directory(path, error)) {
        throw Error(ExitCode::kUsage, "the workspace is not a directory", given,
                    "give --workspace an existing directory");
    }
    return path.string();
}

void run_agent(GlobalOptions& options, RunFlags& flags) {
    check_flags(flags);
    if (!flags.workspace.empty()) flags.workspace = workspace_path(flags.workspace);
    Context context(options);
    const auto& console = context.console();
    const auto stack = find_stack_endpoint(context);
    const temporal::HttpApi api(stack.endpoint);
    FollowOptions follow;
    follow.json = options.json;
    follow.events = flags.events;
    follow.timeout = std::chrono::seconds(flags.timeout_seconds);
    follow.ask_approvals = platform::stdin_is_terminal() && !options.quiet;

    if (!flags.attach_id.empty()) {
        const auto found = api.describe_workflow(flags.attach_id, "");
        if (!found) {
            throw Error(ExitCode::kNotAvailable, "no execution " + flags.attach_id,
                        stack.endpoint.http_url, "list executions with 'stigmer runs'");
        }
        if (found->type != "ExecuteAgent") {
            throw Error(ExitCode::kUsage, flags.attach_id + " is a " + found->type + ", not a run",
                        "command line",
                        "attach to runs (stigmer-run-...); a thread's turn is followed by the "
                        "'stigmer run --thread' that sent it");
        }
        console.status("following " + flags.attach_id + " (" + found->status +
                       "; Ctrl-C cancels it)");
        follow_execution(api, {flags.attach_id, found->run_id, ""}, follow, console);
        return;
    }
    if (!stack.runner_ready) {
        console.status(
            "note: agent-runner is not ready yet; the execution waits in Temporal until it is");
    }

    // A plain run is an ExecuteAgent workflow; a thread's turn is an update of the thread's
    // AgentThread workflow, which is started with the first turn.
    temporal::WorkflowStart start;
    start.task_queue = stack.task_queue;
    start.memo = {{"prompt", flags.prompt.substr(0, kMemoPromptChars)}};
    const auto input = execution_input(flags, stack.config.agent);
    if (flags.thread_id.empty()) {
        start.workflow_id = new_id("stigmer-run-");
        start.workflow_type = "ExecuteAgent";
        start.input = input;
        start.execution_timeout = std::chrono::seconds(flags.timeout_seconds);
        const std::string run_id = api.start_workflow(start);
        if (flags.detach) {
            if (options.json) {
                std::cout << nlohmann::json{{"workflow_id", start.workflow_id}, {"run_id", run_id}}
                                 .dump(2)
                          << '\n';
            } else {
                std::cout << start.workflow_id << '\n';
            }
            console.status("follow it with 'stigmer run --attach " + start.workflow_id + "'");
            return;
        }
        console.status("started execution " + start.workflow_id +
                       " (Ctrl-C cancels it; --detach leaves it running)");
        follow_execution(api, {start.workflow_id, run_id, ""}, follow, console);
        return;
    }
    start.workflow_id = kThreadWorkflowPrefix + flags.thread_id;
    start.workflow_type = "AgentThread";
    start.input = {{"thread_id", flags.thread_id}};
    start.execution_timeout = std::chrono::seconds(0);  // a thread lives on between turns
    const std::string update_id = new_id("stigmer-turn-");
    api.update_with_start({start, "Turn", update_id, input});
    console.status("sent turn " + update_id + " to thread " + flags.thread_id);
    // The latest run: a thread may continue as new between turns.
    follow_execution(api, {start.workflow_id, "", update_id}, follow, console);
}

}  // namespace

void add_run_command(CLI::App& app, GlobalOptions& options, std::function<void()>& action) {
    static RunFlags flags;
    auto* run = app.add_subcommand(
        "run", "Run an agent on the running stack, showing its steps, and print its answer");
    run->add_option("prompt", flags.prompt, "what the agent should do");
    run->add_option("--instructions", flags.instructions, "system prompt for the agent");
    run->add_option("--provider", flags.provider,
                    "anthropic, openai or ollama (default: agent-runner's)")
        ->check(CLI::IsMember({"anthropic", "openai", "ollama"}));
    run->add_option("--model", flags.model,
                    "model name (default: the provider's default); with ollama, checked against "
                    "the models it has pulled before the run starts");
    run->add_option("--temperature", flags.temperature, "sampling temperature");
    run->add_option("--max-tokens", flags.max_tokens,
                    "maximum tokens in each model answer (default: the model's own output limit)");
    run->add_option("--thread", flags.thread_id,
                    "continue the conversation of this thread (kept in Temporal; its files too)");
    run->add_option("--max-model-calls", flags.max_model_calls,
                    "model calls the agent may make, sub-agents included (default: [agent] "
                    "max_model_calls in config.toml, else 250)")
        ->check(CLI::Range(1, 100000));
    run->add_option("--approve", flags.approve,
                    "tools that wait for your approval before they run, e.g. "
                    "write_file,edit_file (default: [agent] approve in config.toml; \"\" for "
                    "none)");
    run->add_option("--workspace", flags.workspace,
                    "let the agent work in this directory of yours (paths outside it are "
                    "refused; local stacks: the runner must see the same path)");
    run->add_flag("--detach", flags.detach, "start the run, print its id and return");
    run->add_option("--attach", flags.attach_id,
                    "follow a run started elsewhere (its steps, then its answer)");
    run->add_flag("--events", flags.events,
                  "one JSON object per step on stdout as it happens, the result last");
    run->add_option("--timeout", flags.timeout_seconds,
                    "seconds before the execution times out (default 1800)");
    run->footer(R"(While it runs, each model call and tool call is shown as it happens (stderr).
Ctrl-C cancels the execution; a second Ctrl-C stops waiting for the cancellation.
Exit codes: 0 answered, 1 failed, 130 cancelled (see 'stigmer --help' for the rest).

Examples:
  stigmer run "List the files in the workspace and summarise them"
  stigmer run --workspace . --approve write_file,edit_file "Tidy up notes.md"
  stigmer run --detach "Summarise the news"      # prints the id; then:
  stigmer run --attach stigmer-run-1764547200000-1a2b3c4d
  stigmer run --events "Write hello.txt saying hi" | jq -c .kind
  stigmer run --provider openai --model gpt-4o-mini "Write hello.txt saying hi" --json)");
    run->callback([&] { action = [&] { run_agent(options, flags); }; });
}

}  // namespace stigmer::commands
