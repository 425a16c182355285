#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace stigmer::release {

// Where a release file stands against the newest of its kind already verified.
enum class Freshness { kNewer, kSame, kOlder };

// Compares two valid RFC 3339 `published_at` values as instants (an offset is not a different
// time); throws Error(kVerification) if either is not one.
Freshness compare_published(const std::string& published_at, const std::string& newest);

enum class SignedFileKind { kChannel, kManifest };

// Refuses a signed channel file or manifest published before the newest one this STIGMER_HOME
// has verified from the same release tree, so a mirror, cache or attacker replaying an old,
// validly signed file can neither hold users on an old release (freeze) nor move them back
// to one (rollback): the two attacks The Update Framework names.
//
// The newest `published_at` is kept per release tree (base URL), and there per channel and per
// release version: a manifest speaks only for its version, so installing an older version on
// purpose is no replay, while an older copy of one version's manifest is. The same file seen
// again is accepted. The record (STIGMER_HOME/state/release-freshness.json) is read, compared and
// rewritten atomically under a lock; one that cannot be read is said in one line and replaced.
class FreshnessGuard {
  public:
    // `warn` gets one line each time something is accepted that a user should know of.
    FreshnessGuard(std::filesystem::path record_file, std::filesystem::path lock_file,
                   std::function<void(const std::string&)> warn);

    // The user's choice (--allow-downgrade): an older file is accepted, said, and recorded as
    // the newest, so the next run does not refuse it again.
    void allow_older(bool allow) { allow_older_ = allow; }

    // Throws Error(kVerification) naming `url` if `published_at` is before the newest recorded
    // for (`base_url`, `kind`, `name`: the channel or the release version); records it
    // otherwise. Throws Error(kLocalFiles) if the record cannot be written.
    void admit(const std::string& base_url, SignedFileKind kind, const std::string& name,
               const std::string& published_at, const std::string& url) const;

  private:
    void say(const std::string& line) const;

    std::filesystem::path record_file_;
    std::filesystem::path lock_file_;
    std::function<void(const std::string&)> warn_;
    bool allow_older_ = false;
};

}  // namespace stigmer::release
