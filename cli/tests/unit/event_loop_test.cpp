#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "platform/event_loop.h"
#include "platform/fd_posix.h"
#include "platform/stop_signals.h"
#include "supervise/line_splitter.h"

using namespace std::chrono_literals;
using stigmer::platform::EventLoop;
using stigmer::platform::Fd;
using Clock = std::chrono::steady_clock;

namespace {

struct Pipe {
    Fd read_end;
    Fd write_end;
    Pipe() {
        int fds[2];
        EXPECT_EQ(::pipe(fds), 0);
        read_end.reset(fds[0]);
        write_end.reset(fds[1]);
    }
};

}  // namespace

TEST(EventLoop, HandsOverOutputAsItComesThenItsEnd) {
    EventLoop loop;
    Pipe pipe;
    std::string seen;
    bool ended = false;
    loop.watch_output(
        pipe.read_end.get(), [&](std::string_view chunk) { seen.append(chunk); },
        [&] { ended = true; });
    ASSERT_EQ(::write(pipe.write_end.get(), "one\n", 4), 4);
    loop.run_once(1000ms);
    EXPECT_EQ(seen, "one\n");
    EXPECT_FALSE(ended);
    pipe.write_end.reset();
    loop.run_once(1000ms);
    EXPECT_TRUE(ended);
}

TEST(EventLoop, APostFromAnotherThreadEndsTheWaitAtOnce) {
    EventLoop loop;
    std::atomic<bool> ran{false};
    const auto began = Clock::now();
    std::thread poster([&] {
        std::this_thread::sleep_for(50ms);
        loop.post([&] { ran = true; });
    });
    for (int i = 0; i < 10 && !ran; ++i) loop.run_once(5000ms);
    poster.join();
    EXPECT_TRUE(ran);
    EXPECT_LT(Clock::now() - began, 4s) << "the post did not wake the loop";
}

TEST(EventLoop, AChildsExitWakesTheLoop) {
    EventLoop loop;
    stigmer::platform::wake_on_signals(&loop);
    const pid_t child = ::fork();
    if (child == 0) {
        ::usleep(50'000);
        ::_exit(0);
    }
    const auto began = Clock::now();
    loop.run_once(5000ms);
    const auto waited = Clock::now() - began;
    stigmer::platform::wake_on_signals(nullptr);
    EXPECT_LT(waited, 4s) << "SIGCHLD did not end the wait";
}

TEST(EventLoop, NothingIsCalledForAnUnwatchedPipe) {
    EventLoop loop;
    Pipe pipe;
    int calls = 0;
    loop.watch_output(
        pipe.read_end.get(), [&](std::string_view) { ++calls; }, [&] { ++calls; });
    loop.unwatch(pipe.read_end.get());
    ASSERT_EQ(::write(pipe.write_end.get(), "x", 1), 1);
    pipe.write_end.reset();
    loop.run_once(100ms);
    EXPECT_EQ(calls, 0);
}

TEST(EventLoop, AnInnerOutputsOnlyTurnRunsNoPostedWork) {
    // A callback that waits for a child to stop turns the loop for output only.
    EventLoop loop;
    Pipe pipe;
    std::string seen;
    loop.watch_output(
        pipe.read_end.get(), [&](std::string_view chunk) { seen.append(chunk); }, [] {});
    bool posted_ran = false;
    loop.post([&] { posted_ran = true; });
    ASSERT_EQ(::write(pipe.write_end.get(), "out", 3), 3);
    loop.run_once(100ms, true);
    EXPECT_EQ(seen, "out");
    EXPECT_FALSE(posted_ran);
    loop.run_once(100ms);
    EXPECT_TRUE(posted_ran);
}

TEST(LineSplitter, JoinsChunksIntoLinesAndSplitsTheLongest) {
    std::vector<std::string> lines;
    stigmer::supervise::LineSplitter splitter([&](const std::string& l) { lines.push_back(l); });
    splitter.feed("fir");
    splitter.feed("st\r\nsecond\nthi");
    EXPECT_EQ(lines, (std::vector<std::string>{"first", "second"}));
    splitter.finish();
    EXPECT_EQ(lines.back(), "thi");
    lines.clear();
    splitter.feed(std::string(70 * 1024, 'x'));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].size(), 70u * 1024);
}
