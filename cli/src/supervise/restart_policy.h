#pragma once

#include <chrono>
#include <functional>
#include <optional>

namespace stigmer::supervise {

struct RestartPolicySettings {
    std::chrono::milliseconds initial_delay{500};
    std::chrono::milliseconds max_delay{30'000};
    double jitter = 0.2;  // +-20% so restarts of several hosts do not align
    std::chrono::milliseconds stable_after{60'000};  // a run this long resets the backoff
    int max_quick_failures = 5;                      // this many short runs in a row: give up
};

// Decides what happens after a component exits unexpectedly: capped exponential backoff with
// jitter, reset after a stable run; after repeated quick failures, nothing more (failed).
class RestartPolicy {
  public:
    // `random_unit` returns a value in [0, 1); injectable so tests are deterministic.
    explicit RestartPolicy(RestartPolicySettings settings,
                           std::function<double()> random_unit = {});

    // The delay before the next start, or nullopt when the component should be marked failed.
    std::optional<std::chrono::milliseconds> on_exit(std::chrono::milliseconds run_time);

    int quick_failures() const { return quick_failures_; }

  private:
    RestartPolicySettings settings_;
    std::function<double()> random_unit_;
    int quick_failures_ = 0;
};

}  // namespace stigmer::supervise
