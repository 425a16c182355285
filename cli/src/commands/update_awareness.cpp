#include "commands/update_awareness.h"

#include <iostream>

#include "commands/cli_upgrade.h"
#include "commands/version_command.h"
#include "config/update_config.h"
#include "platform/terminal.h"
#include "update/update_checker.h"
#include "update/update_notice.h"
#include "util/error.h"
#include "util/semver.h"

namespace stigmer::commands {

void print_update_notice(const GlobalOptions& options) {
    try {
        update::NoticeSituation situation;
        situation.stderr_is_terminal = platform::stderr_is_terminal();
        situation.json = options.json;
        situation.quiet = options.quiet;
        situation.ci = config::process_environment("CI").has_value();
        const auto opt_out = config::process_environment("STIGMER_NO_UPDATE_NOTIFIER");
        situation.opted_out = opt_out && *opt_out != "0";
        if (update::notice_suppressed(situation)) return;  // nothing to read then
        Context context(options);
        const auto& home = context.settings().home;
        situation.enabled = config::load_update_config(home / "config.toml").checks();
        const auto record = update::load_update_record(update::update_record_path(home));
        if (!record || !record->latest) return;
        situation.running_version = context.store().active_state().active.value_or(cli_version());
        situation.cli_version = cli_version();
        situation.upgrade_command = cli_upgrade_command(context, *record->latest);
        situation.now = update::unix_now();
        const auto line = update::update_notice(situation, record);
        if (!line) return;
        std::cerr << *line << '\n';
        update::modify_update_record(home, [&](update::UpdateRecord& current) {
            if (current.latest != record->latest) return false;  // a newer answer came meanwhile
            update::mark_notice_shown(current, situation.now);
            return true;
        });
    } catch (const std::exception&) {
        // A notice is a courtesy: a bad config.toml or an unwritable home is for other commands.
    }
}

void remember_update_answer(Context& context, const std::string& channel,
                            const std::string& latest) {
    try {
        const auto& home = context.settings().home;
        if (channel != config::load_update_config(home / "config.toml").channel) return;
        std::optional<std::string> min_cli_version;
        const auto running = context.store().active_state().active.value_or(cli_version());
        if (compare_versions(latest, running) == VersionOrder::kGreater) {
            try {
                min_cli_version = context.source().fetch_manifest(latest).manifest.min_cli_version;
            } catch (const Error&) {
                // Unknown then, as for a check that did not get that far.
            }
        }
        update::remember_channel_answer(home, context.settings().releases_url, channel, latest,
                                        min_cli_version);
    } catch (const std::exception&) {
        // Remembering is a cache: `--check` has answered already.
    }
}

}  // namespace stigmer::commands
