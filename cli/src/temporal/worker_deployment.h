#pragma once

#include <optional>
#include <string>
#include <vector>

#include "temporal/http_api.h"

namespace stigmer::temporal {

// The stack's Temporal Worker Deployment, through the HTTP API: which build of agent-runner
// polls, which build is current (gets every new execution), and how many executions are still
// pinned to a build. One deployment per stack; a build id is a release version. Nothing here
// throws: the daemon asks again on its next round.
class WorkerDeployment {
  public:
    WorkerDeployment(Endpoint endpoint, std::string name);

    const std::string& name() const { return name_; }

    // Whether a worker of `build_id` has polled `task_queue` (the version exists in Temporal
    // only after its first poll, and only then can it become current).
    bool build_polls(const std::string& build_id, const std::string& task_queue) const;

    // Makes `build_id` the current version; true once Temporal has recorded it.
    bool set_current(const std::string& build_id) const;

    // The current build; nullopt when none is set or Temporal did not answer.
    std::optional<std::string> current_build() const;

    // Every build the deployment knows (current, draining, drained); nullopt when Temporal did
    // not answer. Empty when the deployment does not exist yet.
    std::optional<std::vector<std::string>> builds() const;

    // Open executions pinned to `build_id`; nullopt when Temporal did not answer.
    std::optional<long> open_pinned(const std::string& build_id) const;

    // The open executions pinned to `build_id` (workflow ids), at most `limit`.
    std::vector<std::string> open_pinned_ids(const std::string& build_id, int limit) const;

    // Pins an open execution to `build_id` instead (Temporal's versioning override): what the
    // daemon does, explicitly and logged, to executions left when a drain reaches its limit.
    bool move_to(const std::string& workflow_id, const std::string& build_id) const;

    // The visibility query for executions pinned to `build_id` that are still open.
    std::string open_pinned_query(const std::string& build_id) const;

  private:
    std::string deployment_url() const;

    HttpApi api_;
    std::string name_;
};

}  // namespace stigmer::temporal
