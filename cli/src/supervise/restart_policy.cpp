#include "supervise/restart_policy.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace stigmer::supervise {

RestartPolicy::RestartPolicy(RestartPolicySettings settings, std::function<double()> random_unit)
    : settings_(settings), random_unit_(std::move(random_unit)) {
    if (!random_unit_) {
        random_unit_ = [engine = std::mt19937_64(std::random_device{}())]() mutable {
            return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
        };
    }
}

std::optional<std::chrono::milliseconds> RestartPolicy::on_exit(
    std::chrono::milliseconds run_time) {
    if (run_time >= settings_.stable_after) quick_failures_ = 0;
    ++quick_failures_;
    if (quick_failures_ > settings_.max_quick_failures) return std::nullopt;

    const double base = static_cast<double>(settings_.initial_delay.count()) *
                        std::pow(2.0, static_cast<double>(quick_failures_ - 1));
    const double capped = std::min(base, static_cast<double>(settings_.max_delay.count()));
    const double factor = 1.0 + settings_.jitter * (2.0 * random_unit_() - 1.0);
    return std::chrono::milliseconds(static_cast<long long>(capped * factor));
}

}  // namespace stigmer::supervise
