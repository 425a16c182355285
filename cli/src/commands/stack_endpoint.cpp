#include "commands/stack_endpoint.h"

#include "daemon/daemon_client.h"
#include "daemon/stack_plan.h"
#include "util/error.h"

namespace stigmer::commands {

StackEndpoint find_stack_endpoint(const Context& context) {
    const auto& home = context.settings().home;
    const daemon::DaemonClient client(home);
    const auto status = client.status();
    if (!status) {
        throw Error(ExitCode::kNotRunning, "the stack is not running", home.string(),
                    "start it with 'stigmer server start'");
    }
    const auto temporal = status->value("temporal", nlohmann::json::object());
    StackEndpoint stack;
    for (const auto& c : status->value("components", nlohmann::json::array())) {
        // During an update two runners run: any ready one takes executions.
        if (c.value("name", "") == "agent-runner")
            stack.runner_ready = stack.runner_ready || c.value("state", "") == "ready";
    }
    const std::string http_url = temporal.value("http_url", "");
    if (http_url.empty()) {
        throw Error(ExitCode::kUsage,
                    "no HTTP API address is configured for the external Temporal cluster",
                    (home / "config.toml").string(), "set [temporal] http_url");
    }
    stack.task_queue = temporal.value("task_queue", "agent_execution_runner");
    // The API key is a secret and the TLS files are this machine's, so the status document
    // carries neither: read them here.
    stack.config = config::load_stack_config(home / "config.toml", {});
    stack.endpoint = daemon::temporal_endpoint(stack.config.temporal);
    stack.endpoint.http_url = http_url;
    stack.endpoint.name_space = temporal.value("namespace", "default");
    return stack;
}

}  // namespace stigmer::commands
