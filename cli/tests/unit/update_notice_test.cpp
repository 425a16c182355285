#include "update/update_notice.h"

#include <gtest/gtest.h>

namespace stigmer::update {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

NoticeSituation terminal() {
    NoticeSituation situation;
    situation.stderr_is_terminal = true;
    situation.running_version = "1.3.2";
    situation.cli_version = "1.4.0";  // already upgraded (brew, install.sh); the stack not yet
    situation.upgrade_command = "brew upgrade stigmer";
    situation.now = kNow;
    return situation;
}

UpdateRecord answer(const std::string& latest) {
    UpdateRecord record;
    record.checked_at = kNow - 3600;
    record.channel = "stable";
    record.latest = latest;
    return record;
}

TEST(UpdateNotice, OneLineOnATerminalWhenANewerReleaseIsKnown) {
    const auto line = update_notice(terminal(), answer("1.4.0"));
    ASSERT_TRUE(line);
    EXPECT_EQ(*line, "stigmer 1.4.0 is available (you run 1.3.2): stigmer server update");
}

TEST(UpdateNotice, NothingWhenUpToDateOlderUnorderedOrUnknown) {
    EXPECT_FALSE(update_notice(terminal(), answer("1.3.2")));
    EXPECT_FALSE(update_notice(terminal(), answer("1.3.1")));
    EXPECT_FALSE(update_notice(terminal(), answer("dev-b")));
    EXPECT_FALSE(update_notice(terminal(), std::nullopt));
    UpdateRecord failed = answer("1.4.0");
    failed.latest.reset();
    failed.error = "download failed";
    EXPECT_FALSE(update_notice(terminal(), failed));
}

TEST(UpdateNotice, SuppressedOffTerminalInCiWhenOptedOutOffJsonOrQuiet) {
    const auto record = answer("1.4.0");
    auto piped = terminal();
    piped.stderr_is_terminal = false;
    EXPECT_FALSE(update_notice(piped, record));
    auto ci = terminal();
    ci.ci = true;
    EXPECT_FALSE(update_notice(ci, record));
    auto opted_out = terminal();
    opted_out.opted_out = true;
    EXPECT_FALSE(update_notice(opted_out, record));
    auto off = terminal();
    off.enabled = false;
    EXPECT_FALSE(update_notice(off, record));
    auto json = terminal();
    json.json = true;
    EXPECT_FALSE(update_notice(json, record));
    auto quiet = terminal();
    quiet.quiet = true;
    EXPECT_FALSE(update_notice(quiet, record));
    EXPECT_TRUE(notice_suppressed(ci));
    EXPECT_FALSE(notice_suppressed(terminal()));
}

TEST(UpdateNotice, OnceADayPerVersion) {
    auto record = answer("1.4.0");
    ASSERT_TRUE(update_notice(terminal(), record));
    mark_notice_shown(record, kNow);
    EXPECT_EQ(record.notice_version, "1.4.0");
    EXPECT_FALSE(update_notice(terminal(), record));

    auto later = terminal();
    later.now = kNow + kNoticeInterval - 1;
    EXPECT_FALSE(update_notice(later, record));
    later.now = kNow + kNoticeInterval;
    EXPECT_TRUE(update_notice(later, record));

    // A newer version is news at once, the same day.
    record.latest = "1.5.0";
    EXPECT_TRUE(update_notice(terminal(), record));
}

TEST(UpdateNotice, AClockThatWentBackShowsItAgain) {
    auto record = answer("1.4.0");
    mark_notice_shown(record, kNow + 1000);
    EXPECT_TRUE(update_notice(terminal(), record));
}

TEST(UpdateNotice, SaysSoWhenTheReleaseIsAlreadyDownloaded) {
    auto record = answer("1.4.0");
    record.installed = "1.4.0";
    EXPECT_EQ(update_notice(terminal(), record),
              "stigmer 1.4.0 is downloaded and verified (you run 1.3.2): stigmer server update");
}

TEST(UpdateNotice, AnOlderCliIsToldHowToUpgradeTheWayItWasInstalled) {
    auto older_cli = terminal();
    older_cli.cli_version = "1.3.2";
    older_cli.upgrade_command = "curl -fsSL https://releases.stigmer.ai/install.sh | sh";
    EXPECT_EQ(update_notice(older_cli, answer("1.4.0")),
              "stigmer 1.4.0 is available (you run 1.3.2): curl -fsSL "
              "https://releases.stigmer.ai/install.sh | sh, then stigmer server update");
}

TEST(UpdateNotice, AReleaseThatNeedsANewerCliSaysToUpgradeItFirst) {
    auto record = answer("1.4.0");
    record.min_cli_version = "1.4.1";
    EXPECT_EQ(update_notice(terminal(), record),
              "stigmer 1.4.0 is available (you run 1.3.2) and needs stigmer 1.4.1 or newer: brew "
              "upgrade stigmer, then stigmer server update");
    record.min_cli_version = "1.4.0";  // this CLI has it
    EXPECT_EQ(update_notice(terminal(), record),
              "stigmer 1.4.0 is available (you run 1.3.2): stigmer server update");
}

TEST(UpdateNotice, RunningVersionIsWhatIsCompared) {
    auto situation = terminal();
    situation.running_version = "1.4.0";  // the active release
    situation.cli_version = "1.3.2";
    EXPECT_FALSE(update_notice(situation, answer("1.4.0")));
}

}  // namespace
}  // namespace stigmer::update
