#include "release/manifest.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace stigmer::release {
namespace {

using nlohmann::json;

json valid_manifest() {
    return json::parse(R"({
      "schema": 1, "version": "1.2.3", "published_at": "2026-11-24T12:00:00Z",
      "components": {
        "agent-runner": {"version": "1.2.3", "platforms": {"linux-amd64": {
          "url": "linux-amd64/agent-runner",
          "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
          "size": 58720256, "format": "binary", "entry": "agent-runner"}}},
        "temporal": {"version": "1.5.1", "platforms": {"darwin-arm64": {
          "url": "https://mirror.example/temporal.tar.gz",
          "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
          "size": 26214400, "format": "tar.gz", "entry": "bin/temporal"}}}
      }})");
}

std::string error_of(const json& document) {
    try {
        parse_manifest(document.dump(), "https://r.example/1.2.3/manifest.json");
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::kVerification);
        EXPECT_EQ(error.where(), "https://r.example/1.2.3/manifest.json");
        return error.message();
    }
    return "";
}

TEST(ManifestTest, ParsesValidManifest) {
    const auto manifest = parse_manifest(valid_manifest().dump(), "m");
    EXPECT_EQ(manifest.version, "1.2.3");
    ASSERT_EQ(manifest.components.size(), 2u);
    const auto& temporal = manifest.components.at("temporal");
    EXPECT_EQ(temporal.version, "1.5.1");
    const auto& artifact = temporal.platforms.at("darwin-arm64");
    EXPECT_EQ(artifact.format, ArtifactFormat::kTarGz);
    EXPECT_EQ(artifact.entry, "bin/temporal");
    EXPECT_EQ(artifact.size, 26214400u);
}

TEST(ManifestTest, RefusesUnknownSchema) {
    auto document = valid_manifest();
    document["schema"] = 2;
    EXPECT_NE(error_of(document).find("unsupported release schema 2"), std::string::npos);
}

TEST(ManifestTest, RefusesMissingFields) {
    for (const char* field : {"url", "sha256", "size", "format", "entry"}) {
        auto document = valid_manifest();
        document["components"]["agent-runner"]["platforms"]["linux-amd64"].erase(field);
        EXPECT_NE(error_of(document).find(std::string("missing field")), std::string::npos)
            << field;
    }
    auto document = valid_manifest();
    document.erase("components");
    EXPECT_NE(error_of(document).find("missing field (top level).components"), std::string::npos);
}

TEST(ManifestTest, RefusesBadSha256) {
    for (const char* digest :
         {"XYZ", "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"}) {
        auto document = valid_manifest();
        document["components"]["agent-runner"]["platforms"]["linux-amd64"]["sha256"] = digest;
        EXPECT_NE(error_of(document).find("64 lowercase hex"), std::string::npos) << digest;
    }
}

TEST(ManifestTest, RefusesBadPlatformKeysFormatsAndEntries) {
    auto platform = valid_manifest();
    platform["components"]["temporal"]["platforms"]["linux-x86_64"] =
        platform["components"]["temporal"]["platforms"]["darwin-arm64"];
    EXPECT_NE(error_of(platform).find("unknown platform 'linux-x86_64'"), std::string::npos);

    auto format = valid_manifest();
    format["components"]["temporal"]["platforms"]["darwin-arm64"]["format"] = "rar";
    EXPECT_NE(error_of(format).find("'rar'"), std::string::npos);

    for (const char* entry : {"../temporal", "/bin/temporal", "bin/../../x", "a//b"}) {
        auto bad = valid_manifest();
        bad["components"]["temporal"]["platforms"]["darwin-arm64"]["entry"] = entry;
        EXPECT_NE(error_of(bad).find("not a safe relative path"), std::string::npos) << entry;
    }
}

TEST(ManifestTest, RefusesBadSizesAndTypes) {
    for (const json& size : {json(-1), json(0), json("12"), json(1.5)}) {
        auto document = valid_manifest();
        document["components"]["agent-runner"]["platforms"]["linux-amd64"]["size"] = size;
        EXPECT_NE(error_of(document).find("positive integer"), std::string::npos) << size;
    }
}

TEST(ManifestTest, RefusesUnsafeVersionsAndNames) {
    auto version = valid_manifest();
    version["version"] = "../1";
    EXPECT_NE(error_of(version).find("outside [A-Za-z0-9._+-]"), std::string::npos);
    auto name = valid_manifest();
    name["components"]["../x"] = name["components"]["temporal"];
    EXPECT_NE(error_of(name).find("component name"), std::string::npos);
}

TEST(ManifestTest, RefusesNonJson) {
    EXPECT_NE(error_of(json("just a string")).find("not a JSON object"), std::string::npos);
    EXPECT_THROW(parse_manifest("{", "m"), Error);
}

TEST(ManifestTest, RefusesAPublicationTimeThatIsNotRfc3339) {
    for (const auto* text : {"last tuesday", "2026-11-24", "2026-11-24T12:00:00", "1764000000"}) {
        auto manifest = valid_manifest();
        manifest["published_at"] = text;
        EXPECT_NE(error_of(manifest).find("published_at '" + std::string(text) +
                                          "' is not an RFC 3339 time"),
                  std::string::npos)
            << text;
    }
    auto offset = valid_manifest();
    offset["published_at"] = "2026-11-24T13:00:00+01:00";
    EXPECT_EQ(error_of(offset), "");
}

TEST(ChannelTest, ParsesAndValidates) {
    const auto channel = parse_channel(
        R"({"schema":1,"channel":"stable","version":"1.2.3","published_at":"2026-11-24T12:00:00Z"})",
        "c");
    EXPECT_EQ(channel.channel, "stable");
    EXPECT_EQ(channel.version, "1.2.3");
    EXPECT_THROW(parse_channel(R"({"schema":1,"channel":"stable"})", "c"), Error);
    EXPECT_THROW(
        parse_channel(R"({"schema":1,"channel":"stable","version":"1.2.3","published_at":"soon"})",
                      "c"),
        Error);
}

}  // namespace
}  // namespace stigmer::release
