#pragma once

#include <optional>
#include <string>
#include <vector>

#include "release/freshness_guard.h"
#include "release/http_client.h"
#include "release/manifest.h"
#include "release/minisign.h"

namespace stigmer::release {

// A manifest whose signature verified, with the exact bytes that were signed (kept on disk so
// later commands can re-verify it offline).
struct SignedManifest {
    Manifest manifest;
    std::string text;
    std::string signature;
    std::string url;  // where it came from; relative artifact URLs resolve against it
};

// Verifies and parses a manifest and checks it is the release `expected_version`; throws Error
// naming `source`.
SignedManifest verify_manifest(std::string text, std::string signature,
                               const std::string& expected_version, const std::string& source,
                               const std::vector<PublicKey>& trusted);

// The release tree at a base URL: {base}/{version}/manifest.json, {base}/channels/{c}.json.
class ReleaseSource {
  public:
    ReleaseSource(std::string base_url, HttpClient& client, std::vector<PublicKey> trusted);

    std::string manifest_url(const std::string& version) const;
    std::string channel_url(const std::string& channel) const;

    // From now on every fetched channel and manifest must also be no older than the newest
    // verified before (see FreshnessGuard). Every command and the daemon's check set one.
    void guard_freshness(FreshnessGuard guard) { freshness_ = std::move(guard); }
    // --allow-downgrade: accept (and record) an older channel or manifest than verified before.
    void allow_older_files(bool allow);

    // Downloads, verifies (signature, schema, version, freshness) and parses; throws Error.
    SignedManifest fetch_manifest(const std::string& version);
    Channel fetch_channel(const std::string& channel);

    const std::vector<PublicKey>& trusted_keys() const { return trusted_; }

  private:
    std::string fetch_signed(const std::string& url, std::string* signature);

    std::string base_url_;
    HttpClient& client_;
    std::vector<PublicKey> trusted_;
    std::optional<FreshnessGuard> freshness_;
};

}  // namespace stigmer::release
