#include "commands/version_command.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace stigmer::commands {

const char* cli_version() {
    return STIGMER_VERSION;
}

void print_version(GlobalOptions& options) {
    Context context(options);
    const std::string release = cli_version();
    const auto installed = context.store().find_installed(release);
    if (options.json) {
        nlohmann::json document;
        document["version"] = release;
        document["platform"] = context.settings().platform.key();
        document["release_installed"] = installed.has_value();
        const auto active = context.store().active_state().active;
        document["active"] = active ? nlohmann::json(*active) : nlohmann::json(nullptr);
        document["components"] = nlohmann::json::object();
        if (installed) {
            for (const auto& [name, component] : installed->components) {
                document["components"][name] = component.component_version;
            }
        }
        std::cout << document.dump(2) << '\n';
        return;
    }
    std::cout << "stigmer " << release << '\n';
    std::cout << "platform: " << context.settings().platform.key() << '\n';
    if (const auto active = context.store().active_state().active; active && *active != release) {
        std::cout << "active release: " << *active << " (see `stigmer server versions`)\n";
    }
    if (installed) {
        std::cout << "components (release " << release << "):";
        for (const auto& [name, component] : installed->components) {
            std::cout << ' ' << name << ' ' << component.component_version;
        }
        std::cout << '\n';
    } else {
        std::cout << "components: release " << release
                  << " not installed (run `stigmer server install`)\n";
    }
}

void add_version_command(CLI::App& app, GlobalOptions& options, std::function<void()>& action) {
    auto* command = app.add_subcommand(
        "version", "Print the CLI version, the component versions it runs and the platform");
    command->callback([&] { action = [&] { print_version(options); }; });
}

}  // namespace stigmer::commands
