#include "commands/context.h"

#include <iostream>

#include "platform/terminal.h"
#include "release/trusted_keys.h"

namespace stigmer::commands {

namespace {
config::CommandLineOverrides overrides_of(const GlobalOptions& options) {
    return {options.home, options.releases_url, options.platform};
}
}  // namespace

Context::Context(const GlobalOptions& options)
    : settings_(config::resolve_settings(overrides_of(options))),
      console_(options.quiet, options.json, platform::stderr_is_terminal()),
      store_(store::Layout(settings_.home), settings_.platform, release::trusted_public_keys()),
      http_(release::HttpOptions::from_environment()),
      source_(settings_.releases_url, http_, release::trusted_public_keys()) {
    http_.set_quiet(options.quiet);
    // Said even with --quiet: it is about what the CLI trusts.
    source_.guard_freshness(release::FreshnessGuard(
        store_.layout().freshness_record_file(), store_.layout().freshness_lock(),
        [](const std::string& line) { std::cerr << line << '\n'; }));
}

}  // namespace stigmer::commands
