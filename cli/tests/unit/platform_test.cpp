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

#ifndef _WIN32  // the second holder is a forked process
TEST(FileLockTest, SecondHolderWaitsUntilFirstReleases) {
    testing::TempDir dir;
    const auto path = dir.path() / "locks" / "x.lock";
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto lock = platform::FileLock::acquire(path);
        const char byte = 1;
        if (write(ready[1], &byte, 1) != 1) _exit(2);
        usleep(300 * 1000);
        _exit(0);  // the kernel releases the lock with the process
    }
    char byte = 0;
    ASSERT_EQ(read(ready[0], &byte, 1), 1);
    bool waited = false;
    {
        auto lock = platform::FileLock::acquire(path, [&] { waited = true; });
    }
    EXPECT_TRUE(waited);
    int status = 0;
    waitpid(child, &status, 0);
    EXPECT_EQ(WEXITSTATUS(status), 0);
    close(ready[0]);
    close(ready[1]);
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
