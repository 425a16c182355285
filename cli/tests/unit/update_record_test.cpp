#include "update/update_record.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "test_support.h"
#include "update/update_checker.h"

namespace stigmer::update {
namespace {

using stigmer::testing::TempDir;

UpdateRecord full_record() {
    UpdateRecord record;
    record.checked_at = 1'800'000'000;
    record.releases_url = "https://releases.stigmer.ai";
    record.channel = "stable";
    record.latest = "1.4.0";
    record.min_cli_version = "1.4.0";
    record.installed = "1.4.0";
    record.notice_version = "1.4.0";
    record.notice_shown_at = 1'800'000'100;
    return record;
}

void write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
}

TEST(UpdateRecord, RoundTrip) {
    TempDir dir;
    const auto path = update_record_path(dir.path());
    EXPECT_EQ(path.filename(), "update-check.json");
    save_update_record(path, full_record());
    const auto loaded = load_update_record(path);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->checked_at, 1'800'000'000);
    EXPECT_EQ(loaded->releases_url, "https://releases.stigmer.ai");
    EXPECT_EQ(loaded->channel, "stable");
    EXPECT_EQ(loaded->latest, "1.4.0");
    EXPECT_EQ(loaded->min_cli_version, "1.4.0");
    EXPECT_EQ(loaded->installed, "1.4.0");
    EXPECT_FALSE(loaded->error);
    EXPECT_EQ(loaded->notice_version, "1.4.0");
    EXPECT_EQ(loaded->notice_shown_at, 1'800'000'100);
}

TEST(UpdateRecord, AFailureRoundTripsWithoutALatestVersion) {
    TempDir dir;
    const auto path = update_record_path(dir.path());
    UpdateRecord failed;
    failed.checked_at = 42;
    failed.releases_url = "http://127.0.0.1:1";
    failed.channel = "stable";
    failed.error = "download failed (Connection refused)";
    save_update_record(path, failed);
    const auto loaded = load_update_record(path);
    ASSERT_TRUE(loaded);
    EXPECT_FALSE(loaded->latest);
    EXPECT_EQ(loaded->error, "download failed (Connection refused)");
}

TEST(UpdateRecord, MissingOrCorruptIsAsIfNeverChecked) {
    TempDir dir;
    const auto path = update_record_path(dir.path());
    EXPECT_FALSE(load_update_record(path));
    for (const char* text : {"", "{", "[]", "null", R"({"schema": 1})",
                             R"({"schema": 2, "checked_at": 1, "releases_url": "u",
                                 "channel": "stable"})",
                             R"({"schema": 1, "checked_at": "yesterday", "releases_url": "u",
                                 "channel": "stable"})",
                             R"({"schema": 1, "checked_at": 1, "releases_url": "u",
                                 "channel": "stable", "latest": 140})"}) {
        write(path, text);
        EXPECT_FALSE(load_update_record(path)) << text;
    }
    write(path, R"({"schema": 1, "checked_at": 1, "releases_url": "u", "channel": "stable"})");
    EXPECT_TRUE(load_update_record(path));
}

TEST(UpdateRecord, ModifyKeepsWhatTheChangeDoesNotTouch) {
    TempDir dir;
    save_update_record(update_record_path(dir.path()), full_record());
    modify_update_record(dir.path(), [](UpdateRecord& record) {
        record.notice_shown_at = 7;
        return true;
    });
    auto loaded = load_update_record(update_record_path(dir.path()));
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->notice_shown_at, 7);
    EXPECT_EQ(loaded->latest, "1.4.0");

    modify_update_record(dir.path(), [](UpdateRecord& record) {
        record.latest = "9.9.9";
        return false;  // left alone
    });
    EXPECT_EQ(load_update_record(update_record_path(dir.path()))->latest, "1.4.0");
}

TEST(UpdateRecord, ACorruptFileIsReplacedByTheNextAnswer) {
    TempDir dir;
    write(update_record_path(dir.path()), "{not json");
    remember_channel_answer(dir.path(), "https://r.example", "stable", "1.4.0", std::nullopt);
    const auto loaded = load_update_record(update_record_path(dir.path()));
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->latest, "1.4.0");
    EXPECT_GT(loaded->checked_at, 0);
}

TEST(UpdateRecord, ANewChannelAnswerKeepsNoticeStateAndDropsTheDownloadOfAnotherVersion) {
    TempDir dir;
    save_update_record(update_record_path(dir.path()), full_record());
    remember_channel_answer(dir.path(), "https://releases.stigmer.ai", "stable", "1.4.0", "1.4.0");
    auto same = load_update_record(update_record_path(dir.path()));
    EXPECT_EQ(same->min_cli_version, "1.4.0");
    EXPECT_EQ(same->installed, "1.4.0");
    EXPECT_EQ(same->notice_shown_at, 1'800'000'100);

    remember_channel_answer(dir.path(), "https://releases.stigmer.ai", "stable", "1.5.0",
                            std::nullopt);
    auto newer = load_update_record(update_record_path(dir.path()));
    EXPECT_EQ(newer->latest, "1.5.0");
    EXPECT_FALSE(newer->min_cli_version);
    EXPECT_FALSE(newer->installed);
    EXPECT_EQ(newer->notice_version, "1.4.0");
}

TEST(UpdateCheck, DueOnceADayOrWhenTheTreeOrChannelChanged) {
    constexpr std::int64_t now = 1'800'000'000;
    EXPECT_TRUE(check_due(std::nullopt, now, "stable", "https://r"));
    UpdateRecord record;
    record.channel = "stable";
    record.releases_url = "https://r";
    record.checked_at = now - kCheckInterval + 1;
    EXPECT_FALSE(check_due(record, now, "stable", "https://r"));
    EXPECT_TRUE(check_due(record, now, "beta", "https://r"));
    EXPECT_TRUE(check_due(record, now, "stable", "https://mirror"));
    record.checked_at = now - kCheckInterval;
    EXPECT_TRUE(check_due(record, now, "stable", "https://r"));
    record.error = "offline";  // a failure counts as a check: no retry on every start
    record.checked_at = now - 60;
    EXPECT_FALSE(check_due(record, now, "stable", "https://r"));
    record.checked_at = now + 3600;  // the clock went back
    EXPECT_TRUE(check_due(record, now, "stable", "https://r"));
}

#if !defined(_WIN32)  // setenv is POSIX
TEST(UpdateCheck, TwoSecondsUnlessTheEnvironmentSaysOtherwise) {
    ::unsetenv("STIGMER_UPDATE_CHECK_TIMEOUT");
    EXPECT_EQ(update_check_timeout(), std::chrono::seconds(2));
    ::setenv("STIGMER_UPDATE_CHECK_TIMEOUT", "600", 1);
    EXPECT_EQ(update_check_timeout(), std::chrono::seconds(600));
    ::setenv("STIGMER_UPDATE_CHECK_TIMEOUT", "soon", 1);
    EXPECT_EQ(update_check_timeout(), std::chrono::seconds(2));
    ::unsetenv("STIGMER_UPDATE_CHECK_TIMEOUT");
}
#endif

}  // namespace
}  // namespace stigmer::update
