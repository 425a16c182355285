#include "update/update_notice.h"

#include "update/cli_requirement.h"
#include "util/semver.h"

namespace stigmer::update {

bool notice_suppressed(const NoticeSituation& situation) {
    return !situation.stderr_is_terminal || situation.json || situation.quiet || situation.ci ||
           situation.opted_out || !situation.enabled;
}

std::optional<std::string> update_notice(const NoticeSituation& situation,
                                         const std::optional<UpdateRecord>& record) {
    if (notice_suppressed(situation)) return std::nullopt;
    if (!record || !record->latest) return std::nullopt;
    const auto& latest = *record->latest;
    if (compare_versions(latest, situation.running_version) != VersionOrder::kGreater) {
        return std::nullopt;
    }
    const bool shown_recently = record->notice_version == latest &&
                                situation.now - record->notice_shown_at < kNoticeInterval &&
                                situation.now >= record->notice_shown_at;
    if (shown_recently) return std::nullopt;

    const bool ready = record->installed == latest;
    std::string line = "stigmer " + latest +
                       (ready ? " is downloaded and verified" : " is available") + " (you run " +
                       situation.running_version + ")";
    // The CLI comes first when it is older: a release's own CLI is the one that knows it best.
    const bool cli_older =
        compare_versions(latest, situation.cli_version) == VersionOrder::kGreater;
    const bool cli_required =
        record->min_cli_version && !cli_satisfies(record->min_cli_version, situation.cli_version);
    if (cli_required) line += " and needs stigmer " + *record->min_cli_version + " or newer";
    line += ": ";
    if (cli_older || cli_required) line += situation.upgrade_command + ", then ";
    line += "stigmer server update";
    return line;
}

void mark_notice_shown(UpdateRecord& record, std::int64_t now) {
    record.notice_version = record.latest;
    record.notice_shown_at = now;
}

}  // namespace stigmer::update
