#include "release/freshness_guard.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "test_support.h"
#include "util/error.h"
#include "util/files.h"

namespace stigmer::release {
namespace {

using stigmer::testing::TempDir;

constexpr const char* kBase = "https://releases.example";
constexpr const char* kChannelUrl = "https://releases.example/channels/stable.json";
constexpr const char* kOlder = "2026-11-20T12:00:00Z";
constexpr const char* kNewer = "2026-11-24T12:00:00Z";

class FreshnessGuardTest : public ::testing::Test {
  protected:
    FreshnessGuard guard() {
        return FreshnessGuard(record_file(), dir.path() / "locks" / "freshness.lock",
                              [this](const std::string& line) { warnings.push_back(line); });
    }
    std::filesystem::path record_file() const { return dir.path() / "state" / "freshness.json"; }

    // The refusal's message, or "" if the file was admitted.
    std::string refusal(const FreshnessGuard& with, SignedFileKind kind, const std::string& name,
                        const std::string& published_at, const std::string& url = kChannelUrl) {
        try {
            with.admit(kBase, kind, name, published_at, url);
        } catch (const Error& error) {
            EXPECT_EQ(error.code(), ExitCode::kVerification);
            EXPECT_EQ(error.where(), url);
            return error.message();
        }
        return "";
    }

    TempDir dir;
    std::vector<std::string> warnings;
};

TEST(ComparePublished, ComparesInstantsNotText) {
    EXPECT_EQ(compare_published(kNewer, kOlder), Freshness::kNewer);
    EXPECT_EQ(compare_published(kOlder, kNewer), Freshness::kOlder);
    EXPECT_EQ(compare_published("2026-11-24T13:00:00+01:00", kNewer), Freshness::kSame);
    // "...T13:00:00+01:00" sorts after "...T12:30:00Z" as text but is half an hour before it.
    EXPECT_EQ(compare_published("2026-11-24T13:00:00+01:00", "2026-11-24T12:30:00Z"),
              Freshness::kOlder);
    EXPECT_THROW(compare_published("yesterday", kNewer), Error);
}

TEST_F(FreshnessGuardTest, RefusesAnOlderChannelAfterANewerOne) {
    const auto checker = guard();
    EXPECT_EQ(refusal(checker, SignedFileKind::kChannel, "stable", kNewer), "");
    const auto message = refusal(checker, SignedFileKind::kChannel, "stable", kOlder);
    EXPECT_NE(message.find("channel file published 2026-11-20T12:00:00Z, older than the "
                           "2026-11-24T12:00:00Z already verified"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("stigmer server update --channel stable --allow-downgrade"),
              std::string::npos)
        << message;
    // Another process (a fresh guard on the same home) refuses it too.
    EXPECT_NE(refusal(guard(), SignedFileKind::kChannel, "stable", kOlder), "");
}

TEST_F(FreshnessGuardTest, AcceptsTheSameAndNewerFiles) {
    const auto checker = guard();
    EXPECT_EQ(refusal(checker, SignedFileKind::kChannel, "stable", kOlder), "");
    EXPECT_EQ(refusal(checker, SignedFileKind::kChannel, "stable", kOlder), "");
    EXPECT_EQ(refusal(checker, SignedFileKind::kChannel, "stable", kNewer), "");
    EXPECT_EQ(refusal(checker, SignedFileKind::kChannel, "stable", "2026-11-24T13:00:00+01:00"),
              "");
    EXPECT_TRUE(warnings.empty());
    const auto record = nlohmann::json::parse(read_text_file(record_file()));
    EXPECT_EQ(record["sources"][kBase]["channels"]["stable"], kNewer);
}

TEST_F(FreshnessGuardTest, KeepsOneHistoryPerTreeChannelAndVersion) {
    const auto checker = guard();
    EXPECT_EQ(refusal(checker, SignedFileKind::kChannel, "stable", kNewer), "");
    EXPECT_EQ(refusal(checker, SignedFileKind::kChannel, "beta", kOlder), "");
    EXPECT_EQ(refusal(checker, SignedFileKind::kManifest, "1.1.0", kNewer), "");
    // An older version's manifest is older, and installing it is a choice, not a replay.
    EXPECT_EQ(refusal(checker, SignedFileKind::kManifest, "1.0.0", kOlder), "");
    checker.admit("https://mirror.example", SignedFileKind::kChannel, "stable", kOlder,
                  "https://mirror.example/channels/stable.json");
    const auto message = refusal(checker, SignedFileKind::kManifest, "1.1.0", kOlder,
                                 "https://releases.example/1.1.0/manifest.json");
    EXPECT_NE(message.find("manifest published"), std::string::npos) << message;
    EXPECT_NE(message.find("stigmer server install --version 1.1.0 --allow-downgrade"),
              std::string::npos)
        << message;
}

TEST_F(FreshnessGuardTest, AnOlderFileAcceptedOnPurposeIsSaidAndRecorded) {
    EXPECT_EQ(refusal(guard(), SignedFileKind::kChannel, "stable", kNewer), "");
    auto forced = guard();
    forced.allow_older(true);
    EXPECT_EQ(refusal(forced, SignedFileKind::kChannel, "stable", kOlder), "");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find(kChannelUrl), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("--allow-downgrade"), std::string::npos) << warnings[0];
    // The user's choice sticks: the same file is no longer refused without the flag.
    EXPECT_EQ(refusal(guard(), SignedFileKind::kChannel, "stable", kOlder), "");
}

TEST_F(FreshnessGuardTest, AnUnreadableRecordIsSaidAndReplaced) {
    for (const auto* text :
         {"{not json", R"({"schema":2,"sources":{}})",
          R"({"schema":1,"sources":{"x":{"channels":{"stable":"soon"}}}})", R"([1,2])"}) {
        warnings.clear();
        std::filesystem::create_directories(record_file().parent_path());
        std::ofstream(record_file()) << text;
        EXPECT_EQ(refusal(guard(), SignedFileKind::kChannel, "stable", kNewer), "") << text;
        ASSERT_EQ(warnings.size(), 1u) << text;
        EXPECT_NE(warnings[0].find(record_file().string()), std::string::npos) << warnings[0];
        EXPECT_NE(warnings[0].find("starting a new one"), std::string::npos) << warnings[0];
        const auto record = nlohmann::json::parse(read_text_file(record_file()));
        EXPECT_EQ(record["sources"][kBase]["channels"]["stable"], kNewer) << text;
    }
}

}  // namespace
}  // namespace stigmer::release
