#include <gtest/gtest.h>

#include <fstream>

#include "supervise/log_files.h"
#include "supervise/rotating_log.h"
#include "test_support.h"

using namespace stigmer::supervise;
using stigmer::testing::TempDir;

namespace {

std::size_t count_lines(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
}

}  // namespace

TEST(RotatingLog, StampsEveryLine) {
    TempDir dir;
    {
        RotatingLog log(dir.path() / "a.log", 1 << 20, 3);
        log.write_line("hello");
    }
    const auto lines = tail_log(dir.path() / "a.log", "a", 10);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].text, "hello");
    EXPECT_EQ(lines[0].stamp.size(), 24u);  // 2026-11-24T15:04:05.123Z
    EXPECT_EQ(lines[0].stamp.back(), 'Z');
}

TEST(RotatingLog, RotatesBySizeAndKeepsTheNewestFiles) {
    TempDir dir;
    const auto path = dir.path() / "r.log";
    {
        RotatingLog log(path, 200, 2);
        for (int i = 0; i < 40; ++i) log.write_line("line " + std::to_string(i));
    }
    EXPECT_TRUE(std::filesystem::exists(rotated_log_path(path, 1)));
    EXPECT_TRUE(std::filesystem::exists(rotated_log_path(path, 2)));
    EXPECT_FALSE(std::filesystem::exists(rotated_log_path(path, 3)));
    EXPECT_LE(std::filesystem::file_size(path), 200u);
    // The newest lines survive, in order, across the rotated files.
    const auto tail = tail_log(path, "r", 8);
    ASSERT_EQ(tail.size(), 8u);
    EXPECT_EQ(tail.back().text, "line 39");
    EXPECT_EQ(tail.front().text, "line 32");
    EXPECT_GT(count_lines(rotated_log_path(path, 1)), 0u);
}

TEST(LogFiles, MergesComponentsInTimeOrder) {
    std::vector<LogLine> a = {{"2026-01-01T00:00:01.000Z", "a", "a1"},
                              {"2026-01-01T00:00:03.000Z", "a", "a3"}};
    std::vector<LogLine> b = {{"2026-01-01T00:00:02.000Z", "b", "b2"}, {"", "b", "b2 continued"}};
    const auto merged = merge_in_time_order({a, b});
    ASSERT_EQ(merged.size(), 4u);
    EXPECT_EQ(merged[0].text, "a1");
    EXPECT_EQ(merged[1].text, "b2");
    EXPECT_EQ(merged[2].text, "b2 continued");
    EXPECT_EQ(merged[3].text, "a3");
}

TEST(LogFiles, ParsesLinesWithoutAStamp) {
    const auto line = parse_log_line("no stamp here", "x");
    EXPECT_EQ(line.stamp, "");
    EXPECT_EQ(line.text, "no stamp here");
}

TEST(LogFollower, FollowsAcrossRotation) {
    TempDir dir;
    const auto path = dir.path() / "f.log";
    RotatingLog log(path, 120, 3);
    log.write_line("before");
    LogFollower follower(path, "f");
    EXPECT_TRUE(follower.read_new().empty());
    log.write_line("first");
    auto lines = follower.read_new();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].text, "first");
    // Enough to rotate several times; read between writes, every line arrives once, in order.
    std::vector<std::string> texts;
    for (int i = 0; i < 8; ++i) {
        log.write_line("after " + std::to_string(i));
        for (const auto& l : follower.read_new()) texts.push_back(l.text);
    }
    EXPECT_TRUE(std::filesystem::exists(rotated_log_path(path, 2)));
    std::vector<std::string> expected;
    for (int i = 0; i < 8; ++i) expected.push_back("after " + std::to_string(i));
    EXPECT_EQ(texts, expected);
}

TEST(RotatingLog, KeepsAComponentsOwnStampInsteadOfAddingASecond) {
    TempDir dir;
    {
        RotatingLog log(dir.path() / "s.log", 1 << 20, 3);
        log.write_line("2026-01-02T03:04:05.678Z INFO agent_runner: ready");
        log.write_line("2026-01-02 not a stamp");
    }
    const auto lines = tail_log(dir.path() / "s.log", "s", 10);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].stamp, "2026-01-02T03:04:05.678Z");
    EXPECT_EQ(lines[0].text, "INFO agent_runner: ready");
    EXPECT_EQ(lines[1].text, "2026-01-02 not a stamp");
    EXPECT_TRUE(starts_with_stamp("2026-01-02T03:04:05.678Z x"));
    EXPECT_FALSE(starts_with_stamp("2026-01-02T03:04:05Z x"));
}

TEST(LogFiles, TheSupervisorsEventsInAComponentLogAreKnownAsTheDaemons) {
    EXPECT_TRUE(repeats_a_daemon_event(
        parse_log_line("2026-12-01T05:37:05.756Z stigmer: started (pid 13045)", "agent-runner")));
    EXPECT_FALSE(repeats_a_daemon_event(
        parse_log_line("2026-12-01T05:37:05.756Z agent-runner: started (pid 13045)", "stigmer")));
    EXPECT_FALSE(repeats_a_daemon_event(
        parse_log_line("2026-12-01T05:37:09.294Z level=info event=ready", "agent-runner")));
}

#ifndef _WIN32
TEST(RotatingLog, AWriteThatFailsCostsTheLineNotTheDaemon) {
    // /dev/full takes the open and refuses every write (ENOSPC): a full disk.
    TempDir dir;
    const auto path = dir.path() / "full.log";
    std::filesystem::create_symlink("/dev/full", path);
    RotatingLog log(path, 1 << 20, 3);
    EXPECT_NO_THROW(log.write_line("lost"));
    EXPECT_NO_THROW(log.write_line("lost too"));
    EXPECT_EQ(log.lost_lines(), 2u);
    EXPECT_NE(log.last_error().find("cannot write to"), std::string::npos) << log.last_error();
}

TEST(RotatingLog, ALogWhoseDirectoryWentAwayComesBackAndSaysWhatItLost) {
    // Rotation cannot reopen the file (its directory is gone): no throw, the lines are counted,
    // and once the directory is back the log says how many were lost.
    TempDir dir;
    const auto logs = dir.path() / "logs";
    std::filesystem::create_directories(logs);
    RotatingLog log(logs / "c.log", 100, 2);
    log.write_line(std::string(80, 'a'));
    std::filesystem::remove_all(logs);
    EXPECT_NO_THROW(log.write_line(std::string(80, 'b')));  // rotates: the reopen fails
    EXPECT_NO_THROW(log.write_line("c"));
    EXPECT_EQ(log.lost_lines(), 2u);
    std::filesystem::create_directories(logs);
    log.write_line("back");
    const std::string text = stigmer::read_text_file(logs / "c.log");
    EXPECT_NE(text.find("stigmer: 2 line(s) could not be written to this log"), std::string::npos)
        << text;
    EXPECT_NE(text.find(" back\n"), std::string::npos) << text;
}
#endif
