#include "release/manifest.h"

#include <nlohmann/json.hpp>

#include "platform/platform.h"
#include "util/error.h"
#include "util/hex.h"
#include "util/rfc3339.h"
#include "util/semver.h"

namespace stigmer::release {

using nlohmann::json;

namespace {

Error invalid(const std::string& what, const std::string& source) {
    return Error(ExitCode::kVerification, "invalid release file: " + what, source,
                 "the release is malformed; report it to whoever publishes it");
}

json parse_json(std::string_view text, const std::string& source) {
    try {
        return json::parse(text);
    } catch (const json::parse_error& error) {
        throw invalid(std::string("not JSON (") + error.what() + ")", source);
    }
}

const json& field(const json& object, const char* name, const std::string& context,
                  const std::string& source) {
    if (!object.is_object()) throw invalid(context + " is not an object", source);
    const auto it = object.find(name);
    if (it == object.end()) throw invalid("missing field " + context + "." + name, source);
    return *it;
}

std::string string_field(const json& object, const char* name, const std::string& context,
                         const std::string& source) {
    const auto& value = field(object, name, context, source);
    if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
        throw invalid(context + "." + name + " must be a non-empty string", source);
    }
    return value.get<std::string>();
}

int schema_field(const json& object, const std::string& source) {
    const auto& value = field(object, "schema", "(top level)", source);
    if (!value.is_number_integer() || value.get<std::int64_t>() != kManifestSchema) {
        throw Error(ExitCode::kVerification, "unsupported release schema " + value.dump(), source,
                    "this stigmer understands schema " + std::to_string(kManifestSchema) +
                        "; update stigmer");
    }
    return kManifestSchema;
}

std::string version_field(const json& object, const std::string& context,
                          const std::string& source) {
    auto version = string_field(object, "version", context, source);
    if (!is_valid_version_string(version)) {
        throw invalid(context + ".version '" + version + "' has characters outside [A-Za-z0-9._+-]",
                      source);
    }
    return version;
}

// Kept as written (it is what the record of the newest verified file shows), checked to be an
// instant: freshness compares instants, never strings.
std::string published_at_field(const json& object, const std::string& source) {
    auto published_at = string_field(object, "published_at", "(top level)", source);
    if (!parse_rfc3339(published_at)) {
        throw invalid("published_at '" + published_at +
                          "' is not an RFC 3339 time (like 2026-11-24T12:00:00Z)",
                      source);
    }
    return published_at;
}

bool is_safe_relative_path(std::string_view path) {
    if (path.empty() || path.front() == '/' || path.find('\\') != std::string_view::npos ||
        path.find('\0') != std::string_view::npos || path.find(':') != std::string_view::npos) {
        return false;
    }
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = path.find('/', start);
        const auto part = path.substr(start, end == std::string_view::npos ? end : end - start);
        if (part.empty() || part == "." || part == "..") return false;
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return true;
}

bool is_valid_component_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

Artifact parse_artifact(const json& object, const std::string& context, const std::string& source) {
    Artifact artifact;
    artifact.url = string_field(object, "url", context, source);
    artifact.sha256 = string_field(object, "sha256", context, source);
    if (!is_lowercase_hex(artifact.sha256, 64)) {
        throw invalid(context + ".sha256 must be 64 lowercase hex digits", source);
    }
    const auto& size = field(object, "size", context, source);
    if (!size.is_number_unsigned() || size.get<std::uint64_t>() == 0) {
        throw invalid(context + ".size must be a positive integer", source);
    }
    artifact.size = size.get<std::uint64_t>();
    const auto format = string_field(object, "format", context, source);
    if (format == "binary") {
        artifact.format = ArtifactFormat::kBinary;
    } else if (format == "tar.gz") {
        artifact.format = ArtifactFormat::kTarGz;
    } else if (format == "zip") {
        artifact.format = ArtifactFormat::kZip;
    } else {
        throw invalid(context + ".format '" + format + "' is not binary, tar.gz or zip", source);
    }
    artifact.entry = string_field(object, "entry", context, source);
    if (!is_safe_relative_path(artifact.entry) || (artifact.format == ArtifactFormat::kBinary &&
                                                   artifact.entry.find('/') != std::string::npos)) {
        throw invalid(context + ".entry '" + artifact.entry + "' is not a safe relative path",
                      source);
    }
    return artifact;
}

}  // namespace

std::string_view format_name(ArtifactFormat format) {
    switch (format) {
        case ArtifactFormat::kBinary:
            return "binary";
        case ArtifactFormat::kTarGz:
            return "tar.gz";
        case ArtifactFormat::kZip:
            return "zip";
    }
    return "unknown";
}

Manifest parse_manifest(std::string_view text, const std::string& source) {
    const auto document = parse_json(text, source);
    if (!document.is_object()) throw invalid("the manifest is not a JSON object", source);
    Manifest manifest;
    manifest.schema = schema_field(document, source);
    manifest.version = version_field(document, "(top level)", source);
    manifest.published_at = published_at_field(document, source);
    if (document.contains("min_cli_version")) {
        const auto minimum = string_field(document, "min_cli_version", "(top level)", source);
        if (!parse_semver(minimum)) {
            throw invalid("min_cli_version '" + minimum + "' is not a semantic version", source);
        }
        manifest.min_cli_version = minimum;
    }
    const auto& components = field(document, "components", "(top level)", source);
    if (!components.is_object() || components.empty()) {
        throw invalid("components must be a non-empty object", source);
    }
    for (const auto& [name, body] : components.items()) {
        if (!is_valid_component_name(name)) {
            throw invalid("component name '" + name + "' is not [a-z0-9_-]+", source);
        }
        const auto context = "components." + name;
        Component component;
        component.version = version_field(body, context, source);
        const auto& platforms = field(body, "platforms", context, source);
        if (!platforms.is_object() || platforms.empty()) {
            throw invalid(context + ".platforms must be a non-empty object", source);
        }
        for (const auto& [key, artifact] : platforms.items()) {
            if (!platform::parse_platform_key(key)) {
                throw invalid(context + ".platforms has unknown platform '" + key +
                                  "' (expected os-arch, os in linux/darwin/windows, arch in "
                                  "amd64/arm64)",
                              source);
            }
            component.platforms.emplace(key, parse_artifact(artifact, context + "." + key, source));
        }
        manifest.components.emplace(name, std::move(component));
    }
    return manifest;
}

Channel parse_channel(std::string_view text, const std::string& source) {
    const auto document = parse_json(text, source);
    if (!document.is_object()) throw invalid("the channel file is not a JSON object", source);
    Channel channel;
    channel.schema = schema_field(document, source);
    channel.channel = string_field(document, "channel", "(top level)", source);
    channel.version = version_field(document, "(top level)", source);
    channel.published_at = published_at_field(document, source);
    return channel;
}

}  // namespace stigmer::release
