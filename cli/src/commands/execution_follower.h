#pragma once

#include <chrono>
#include <string>

#include "temporal/http_api.h"
#include "util/console.h"

namespace stigmer::commands {

// An agent execution to follow: a run (ExecuteAgent), or one turn of a thread (AgentThread).
struct FollowTarget {
    std::string workflow_id;
    std::string run_id;   // empty: the latest run
    std::string turn_id;  // the thread's Turn update; empty for a run
};

struct FollowOptions {
    bool json = false;           // the result as one JSON document on stdout
    bool events = false;         // one JSON object per step on stdout, the result last
    bool ask_approvals = false;  // ask y/n on the terminal for tool calls that wait
    std::chrono::seconds timeout{1800};
};

// Prints the execution's steps as they happen (read with agent-runner's Steps query), answers
// approvals, and prints the answer. The first Ctrl-C cancels the execution and waits for it
// to end as cancelled; a second one stops waiting. Throws Error when the execution did not
// complete (kCancelled when cancelled), so the exit code says how it ended.
void follow_execution(const temporal::HttpApi& api, const FollowTarget& target,
                      const FollowOptions& options, const Console& console);

}  // namespace stigmer::commands
