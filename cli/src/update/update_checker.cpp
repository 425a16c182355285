#include "update/update_checker.h"

#include "config/settings.h"
#include "release/http_client.h"
#include "release/release_source.h"
#include "release/trusted_keys.h"
#include "store/release_store.h"
#include "update/cli_requirement.h"
#include "util/console.h"
#include "util/error.h"
#include "util/semver.h"

namespace stigmer::update {
namespace {

void log_line(const UpdateCheckSettings& settings, const std::string& line) {
    if (settings.log) settings.log(line);
}

// The daemon never accepts an older file than verified before: it has no user to ask.
release::FreshnessGuard freshness_guard(const UpdateCheckSettings& settings) {
    const store::Layout layout(settings.home);
    return release::FreshnessGuard(
        layout.freshness_record_file(), layout.freshness_lock(),
        [&settings](const std::string& line) { log_line(settings, line); });
}

// What one check found out, before it is merged into the remembered record.
struct CheckAnswer {
    std::optional<std::string> latest;
    std::optional<std::string> min_cli_version;
    std::optional<std::string> installed;
    std::optional<std::string> error;
};

void remember(const UpdateCheckSettings& settings, const CheckAnswer& answer, std::int64_t now) {
    modify_update_record(settings.home, [&](UpdateRecord& record) {
        const bool same_tree = record.releases_url == settings.releases_url &&
                               record.channel == settings.config.channel;
        record.checked_at = now;
        record.releases_url = settings.releases_url;
        record.channel = settings.config.channel;
        record.error = answer.error;
        if (answer.latest) {
            record.latest = answer.latest;
            record.min_cli_version = answer.min_cli_version;
            record.installed = answer.installed;
        } else if (!same_tree) {
            // A failure says nothing about another tree's latest version.
            record.latest.reset();
            record.min_cli_version.reset();
            record.installed.reset();
        }
        return true;
    });
}

// Downloads and verifies `version` into the store without activating it; the answer's
// `installed` on success, a log line and the answer's `error` otherwise.
void install_quietly(const UpdateCheckSettings& settings, const std::string& version,
                     const std::atomic<bool>& cancel, CheckAnswer& answer) {
    if (!cli_satisfies(answer.min_cli_version, settings.cli_version)) {
        log_line(settings, "release " + version + " needs stigmer " + *answer.min_cli_version +
                               " or newer (this is " + settings.cli_version +
                               "); not downloading it: upgrade the CLI first");
        return;
    }
    auto options = release::HttpOptions::from_environment();
    options.cancel = &cancel;
    release::HttpClient client(options);
    client.set_quiet(true);
    release::ReleaseSource source(settings.releases_url, client, release::trusted_public_keys());
    source.guard_freshness(freshness_guard(settings));
    store::ReleaseStore store(store::Layout(settings.home), settings.platform,
                              release::trusted_public_keys());
    const Console silent(true, false, false);
    try {
        store.ensure_installed(version, source, client, silent);
        answer.installed = version;
    } catch (const Error& error) {
        if (cancel) throw;
        answer.error = "installing " + version + ": " + error.message();
        log_line(settings, "update check: could not install " + version + ": " + error.message());
    }
}

}  // namespace

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::chrono::seconds update_check_timeout() {
    if (const auto text = config::process_environment("STIGMER_UPDATE_CHECK_TIMEOUT")) {
        try {
            if (const auto seconds = std::stoll(*text); seconds > 0) {
                return std::chrono::seconds(seconds);
            }
        } catch (const std::exception&) {
            // Not a number: the default, as for any other malformed setting of a courtesy.
        }
    }
    return std::chrono::seconds(2);
}

bool check_due(const std::optional<UpdateRecord>& record, std::int64_t now,
               const std::string& channel, const std::string& releases_url) {
    if (!record) return true;
    if (record->channel != channel || record->releases_url != releases_url) return true;
    // A clock that went back makes the record look from the future: check again.
    return now - record->checked_at >= kCheckInterval || now < record->checked_at;
}

void check_for_update(const UpdateCheckSettings& settings, const std::atomic<bool>& cancel) {
    const auto now = unix_now();
    CheckAnswer answer;
    try {
        release::HttpOptions quick;
        const long seconds = static_cast<long>(settings.timeout.count());
        quick.connect_timeout_seconds = seconds;
        quick.stall_timeout_seconds = seconds;
        quick.total_timeout_seconds = seconds;
        quick.max_attempts = 1;  // tomorrow is the retry
        quick.cancel = &cancel;
        release::HttpClient client(quick);
        client.set_quiet(true);
        release::ReleaseSource source(settings.releases_url, client,
                                      release::trusted_public_keys());
        source.guard_freshness(freshness_guard(settings));
        const auto channel = source.fetch_channel(settings.config.channel);
        answer.latest = channel.version;

        const store::ReleaseStore store(store::Layout(settings.home), settings.platform,
                                        release::trusted_public_keys());
        const auto running = store.active_state().active.value_or(settings.cli_version);
        const bool newer = compare_versions(channel.version, running) == VersionOrder::kGreater;
        if (newer) {
            answer.min_cli_version =
                source.fetch_manifest(channel.version).manifest.min_cli_version;
            if (settings.config.mode == config::AutoUpdate::kInstall) {
                install_quietly(settings, channel.version, cancel, answer);
            }
        }
        if (cancel) return;
        remember(settings, answer, now);
        log_line(settings, "update check: " + settings.config.channel + " offers " +
                               channel.version + (newer ? ", newer than " : ", running ") +
                               running);
        if (answer.installed && settings.on_release_ready) {
            settings.on_release_ready(*answer.installed);
        }
    } catch (const std::exception& failure) {
        if (cancel) return;  // the daemon is stopping: nothing was learnt
        const auto* error = dynamic_cast<const Error*>(&failure);
        const std::string why = error ? error->message() : failure.what();
        answer = CheckAnswer{};
        answer.error = why;
        try {
            remember(settings, answer, now);
        } catch (const std::exception&) {
            // STIGMER_HOME not writable: the line below still says what happened.
        }
        log_line(settings, "update check failed (next in 24 h): " + why);
    }
}

void remember_channel_answer(const std::filesystem::path& home, const std::string& releases_url,
                             const std::string& channel, const std::string& latest,
                             const std::optional<std::string>& min_cli_version) {
    modify_update_record(home, [&](UpdateRecord& record) {
        const bool same = record.releases_url == releases_url && record.channel == channel &&
                          record.latest == latest;
        if (!same) record.installed.reset();
        record.min_cli_version = min_cli_version;
        record.checked_at = unix_now();
        record.releases_url = releases_url;
        record.channel = channel;
        record.latest = latest;
        record.error.reset();
        return true;
    });
}

BackgroundUpdateChecker::BackgroundUpdateChecker(UpdateCheckSettings settings)
    : settings_(std::move(settings)) {}

BackgroundUpdateChecker::~BackgroundUpdateChecker() {
    stop();
}

void BackgroundUpdateChecker::start() {
    if (!settings_.config.checks()) {
        log_line(settings_, "update checks are off (auto_update or update_check in config.toml)");
        return;
    }
    thread_ = std::thread([this] { run(); });
}

void BackgroundUpdateChecker::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void BackgroundUpdateChecker::run() {
    const auto file = update_record_path(settings_.home);
    while (!stopping_) {
        const auto now = unix_now();
        std::int64_t wait_seconds = kCheckInterval;
        const auto record = load_update_record(file);
        if (check_due(record, now, settings_.config.channel, settings_.releases_url)) {
            check_for_update(settings_, stopping_);
        } else {
            wait_seconds = record->checked_at + kCheckInterval - now;
            log_line(settings_, "update check: last one " +
                                    std::to_string((now - record->checked_at) / 60) + " min ago (" +
                                    file.string() + "); next in " +
                                    std::to_string(wait_seconds / 60) + " min");
        }
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, std::chrono::seconds(std::max<std::int64_t>(wait_seconds, 1)),
                       [this] { return stopping_.load(); });
    }
}

}  // namespace stigmer::update
