#include "update/cli_requirement.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "release/manifest.h"
#include "util/error.h"

namespace stigmer::update {
namespace {

using nlohmann::json;

json manifest_document() {
    return json::parse(R"({
      "schema": 1, "version": "1.5.0", "published_at": "2026-11-24T12:00:00Z",
      "components": {
        "agent-runner": {"version": "1.5.0", "platforms": {"linux-amd64": {
          "url": "linux-amd64/agent-runner",
          "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
          "size": 58720256, "format": "binary", "entry": "agent-runner"}}}
      }})");
}

TEST(MinCliVersion, OptionalInTheManifest) {
    const auto manifest = release::parse_manifest(manifest_document().dump(), "m");
    EXPECT_FALSE(manifest.min_cli_version);
    auto document = manifest_document();
    document["min_cli_version"] = "1.4.0";
    EXPECT_EQ(release::parse_manifest(document.dump(), "m").min_cli_version, "1.4.0");
}

TEST(MinCliVersion, StrictlyTypedWhenPresent) {
    for (const json& bad : {json(140), json(""), json(nullptr), json("latest"), json("v1.4.0"),
                            json::array({"1.4.0"})}) {
        auto document = manifest_document();
        document["min_cli_version"] = bad;
        try {
            release::parse_manifest(document.dump(), "https://r.example/1.5.0/manifest.json");
            ADD_FAILURE() << "accepted min_cli_version " << bad.dump();
        } catch (const Error& error) {
            EXPECT_EQ(error.code(), ExitCode::kVerification);
            EXPECT_NE(error.message().find("min_cli_version"), std::string::npos)
                << error.message();
        }
    }
}

TEST(MinCliVersion, WhichClisSatisfyIt) {
    EXPECT_TRUE(cli_satisfies(std::nullopt, "dev-test"));
    EXPECT_TRUE(cli_satisfies("1.4.0", "1.4.0"));
    EXPECT_TRUE(cli_satisfies("1.4.0", "1.10.0"));
    EXPECT_FALSE(cli_satisfies("1.4.0", "1.3.9"));
    EXPECT_FALSE(cli_satisfies("1.4.0", "1.4.0-rc.1"));
    // A local build cannot show it is new enough.
    EXPECT_FALSE(cli_satisfies("1.4.0", "dev-test"));
}

TEST(MinCliVersion, RefusalIsOneLineSayingWhichCliAndHow) {
    auto document = manifest_document();
    document["min_cli_version"] = "1.5.0";
    const auto manifest = release::parse_manifest(document.dump(), "m");
    EXPECT_NO_THROW(require_cli_for(manifest, "1.5.0", "m", "brew upgrade stigmer"));
    try {
        require_cli_for(manifest, "1.4.2", "https://r.example/1.5.0/manifest.json",
                        "brew upgrade stigmer");
        ADD_FAILURE() << "not refused";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::kRefused);
        EXPECT_EQ(format_error_line(error),
                  "stigmer: error: release 1.5.0 needs stigmer 1.5.0 or newer (this is 1.4.2), "
                  "https://r.example/1.5.0/manifest.json; upgrade the CLI first: brew upgrade "
                  "stigmer");
    }
}

}  // namespace
}  // namespace stigmer::update
