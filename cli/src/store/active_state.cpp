#include "store/active_state.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "platform/fs.h"
#include "util/error.h"
#include "util/files.h"

namespace stigmer::store {

ActiveState load_active_state(const Layout& layout) {
    const auto path = layout.active_state_file();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return {};
    ActiveState state;
    try {
        const auto document = nlohmann::json::parse(read_text_file(path));
        if (document.contains("active") && document["active"].is_string()) {
            state.active = document["active"].get<std::string>();
        }
        if (document.contains("history")) {
            state.history = document["history"].get<std::vector<std::string>>();
        }
    } catch (const nlohmann::json::exception& error) {
        throw Error(ExitCode::kLocalFiles,
                    std::string("corrupted state file (") + error.what() + ")", path.string(),
                    "remove it and run `stigmer server install` again");
    }
    return state;
}

void save_active_state(const Layout& layout, const ActiveState& state) {
    nlohmann::json document;
    document["active"] = state.active ? nlohmann::json(*state.active) : nlohmann::json(nullptr);
    document["history"] = state.history;
    create_directories_or_throw(layout.active_state_file().parent_path());
    platform::write_file_atomically(layout.active_state_file(), document.dump(2) + "\n");
}

ActiveState with_activated(ActiveState state, const std::string& version) {
    if (state.active == version) return state;
    auto& history = state.history;
    history.erase(std::remove(history.begin(), history.end(), version), history.end());
    if (state.active) {
        history.erase(std::remove(history.begin(), history.end(), *state.active), history.end());
        history.insert(history.begin(), *state.active);
    }
    if (history.size() > kMaxHistory) history.resize(kMaxHistory);
    state.active = version;
    return state;
}

ActiveState with_rolled_back(ActiveState state) {
    if (state.history.empty()) return state;
    const auto previous = state.history.front();
    state.history.erase(state.history.begin());
    if (state.active) state.history.insert(state.history.begin(), *state.active);
    state.active = previous;
    return state;
}

}  // namespace stigmer::store
