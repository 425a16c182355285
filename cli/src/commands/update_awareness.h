#pragma once

#include <string>

#include "commands/context.h"

namespace stigmer::commands {

// The one-line update notice of `server start`, `server status` and `version`, on stderr, from
// the remembered answer only (never the network); at most once a day per version, on a
// terminal, not with --json, -q, CI, STIGMER_NO_UPDATE_NOTIFIER or auto_update = "off". Never
// fails the command.
void print_update_notice(const GlobalOptions& options);

// Remembers what `server update --check` learnt, when it asked the channel the daemon checks;
// when `latest` is newer than what runs, its manifest says which CLI it needs.
void remember_update_answer(Context& context, const std::string& channel,
                            const std::string& latest);

}  // namespace stigmer::commands
