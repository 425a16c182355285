#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/layout.h"

namespace stigmer::store {

// Which release version bin/ points at, and the versions active before it (most recent first),
// kept in STIGMER_HOME/state/active.json.
struct ActiveState {
    std::optional<std::string> active;
    std::vector<std::string> history;

    std::optional<std::string> previous() const {
        return history.empty() ? std::nullopt : std::optional<std::string>(history.front());
    }
};

inline constexpr std::size_t kMaxHistory = 20;

ActiveState load_active_state(const Layout& layout);
void save_active_state(const Layout& layout, const ActiveState& state);

// State after making `version` active: the old active version becomes the previous one.
ActiveState with_activated(ActiveState state, const std::string& version);

// State after going back to the previous version: the current one becomes the previous, so a
// second rollback undoes the first.
ActiveState with_rolled_back(ActiveState state);

}  // namespace stigmer::store
