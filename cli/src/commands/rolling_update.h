#pragma once

#include <optional>
#include <set>
#include <string>

#include "commands/context.h"
#include "store/release_store.h"

namespace stigmer::commands {

// After `server update`, `rollback` or `start --version` switched the active release: if the
// stack runs, hands the release to it as a rolling update (its agent-runner starts beside the
// old one and becomes current; the old one finishes what it started) and waits until the new
// runner is current. Returns what happened in one line, or nullopt when no stack runs (the
// next start runs the release). Throws Error when the stack refuses or the runner never gets
// ready (the old one then goes on serving).
std::optional<std::string> apply_to_running_stack(Context& context,
                                                  const store::InstalledRelease& release);

// Installed releases the running stack still needs: the daemon's release, a runner runs it (a
// drain included), a running binary lies in it (Temporal kept across updates), or Temporal has
// open executions pinned to it. Empty when no stack runs.
std::set<std::string> releases_in_use(Context& context);

}  // namespace stigmer::commands
