#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "update/update_record.h"

namespace stigmer::update {

inline constexpr std::int64_t kNoticeInterval = 24 * 60 * 60;  // seconds: once a day

// Everything the notice depends on besides the remembered answer; gathered by the caller so the
// decision itself is a pure function.
struct NoticeSituation {
    bool stderr_is_terminal = false;
    bool json = false;            // --json: stdout is for a program, and so is its stderr
    bool quiet = false;           // -q: no status lines
    bool ci = false;              // CI is set in the environment
    bool opted_out = false;       // STIGMER_NO_UPDATE_NOTIFIER is set (not "0")
    bool enabled = true;          // config.toml: auto_update is not "off", update_check not false
    std::string running_version;  // the active release, else the CLI's own version
    std::string cli_version;
    std::string upgrade_command;  // how this CLI is upgraded (install method)
    std::int64_t now = 0;         // Unix seconds
};

// Whether the situation alone rules the notice out (no terminal, --json, -q, CI, opted out, off).
bool notice_suppressed(const NoticeSituation& situation);

// The one line to print on stderr, or nullopt. Shown when the remembered latest version is newer
// than the one running, at most once per kNoticeInterval per version (the caller records it with
// mark_notice_shown). When the CLI is older than that version too (or older than the release's
// min_cli_version), the line says to upgrade the CLI first, the way it was installed.
std::optional<std::string> update_notice(const NoticeSituation& situation,
                                         const std::optional<UpdateRecord>& record);

// The record after the notice for its latest version was shown at `now`.
void mark_notice_shown(UpdateRecord& record, std::int64_t now);

}  // namespace stigmer::update
