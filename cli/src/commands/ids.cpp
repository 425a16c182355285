#include "commands/ids.h"

#include <chrono>
#include <cstdio>
#include <random>

namespace stigmer::commands {

std::string new_id(const std::string& prefix) {
    std::random_device random;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    char suffix[9];
    std::snprintf(suffix, sizeof suffix, "%08x", random());
    return prefix + std::to_string(now) + "-" + suffix;
}

}  // namespace stigmer::commands
