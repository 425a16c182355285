#include "commands/run_command.h"

#include "commands/run_progress.h"

#include <chrono>
#include <iostream>
#include <random>
#include <thread>

#include "config/stack_config.h"
#include "daemon/daemon_client.h"
#include "platform/stop_signals.h"
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
    int timeout_seconds = 1800;
};

// Names a thread's workflow the way agent-runner does (its workspace.thread_workflow_id).
constexpr const char* kThreadWorkflowPrefix = "stigmer-thread-";

// "<prefix><milliseconds since the epoch>-<8 random hex digits>": unique, and sorts by time.
std::string new_id(const std::string& prefix) {
    std::random_device random;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    char suffix[9];
    std::snprintf(suffix, sizeof suffix, "%08x", random());
    return prefix + std::to_string(now) + "-" + suffix;
}

// Lists the result leaves empty come through Temporal's HTTP API as null: scripts get [].
void normalise_result(nlohmann::json& result) {
    for (const char* list : {"tool_calls", "files"}) {
        if (result.contains(list) && result[list].is_null()) result[list] = nlohmann::json::array();
    }
}

nlohmann::json execution_input(const RunFlags& flags, const config::AgentSettings& defaults) {
    nlohmann::json input = {{"prompt", flags.prompt}};
    if (flags.max_model_calls) {
        input["max_model_calls"] = *flags.max_model_calls;
    } else if (defaults.max_model_calls > 0) {
        input["max_model_calls"] = defaults.max_model_calls;
    }
    if (!flags.instructions.empty()) input["instructions"] = flags.instructions;
    nlohmann::json model = nlohmann::json::object();
    if (!flags.provider.empty()) model["provider"] = flags.provider;
    if (!flags.model.empty()) model["model"] = flags.model;
    if (flags.temperature) model["temperature"] = *flags.temperature;
    if (flags.max_tokens) model["max_tokens"] = *flags.max_tokens;
    if (!model.empty()) input["model"] = model;
    return input;
}

void run_agent(GlobalOptions& options, const RunFlags& flags) {
    Context context(options);
    const auto& console = context.console();
    const daemon::DaemonClient client(context.settings().home);
    const auto status = client.status();
    if (!status) {
        throw Error(ExitCode::kNotRunning, "the stack is not running",
                    context.settings().home.string(), "start it with 'stigmer server start'");
    }
    const auto& t = (*status)["temporal"];
    bool runner_ready = false;
    for (const auto& c : (*status)["components"]) {
        if (c.value("name", "") == "agent-runner") runner_ready = c.value("state", "") == "ready";
    }
    if (!runner_ready) {
        console.status(
            "note: agent-runner is not ready yet; the execution waits in Temporal until it is");
    }
    const std::string http_url = t.value("http_url", "");
    if (http_url.empty()) {
        throw Error(ExitCode::kUsage,
                    "no HTTP API address is configured for the external Temporal cluster",
                    (context.settings().home / "config.toml").string(), "set [temporal] http_url");
    }
    temporal::Endpoint endpoint{http_url, t.value("namespace", "default"), ""};
    // The API key is a secret, so the status document does not carry it: read it here.
    const auto stack_config =
        config::load_stack_config(context.settings().home / "config.toml", {});
    endpoint.api_key = stack_config.temporal.api_key;
    const temporal::HttpApi api(endpoint);

    // A plain run is an ExecuteAgent workflow; a thread's turn is an update of the thread's
    // AgentThread workflow, which is started with the first turn.
    temporal::WorkflowStart start;
    start.task_queue = t.value("task_queue", "agent_execution_runner");
    std::string run_id;
    std::string update_id;
    if (flags.thread_id.empty()) {
        start.workflow_id = new_id("stigmer-run-");
        start.workflow_type = "ExecuteAgent";
        start.input = execution_input(flags, stack_config.agent);
        start.execution_timeout = std::chrono::seconds(flags.timeout_seconds);
        run_id = api.start_workflow(start);
        console.status("started execution " + start.workflow_id);
    } else {
        start.workflow_id = kThreadWorkflowPrefix + flags.thread_id;
        start.workflow_type = "AgentThread";
        start.input = {{"thread_id", flags.thread_id}};
        start.execution_timeout = std::chrono::seconds(0);  // a thread lives on between turns
        update_id = new_id("stigmer-turn-");
        run_id = api.update_with_start(
            {start, "Turn", update_id, execution_input(flags, stack_config.agent)});
        console.status("sent turn " + update_id + " to thread " + flags.thread_id);
    }

    platform::install_stop_signal_handlers();
    const bool live_line = console.show_progress();
    const auto began = std::chrono::steady_clock::now();
    std::string last_progress;
    for (;;) {
        std::vector<nlohmann::json> events;
        try {
            events = api.history(start.workflow_id, run_id);
        } catch (const Error& error) {
            // Temporal restarting (a `server restart`, a crash the daemon mends): the execution
            // is durable, so wait for Temporal rather than give up on it.
            if (error.code() != ExitCode::kNetwork || platform::stop_signal_received() ||
                std::chrono::steady_clock::now() - began >
                    std::chrono::seconds(flags.timeout_seconds))
                throw;
            const std::string waiting =
                "Temporal is not answering; waiting (the execution is kept)";
            if (live_line) {
                std::cerr << "\r\033[K" << waiting << std::flush;
            } else if (waiting != last_progress) {
                console.status(waiting);
            }
            last_progress = waiting;
            std::this_thread::sleep_for(std::chrono::seconds(1));
            continue;
        }
        auto outcome = update_id.empty() ? temporal::HttpApi::outcome_of(events)
                                         : temporal::HttpApi::update_outcome_of(events, update_id);
        if (!outcome && !update_id.empty()) {
            if (auto closed = temporal::HttpApi::outcome_of(events)) {
                outcome = closed;
                outcome->status = "failed";
                outcome->failure = "the thread's workflow ended (" + closed->status +
                                   ") before the turn completed; run the turn again";
            }
        }
        if (outcome) {
            if (live_line) std::cerr << "\r\033[K";
            if (!outcome->completed()) {
                if (options.json) {
                    std::cout << nlohmann::json{{"workflow_id", start.workflow_id},
                                                {"status", outcome->status},
                                                {"error", outcome->failure}}
                                     .dump(2)
                              << '\n';
                }
                throw Error(ExitCode::kFailure,
                            "the agent execution " + outcome->status + ": " + outcome->failure,
                            start.workflow_id, "see 'stigmer server logs -c agent-runner'");
            }
            normalise_result(outcome->result);
            if (options.json) {
                nlohmann::json document = outcome->result;
                document["workflow_id"] = start.workflow_id;
                if (!update_id.empty()) document["turn_id"] = update_id;
                std::cout << document.dump(2) << '\n';
            } else {
                std::cout << outcome->result.value("answer", "") << '\n';
            }
            return;
        }
        if (platform::stop_signal_received()) {
            if (live_line) std::cerr << "\r\033[K";
            throw Error(ExitCode::kFailure, "interrupted; the execution goes on in the stack",
                        start.workflow_id, "see it in the Temporal UI");
        }
        const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::steady_clock::now() - began);
        const std::string progress = describe_progress(
            update_id.empty() ? events
                              : temporal::HttpApi::events_after_update_accepted(events, update_id));
        if (live_line) {
            std::cerr << "\r\033[K" << progress << " (" << elapsed.count() << "s)" << std::flush;
        } else if (progress != last_progress) {
            console.status(progress);
        }
        last_progress = progress;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
}

}  // namespace

void add_run_command(CLI::App& app, GlobalOptions& options, std::function<void()>& action) {
    static RunFlags flags;
    auto* run = app.add_subcommand("run", "run an agent on the running stack and print its answer");
    run->add_option("prompt", flags.prompt, "what the agent should do")->required();
    run->add_option("--instructions", flags.instructions, "system prompt for the agent");
    run->add_option("--provider", flags.provider,
                    "anthropic, openai or ollama (default: agent-runner's)");
    run->add_option("--model", flags.model, "model name (default: the provider's default)");
    run->add_option("--temperature", flags.temperature, "sampling temperature");
    run->add_option("--max-tokens", flags.max_tokens, "maximum tokens in the answer");
    run->add_option("--thread", flags.thread_id,
                    "continue the conversation of this thread (kept in Temporal; its files too)");
    run->add_option("--max-model-calls", flags.max_model_calls,
                    "model calls the agent may make, sub-agents included (default: [agent] "
                    "max_model_calls in config.toml, else 250)")
        ->check(CLI::Range(1, 100000));
    run->add_option("--timeout", flags.timeout_seconds,
                    "seconds before the execution times out (default 1800)");
    run->footer(R"(Examples:
  stigmer run "List the files in the workspace and summarise them"
  stigmer run --provider openai --model gpt-4o-mini "Write hello.txt saying hi" --json)");
    run->callback([&] { action = [&] { run_agent(options, flags); }; });
}

}  // namespace stigmer::commands
