#pragma once

#include <string>

namespace stigmer::commands {

// "<prefix><milliseconds since the epoch>-<8 random hex digits>": unique, and sorts by time.
// Names workflows and updates this CLI starts (e.g. "stigmer-run-", "stigmer-decision-").
std::string new_id(const std::string& prefix);

}  // namespace stigmer::commands
