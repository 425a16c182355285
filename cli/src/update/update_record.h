#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace stigmer::update {

// The remembered answer of the last update check, STIGMER_HOME/update-check.json. Written by the
// daemon's background check and by `server update --check`; read (never fetched) by the commands
// that print the update notice, which also record when they showed it. Times are Unix seconds.
struct UpdateRecord {
    std::int64_t checked_at = 0;
    std::string releases_url;
    std::string channel;
    std::optional<std::string> latest;           // the channel's version at the last good check
    std::optional<std::string> min_cli_version;  // what `latest` needs of the CLI, when known
    std::optional<std::string> error;            // why the last check failed (then `latest` is
                                                 // the one before, if any)
    std::optional<std::string> installed;        // `latest` downloaded and verified, not active
    std::optional<std::string> notice_version;   // the version the notice was last shown for
    std::int64_t notice_shown_at = 0;
};

inline constexpr const char* kUpdateRecordFile = "update-check.json";

// The file for a STIGMER_HOME.
std::filesystem::path update_record_path(const std::filesystem::path& home);

// nullopt when there is no file, or it is not a record this CLI understands (it is then treated
// as never checked, and the next check overwrites it).
std::optional<UpdateRecord> load_update_record(const std::filesystem::path& file);

// Atomically (readers see the old or the new record); throws Error(kLocalFiles).
void save_update_record(const std::filesystem::path& file, const UpdateRecord& record);

// Read-modify-write under STIGMER_HOME/locks/update-check.lock, so the daemon's answer and a
// command's "notice shown" do not overwrite each other. `change` gets the current record (or a
// fresh one) and returns false to leave the file alone. Throws Error(kLocalFiles).
void modify_update_record(const std::filesystem::path& home,
                          const std::function<bool(UpdateRecord&)>& change);

}  // namespace stigmer::update
