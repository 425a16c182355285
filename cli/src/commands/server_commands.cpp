#include "commands/server_commands.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands/cli_upgrade.h"
#include "commands/rolling_update.h"
#include "commands/update_awareness.h"
#include "commands/version_command.h"
#include "util/error.h"
#include "util/semver.h"

namespace stigmer::commands {

namespace {

struct InstallFlags {
    std::string version;
    bool allow_downgrade = false;
};

struct UpdateFlags {
    bool check = false;
    bool allow_downgrade = false;
    std::string channel = "stable";
};

struct PruneFlags {
    bool dry_run = false;
};

std::string component_summary(const store::InstalledRelease& release) {
    std::string text;
    for (const auto& [name, component] : release.components) {
        if (!text.empty()) text += ", ";
        text += name + " " + component.component_version;
    }
    return text;
}

nlohmann::json components_json(const store::InstalledRelease& release) {
    auto document = nlohmann::json::object();
    for (const auto& [name, component] : release.components) {
        document[name] = {{"version", component.component_version},
                          {"executable", component.executable.string()}};
    }
    return document;
}

void run_install(GlobalOptions& options, const InstallFlags& flags) {
    Context context(options);
    context.source().allow_older_files(flags.allow_downgrade);
    const auto version = flags.version.empty() ? std::string(cli_version()) : flags.version;
    auto installed =
        context.store().ensure_installed(version, context.source(), context.http(),
                                         context.console(), refuse_if_cli_too_old(context));
    context.store().activate(installed);
    if (options.json) {
        std::cout << nlohmann::json{{"version", version},
                                    {"active", true},
                                    {"components", components_json(installed)}}
                         .dump(2)
                  << '\n';
        return;
    }
    context.console().result("installed release " + version + " (" + component_summary(installed) +
                             "); active, launchers in " +
                             context.store().layout().bin_dir().string());
}

// Decides whether moving from `current` to `latest` is allowed; throws Error(kRefused) if not.
void check_direction(const std::string& current, const std::string& latest, bool allow_downgrade,
                     const std::string& channel_url) {
    const auto order = compare_versions(latest, current);
    if (allow_downgrade) return;
    if (order == VersionOrder::kLess) {
        throw Error(ExitCode::kRefused,
                    "the channel offers " + latest + ", older than the active " + current,
                    channel_url, "pass --allow-downgrade to move back anyway");
    }
    if (order == VersionOrder::kUnordered) {
        throw Error(
            ExitCode::kRefused,
            "cannot order versions " + current + " and " + latest + " (not both semantic versions)",
            channel_url, "pass --allow-downgrade to switch anyway");
    }
}

void run_update(GlobalOptions& options, const UpdateFlags& flags) {
    Context context(options);
    context.source().allow_older_files(flags.allow_downgrade);
    const auto channel = context.source().fetch_channel(flags.channel);
    const auto channel_url = context.source().channel_url(flags.channel);
    const auto state = context.store().active_state();
    const auto current = state.active.value_or("");
    const bool up_to_date = !current.empty() && current == channel.version;

    if (flags.check) {
        remember_update_answer(context, flags.channel, channel.version);
        const auto order =
            current.empty() ? VersionOrder::kGreater : compare_versions(channel.version, current);
        const bool available = order == VersionOrder::kGreater;
        if (options.json) {
            std::cout << nlohmann::json{{"channel", flags.channel},
                                        {"active", current.empty() ? nlohmann::json(nullptr)
                                                                   : nlohmann::json(current)},
                                        {"latest", channel.version},
                                        {"update_available", available}}
                             .dump(2)
                      << '\n';
        } else if (up_to_date) {
            context.console().result("up to date: " + current + " is the latest on " +
                                     flags.channel);
        } else if (available) {
            context.console().result("update available: " + (current.empty() ? "(none)" : current) +
                                     " -> " + channel.version + " (run `stigmer server update`)");
        } else {
            context.console().result("no update: " + flags.channel + " offers " + channel.version +
                                     ", active is " + current);
        }
        if (available) throw QuietExit{ExitCode::kUpdateAvailable};
        return;
    }
    if (up_to_date) {
        context.console().result("up to date: " + current + " is the latest on " + flags.channel);
        return;
    }
    if (!current.empty()) {
        check_direction(current, channel.version, flags.allow_downgrade, channel_url);
    }
    auto installed =
        context.store().ensure_installed(channel.version, context.source(), context.http(),
                                         context.console(), refuse_if_cli_too_old(context));
    context.store().activate(installed);
    const auto applied = apply_to_running_stack(context, installed);
    if (options.json) {
        std::cout << nlohmann::json{{"previous", current.empty() ? nlohmann::json(nullptr)
                                                                 : nlohmann::json(current)},
                                    {"version", channel.version},
                                    {"components", components_json(installed)},
                                    {"running_stack",
                                     applied ? nlohmann::json(*applied) : nlohmann::json(nullptr)}}
                         .dump(2)
                  << '\n';
        return;
    }
    context.console().result("updated " + (current.empty() ? "(none)" : current) + " -> " +
                             channel.version + " (" + component_summary(installed) + ")" +
                             (current.empty() ? "" : "; `stigmer server rollback` goes back"));
    if (applied) context.console().result(*applied);
}

void run_rollback(GlobalOptions& options) {
    Context context(options);
    const auto before = context.store().active_state().active.value_or("(none)");
    const auto version = context.store().rollback();
    std::optional<std::string> applied;
    if (const auto installed = context.store().find_installed(version))
        applied = apply_to_running_stack(context, *installed);
    if (options.json) {
        std::cout << nlohmann::json{{"previous", before},
                                    {"version", version},
                                    {"running_stack",
                                     applied ? nlohmann::json(*applied) : nlohmann::json(nullptr)}}
                         .dump(2)
                  << '\n';
        return;
    }
    context.console().result("rolled back " + before + " -> " + version);
    if (applied) context.console().result(*applied);
}

void run_versions(GlobalOptions& options) {
    Context context(options);
    const auto state = context.store().active_state();
    const auto versions = context.store().stored_versions();
    if (options.json) {
        auto list = nlohmann::json::array();
        for (const auto& stored : versions) {
            nlohmann::json entry{{"version", stored.version},
                                 {"complete", stored.complete},
                                 {"active", stored.version == state.active},
                                 {"previous", stored.version == state.previous()}};
            entry["components"] = nlohmann::json::object();
            if (stored.manifest) {
                for (const auto& [name, component] : stored.manifest->components) {
                    entry["components"][name] = component.version;
                }
            }
            list.push_back(entry);
        }
        std::cout << nlohmann::json{{"active", state.active ? nlohmann::json(*state.active)
                                                            : nlohmann::json(nullptr)},
                                    {"previous", state.previous()
                                                     ? nlohmann::json(*state.previous())
                                                     : nlohmann::json(nullptr)},
                                    {"versions", list}}
                         .dump(2)
                  << '\n';
        return;
    }
    if (versions.empty()) {
        context.console().result("no versions installed in " +
                                 context.store().layout().home().string() +
                                 " (run `stigmer server install`)");
        return;
    }
    for (const auto& stored : versions) {
        std::string line = stored.version == state.active ? "* " : "  ";
        line += stored.version;
        if (stored.version == state.previous()) line += " (previous)";
        if (!stored.complete) line += " (incomplete)";
        if (stored.manifest) {
            line += ":";
            for (const auto& [name, component] : stored.manifest->components) {
                line += " " + name + " " + component.version;
            }
        }
        context.console().result(line);
    }
}

void run_prune(GlobalOptions& options, const PruneFlags& flags) {
    Context context(options);
    const auto removed = context.store().prune(flags.dry_run, releases_in_use(context));
    if (options.json) {
        std::cout << nlohmann::json{{"dry_run", flags.dry_run}, {"removed", removed}}.dump(2)
                  << '\n';
        return;
    }
    if (removed.empty()) {
        context.console().result(
            "nothing to prune (only the active and previous versions are kept)");
    }
    for (const auto& version : removed) {
        context.console().result((flags.dry_run ? "would remove " : "removed ") + version);
    }
}

}  // namespace

void add_server_commands(CLI::App& app, GlobalOptions& options, std::function<void()>& action) {
    auto* server = app.add_subcommand("server", "Install, update and manage the local stack");
    server->require_subcommand(1);
    server->footer(
        "Examples:\n  stigmer server install\n  stigmer server update --check\n"
        "  stigmer server versions --json\n  stigmer server prune --dry-run");

    static InstallFlags install_flags;
    auto* install = server->add_subcommand(
        "install", "Download, verify and install every component of a release (does not start it)");
    install->add_option("--version", install_flags.version,
                        "release version to install (default: this CLI's own version)");
    install->add_flag("--allow-downgrade", install_flags.allow_downgrade,
                      "accept a signed manifest published before the one of this version "
                      "already verified (refused by default as a possible replay)");
    install->footer(
        "Examples:\n  stigmer server install\n  stigmer server install --version 1.2.3\n"
        "  stigmer server install --releases-url http://127.0.0.1:8000   # a local release tree");
    install->callback([&] { action = [&] { run_install(options, install_flags); }; });

    static UpdateFlags update_flags;
    auto* update = server->add_subcommand(
        "update", "Install the channel's latest release and make it active (keeps the previous)");
    update->add_flag("--check", update_flags.check, "only report whether an update is available");
    update->add_flag("--allow-downgrade", update_flags.allow_downgrade,
                     "allow moving to an older (or not comparable) version, and accept a signed "
                     "channel file published before the newest already verified");
    update->add_option("--channel", update_flags.channel, "release channel")->capture_default_str();
    update->footer(
        "Examples:\n  stigmer server update --check\n  stigmer server update\n"
        "  stigmer server update --channel beta --allow-downgrade");
    update->callback([&] { action = [&] { run_update(options, update_flags); }; });

    auto* rollback = server->add_subcommand("rollback", "Go back to the previously active version");
    rollback->callback([&] { action = [&] { run_rollback(options); }; });

    auto* versions =
        server->add_subcommand("versions", "List installed versions and the active one");
    versions->footer("Example:\n  stigmer server versions --json");
    versions->callback([&] { action = [&] { run_versions(options); }; });

    static PruneFlags prune_flags;
    auto* prune = server->add_subcommand("prune",
                                         "Remove installed versions that nothing needs (keeps the "
                                         "active, the previous and those in use)");
    prune->add_flag("--dry-run", prune_flags.dry_run, "only list what would be removed");
    prune->callback([&] { action = [&] { run_prune(options, prune_flags); }; });
}

}  // namespace stigmer::commands
