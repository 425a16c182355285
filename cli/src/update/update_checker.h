#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "config/update_config.h"
#include "platform/platform.h"
#include "update/update_record.h"

namespace stigmer::update {

inline constexpr std::int64_t kCheckInterval = 24 * 60 * 60;  // seconds: once a day

// What the daemon's check needs; the daemon fills it from its launch.
struct UpdateCheckSettings {
    std::filesystem::path home;
    std::string releases_url;
    config::UpdateConfig config;
    std::string cli_version;
    platform::Platform platform;
    std::chrono::seconds timeout{2};  // the channel (and manifest) request, all of it
    // One line for the daemon's log (never the user's terminal).
    std::function<void(const std::string&)> log;
    // auto_update = "install": `version` is downloaded and verified in the store, not active
    // yet; the daemon makes it active and rolls it onto the running stack.
    std::function<void(const std::string& version)> on_release_ready;
};

// Whether the remembered answer is too old (or for another channel or release tree) at `now`.
bool check_due(const std::optional<UpdateRecord>& record, std::int64_t now,
               const std::string& channel, const std::string& releases_url);

// Unix seconds now.
std::int64_t unix_now();

// How long the check may take: STIGMER_UPDATE_CHECK_TIMEOUT (seconds, for slow links and
// tests), else 2 s.
std::chrono::seconds update_check_timeout();

// One check: fetches and verifies the channel (and, if newer than the active release, its
// manifest), installs it in "install" mode, and remembers the answer, a failure included.
// Never throws; `cancel` abandons it (nothing is remembered then).
void check_for_update(const UpdateCheckSettings& settings, const std::atomic<bool>& cancel);

// Remembers a channel answer obtained elsewhere (`server update --check`), keeping what is still
// true of the previous record (notice shown; the download of the same version).
void remember_channel_answer(const std::filesystem::path& home, const std::string& releases_url,
                             const std::string& channel, const std::string& latest,
                             const std::optional<std::string>& min_cli_version);

// The daemon's background check: a thread that checks when due, then again a day later, until
// stopped. Started after the daemon is up; never delays a command.
class BackgroundUpdateChecker {
  public:
    explicit BackgroundUpdateChecker(UpdateCheckSettings settings);
    ~BackgroundUpdateChecker();  // stops and joins
    BackgroundUpdateChecker(const BackgroundUpdateChecker&) = delete;
    BackgroundUpdateChecker& operator=(const BackgroundUpdateChecker&) = delete;

    void start();
    void stop();

  private:
    void run();

    UpdateCheckSettings settings_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
};

}  // namespace stigmer::update
