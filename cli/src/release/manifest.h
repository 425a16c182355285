#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace stigmer::release {

inline constexpr int kManifestSchema = 1;

enum class ArtifactFormat { kBinary, kTarGz, kZip };

std::string_view format_name(ArtifactFormat format);

// One downloadable file for one component on one platform (see docs/release-manifest.md).
struct Artifact {
    std::string url;     // as written in the manifest (may be relative)
    std::string sha256;  // lowercase hex
    std::uint64_t size = 0;
    ArtifactFormat format = ArtifactFormat::kBinary;
    std::string entry;  // executable: file name (binary) or path inside the archive
};

struct Component {
    std::string version;                        // the component's own (upstream) version
    std::map<std::string, Artifact> platforms;  // keyed by "os-arch"
};

struct Manifest {
    int schema = kManifestSchema;
    std::string version;  // the release version
    std::string published_at;
    std::map<std::string, Component> components;
    std::optional<std::string> min_cli_version;  // the oldest CLI that can run this release
};

struct Channel {
    int schema = kManifestSchema;
    std::string channel;
    std::string version;
    std::string published_at;
};

// The component that is the CLI itself: listed for installers, never run by the daemon.
inline constexpr std::string_view kCliComponent = "stigmer";

// Parse and validate strictly; throw Error(kVerification) naming `source` (the URL or file) on
// any problem: invalid JSON, unknown schema, missing or mistyped field, bad sha256, bad platform.
Manifest parse_manifest(std::string_view text, const std::string& source);
Channel parse_channel(std::string_view text, const std::string& source);

}  // namespace stigmer::release
