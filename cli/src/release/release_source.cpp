#include "release/release_source.h"

#include "util/error.h"
#include "util/semver.h"

namespace stigmer::release {

namespace {
constexpr std::size_t kMaxDocumentBytes = 1 << 20;
constexpr std::size_t kMaxSignatureBytes = 4096;
}  // namespace

SignedManifest verify_manifest(std::string text, std::string signature,
                               const std::string& expected_version, const std::string& source,
                               const std::vector<PublicKey>& trusted) {
    verify_signature(text, signature, trusted, source + ".minisig");
    SignedManifest result;
    result.manifest = parse_manifest(text, source);
    if (result.manifest.version != expected_version) {
        throw Error(
            ExitCode::kVerification,
            "manifest is for version " + result.manifest.version + ", not " + expected_version,
            source, "the release tree is inconsistent; report it to its publisher");
    }
    result.text = std::move(text);
    result.signature = std::move(signature);
    result.url = source;
    return result;
}

ReleaseSource::ReleaseSource(std::string base_url, HttpClient& client,
                             std::vector<PublicKey> trusted)
    : base_url_(std::move(base_url)), client_(client), trusted_(std::move(trusted)) {}

std::string ReleaseSource::manifest_url(const std::string& version) const {
    return base_url_ + "/" + version + "/manifest.json";
}

std::string ReleaseSource::channel_url(const std::string& channel) const {
    return base_url_ + "/channels/" + channel + ".json";
}

std::string ReleaseSource::fetch_signed(const std::string& url, std::string* signature) {
    auto text = fetch_document(client_, url, kMaxDocumentBytes);
    try {
        *signature = fetch_document(client_, url + ".minisig", kMaxSignatureBytes);
    } catch (const Error& error) {
        if (error.code() != ExitCode::kNotAvailable) throw;
        throw Error(ExitCode::kVerification, "signature is missing", url + ".minisig",
                    "unsigned releases are refused; publish the .minisig next to the file");
    }
    return text;
}

void ReleaseSource::allow_older_files(bool allow) {
    if (freshness_) freshness_->allow_older(allow);
}

SignedManifest ReleaseSource::fetch_manifest(const std::string& version) {
    if (!is_valid_version_string(version)) {
        throw Error(ExitCode::kUsage, "invalid version '" + version + "'", "--version",
                    "versions look like 1.2.3 (no leading v) or a local name of [A-Za-z0-9._+-]");
    }
    const auto url = manifest_url(version);
    std::string signature;
    auto text = fetch_signed(url, &signature);
    auto verified = verify_manifest(std::move(text), std::move(signature), version, url, trusted_);
    if (freshness_) {
        freshness_->admit(base_url_, SignedFileKind::kManifest, version,
                          verified.manifest.published_at, url);
    }
    return verified;
}

Channel ReleaseSource::fetch_channel(const std::string& channel) {
    if (!is_valid_version_string(channel)) {
        throw Error(ExitCode::kUsage, "invalid channel name '" + channel + "'", "--channel",
                    "use a channel name such as stable");
    }
    const auto url = channel_url(channel);
    std::string signature;
    const auto text = fetch_signed(url, &signature);
    verify_signature(text, signature, trusted_, url + ".minisig");
    auto parsed = parse_channel(text, url);
    if (parsed.channel != channel) {
        throw Error(ExitCode::kVerification,
                    "channel file is for channel " + parsed.channel + ", not " + channel, url,
                    "the release tree is inconsistent; report it to its publisher");
    }
    if (freshness_) {
        freshness_->admit(base_url_, SignedFileKind::kChannel, channel, parsed.published_at, url);
    }
    return parsed;
}

}  // namespace stigmer::release
