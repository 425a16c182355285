#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "supervise/supervisor.h"

namespace stigmer::daemon {

// Moves a running local stack to another release's Temporal dev server: the old server stops,
// the new one starts on the same database file and ports, and the runners keep running (their
// SDK reconnects; the tasks of executions in flight wait in Temporal's database meanwhile).
// If the new server does not get ready, the old one is started again. It records the seconds
// Temporal was unavailable, from the stop of the old server to the readiness of the new.
// Everything is called from the daemon loop's thread.
class TemporalSwitch {
  public:
    struct Outcome {
        std::string release;
        std::string from;
        std::string to;
        bool ok = false;
        std::string why;  // when not ok
        double unavailable_seconds = 0;
    };

    TemporalSwitch(supervise::Supervisor& supervisor, std::string running_version,
                   std::function<void(const std::string&)> say);

    // The version that runs, or is being started.
    std::string version() const;

    // Asks for release `release`'s Temporal (`spec`) to replace the running one at the next
    // tick. An error text when a switch for another release is under way, else empty.
    std::string request(const std::string& release, supervise::ComponentSpec spec);

    // One round; returns the outcome of a switch once, when it ends.
    std::optional<Outcome> tick();

    // Whether a switch is asked for or under way.
    bool busy() const { return pending_.has_value() || underway_.has_value(); }

    // {"version", "restart": the last switch's outcome, or null}.
    nlohmann::json describe() const;

  private:
    using Clock = std::chrono::steady_clock;

    supervise::Supervisor& supervisor_;
    std::function<void(const std::string&)> say_;
    std::string version_;
    std::optional<std::pair<std::string, supervise::ComponentSpec>> pending_;
    std::optional<Outcome> underway_;
    Clock::time_point stopped_at_{};
    std::optional<Outcome> last_;
};

}  // namespace stigmer::daemon
