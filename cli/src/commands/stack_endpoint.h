#pragma once

#include <string>

#include "commands/context.h"
#include "config/stack_config.h"
#include "temporal/http_api.h"

namespace stigmer::commands {

// Where the running stack's Temporal answers, as the daemon reports it, with the secrets only
// config.toml holds: what every command that talks to executions starts from.
struct StackEndpoint {
    temporal::Endpoint endpoint;  // HTTP API address, namespace, API key
    std::string task_queue;       // agent-runner's task queue
    bool runner_ready = false;    // agent-runner polls (an execution waits in Temporal if not)
    config::StackConfig config;   // config.toml as read here (e.g. [agent] defaults)
};

// Asks the daemon of the context's STIGMER_HOME. Throws Error(kNotRunning) when no daemon
// answers, Error(kUsage) when an external cluster has no HTTP API address configured.
StackEndpoint find_stack_endpoint(const Context& context);

}  // namespace stigmer::commands
