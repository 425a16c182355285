#include <gtest/gtest.h>
#ifndef _WIN32
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <atomic>
#include <fstream>

#include "config/settings.h"
#include "platform/file_lock.h"
#include "platform/platform.h"
#include "release/progress.h"
#include "test_support.h"
#include "util/error.h"
#include "util/sha256.h"

namespace stigmer {
namespace {

TEST(PlatformTest, NormalisesWhatSystemsReport) {
    EXPECT_EQ(platform::normalize_os("Linux"), "linux");
    EXPECT_EQ(platform::normalize_os("Darwin"), "darwin");
    EXPECT_EQ(platform::normalize_os("MINGW64_NT-10.0"), "windows");
    EXPECT_EQ(platform::normalize_os("SunOS"), "");
    EXPECT_EQ(platform::normalize_arch("x86_64"), "amd64");
    EXPECT_EQ(platform::normalize_arch("AMD64"), "amd64");
    EXPECT_EQ(platform::normalize_arch("aarch64"), "arm64");
    EXPECT_EQ(platform::normalize_arch("arm64"), "arm64");
    EXPECT_EQ(platform::normalize_arch("i686"), "");
}

TEST(PlatformTest, DetectsThisMachine) {
    const auto detected = platform::detect_platform();
    EXPECT_TRUE(platform::parse_platform_key(detected.key()).has_value());
}

TEST(PlatformTest, ParsesKeysAndNamesExecutables) {
    EXPECT_EQ(platform::parse_platform_key("windows-arm64")->os, "windows");
    EXPECT_FALSE(platform::parse_platform_key("linux-x86"));
    EXPECT_FALSE(platform::parse_platform_key("linux"));
    EXPECT_EQ(platform::executable_name({"windows", "amd64"}, "temporal"), "temporal.exe");
    EXPECT_EQ(platform::executable_name({"linux", "amd64"}, "temporal"), "temporal");
}

TEST(Sha256Test, KnownVectorsStreamingAndFile) {
    Sha256 hasher;
    hasher.update("te", 2);
    hasher.update("st", 2);
    EXPECT_EQ(hasher.finish_hex(),
              "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    testing::TempDir dir;
    std::ofstream(dir.path() / "f") << "test-and-more";
    Sha256 prefix;
    prefix.update_from_file(dir.path() / "f", 4);
    EXPECT_EQ(prefix.finish_hex(),
              "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
}

TEST(ErrorTest, FormatsOneLine) {
    const Error error(ExitCode::kNetwork, "download failed", "https://x/y", "retry");
    EXPECT_EQ(format_error_line(error), "stigmer: error: download failed, https://x/y; retry");
    EXPECT_EQ(static_cast<int>(error.code()), 3);
}

TEST(ProgressTest, HumanBytes) {
    EXPECT_EQ(release::ProgressBar::human_bytes(512), "512 B");
    EXPECT_EQ(release::ProgressBar::human_bytes(1536), "1.5 KiB");
    EXPECT_EQ(release::ProgressBar::human_bytes(60.0 * 1024 * 1024), "60.0 MiB");
}

#ifndef _WIN32  // the other holder is a forked process
// A forked process that holds the lock at `path` from construction until release().
class ForkedHolder {
  public:
    explicit ForkedHolder(const std::filesystem::path& path) {
        int ready[2];
        int release[2];
        if (pipe(ready) != 0 || pipe(release) != 0) return;
        pid_ = fork();
        if (pid_ == 0) {
            close(release[1]);
            try {
                auto lock = platform::FileLock::acquire(path);
                const char byte = 1;
                if (write(ready[1], &byte, 1) != 1) _exit(2);
                char order = 0;
                (void)!read(release[0], &order, 1);  // end of file: the test let go
            } catch (...) {
                _exit(3);  // never back into the test runner
            }
            _exit(0);  // the kernel releases the lock with the process
        }
        close(ready[1]);
        close(release[0]);
        release_ = release[1];
        char byte = 0;
        if (read(ready[0], &byte, 1) != 1) pid_ = -1;
        close(ready[0]);
    }
    ~ForkedHolder() { release(); }
    ForkedHolder(const ForkedHolder&) = delete;
    ForkedHolder& operator=(const ForkedHolder&) = delete;

    int pid() const { return pid_; }
    // Lets the holder go without waiting for it: end of file on its pipe (never a write, which
    // would raise SIGPIPE here if it had already gone).
    void let_go() {
        if (release_ >= 0) close(release_);
        release_ = -1;
    }
    // Lets the holder go and waits until it has exited; its exit code.
    int release() {
        let_go();
        int status = -1;
        if (pid_ > 0) waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

  private:
    int pid_ = -1;
    int release_ = -1;
};

TEST(FileLockTest, SecondHolderWaitsUntilFirstReleases) {
    testing::TempDir dir;
    const auto path = dir.path() / "locks" / "x.lock";
    ForkedHolder first(path);
    ASSERT_GT(first.pid(), 0);
    bool waited = false;
    {
        // The first holder lets go only once this one has found the lock taken: no timing.
        auto lock = platform::FileLock::acquire(path, [&] {
            waited = true;
            first.let_go();
        });
    }
    EXPECT_TRUE(waited);
    EXPECT_EQ(first.release(), 0);
}

TEST(FileLockTest, HolderIsFoundWithoutTakingTheLock) {
    testing::TempDir dir;
    const auto path = dir.path() / "run" / "daemon.lock";
    EXPECT_FALSE(platform::FileLock::holder(path).held);
    EXPECT_FALSE(std::filesystem::exists(path));  // looking creates nothing
    {
        ForkedHolder other(path);
        ASSERT_GT(other.pid(), 0);
        const auto found = platform::FileLock::holder(path);
        EXPECT_TRUE(found.held);
#ifdef __linux__
        EXPECT_EQ(found.pid, other.pid());
#endif
        EXPECT_FALSE(platform::FileLock::try_acquire(path).has_value());
    }
    EXPECT_FALSE(platform::FileLock::holder(path).held);
    {
        const auto lock = platform::FileLock::acquire(path);
        const auto found = platform::FileLock::holder(path);
        EXPECT_TRUE(found.held);
#ifdef __linux__
        EXPECT_EQ(found.pid, getpid());
#endif
    }
    EXPECT_TRUE(platform::FileLock::try_acquire(path).has_value());
}
#endif

TEST(SettingsTest, PrecedenceFlagEnvConfigDefault) {
    testing::TempDir dir;
    std::ofstream(dir.path() / "config.toml")
        << "# comment\nreleases_url = \"https://config.example/\"\n";
    std::map<std::string, std::string> env{{"STIGMER_HOME", dir.path().string()}};
    auto lookup = [&](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    auto settings = config::resolve_settings({}, lookup);
    EXPECT_EQ(settings.home, dir.path());
    EXPECT_EQ(settings.releases_url, "https://config.example");
    EXPECT_EQ(settings.releases_url_source, "config");

    env["STIGMER_RELEASES_URL"] = "https://env.example";
    EXPECT_EQ(config::resolve_settings({}, lookup).releases_url, "https://env.example");

    config::CommandLineOverrides flags;
    flags.releases_url = "https://flag.example";
    flags.platform = "darwin-arm64";
    settings = config::resolve_settings(flags, lookup);
    EXPECT_EQ(settings.releases_url, "https://flag.example");
    EXPECT_EQ(settings.platform.key(), "darwin-arm64");

    env.erase("STIGMER_RELEASES_URL");
    std::filesystem::remove(dir.path() / "config.toml");
    EXPECT_EQ(config::resolve_settings({}, lookup).releases_url, config::kDefaultReleasesUrl);
}

TEST(SettingsTest, InvalidConfigIsAUsageErrorNamingTheFile) {
    testing::TempDir dir;
    std::ofstream(dir.path() / "config.toml") << "releases_url = 42\n";
    try {
        config::read_config_releases_url(dir.path() / "config.toml");
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::kUsage);
        EXPECT_NE(error.where().find("config.toml"), std::string::npos);
    }
}

}  // namespace
}  // namespace stigmer
