#include <gtest/gtest.h>
#ifndef _WIN32
#include <sys/stat.h>
#endif

#include <fstream>

#include "platform/fs.h"
#include "store/active_state.h"
#include "store/component_installer.h"
#include "store/release_store.h"
#include "test_support.h"
#include "util/error.h"

namespace stigmer::store {
namespace {

TEST(ActiveStateTest, ActivationKeepsPreviousFirstWithoutDuplicates) {
    ActiveState state;
    state = with_activated(state, "1.0.0");
    EXPECT_EQ(state.active, "1.0.0");
    EXPECT_FALSE(state.previous());
    state = with_activated(state, "1.1.0");
    state = with_activated(state, "1.2.0");
    EXPECT_EQ(state.history, (std::vector<std::string>{"1.1.0", "1.0.0"}));
    state = with_activated(state, "1.0.0");
    EXPECT_EQ(state.active, "1.0.0");
    EXPECT_EQ(state.history, (std::vector<std::string>{"1.2.0", "1.1.0"}));
}

TEST(ActiveStateTest, RollbackTwiceReturnsToStart) {
    auto state = with_activated(with_activated({}, "1.0.0"), "1.1.0");
    state = with_rolled_back(state);
    EXPECT_EQ(state.active, "1.0.0");
    EXPECT_EQ(state.previous(), "1.1.0");
    state = with_rolled_back(state);
    EXPECT_EQ(state.active, "1.1.0");
}

TEST(ActiveStateTest, SavesAndLoads) {
    stigmer::testing::TempDir dir;
    Layout layout(dir.path());
    EXPECT_FALSE(load_active_state(layout).active);
    save_active_state(layout, with_activated(with_activated({}, "a"), "b"));
    const auto loaded = load_active_state(layout);
    EXPECT_EQ(loaded.active, "b");
    EXPECT_EQ(loaded.previous(), "a");
}

TEST(ActiveStateTest, CorruptedStateIsALocalFilesError) {
    stigmer::testing::TempDir dir;
    Layout layout(dir.path());
    std::filesystem::create_directories(layout.active_state_file().parent_path());
    std::ofstream(layout.active_state_file()) << "{not json";
    try {
        load_active_state(layout);
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::kLocalFiles);
        EXPECT_EQ(error.where(), layout.active_state_file().string());
    }
}

release::Artifact binary_artifact(const std::string& sha) {
    return {"linux-amd64/tool", sha, 10, release::ArtifactFormat::kBinary, "tool"};
}

TEST(ComponentInstallerTest, InstallsBinaryWithMarkerAndExecutableBit) {
    stigmer::testing::TempDir dir;
    Layout layout(dir.path());
    const auto downloaded = dir.path() / "download";
    std::ofstream(downloaded) << "#!/bin/sh\n";
    const std::string sha(64, 'a');
    const auto installed = install_component(layout, "tool", "1.0.0", {"2.0", {}},
                                             binary_artifact(sha), downloaded, "u");
    EXPECT_EQ(installed.component_version, "2.0");
    EXPECT_EQ(installed.executable, layout.version_dir("tool", "1.0.0") / "tool");
#ifndef _WIN32  // Windows files have no mode bits
    struct stat info {};
    ASSERT_EQ(stat(installed.executable.c_str(), &info), 0);
    EXPECT_TRUE(info.st_mode & S_IXUSR);
#endif
    EXPECT_FALSE(std::filesystem::exists(downloaded));
    EXPECT_TRUE(find_installed_component(layout, "tool", "1.0.0", sha));
    // Another platform's artifact (another digest) is not this install.
    EXPECT_FALSE(find_installed_component(layout, "tool", "1.0.0", std::string(64, 'b')));
    // No temporary directory is left beside it.
    int entries = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator(layout.component_dir("tool"))) {
        ++entries;
    }
    EXPECT_EQ(entries, 1);
}

TEST(ComponentInstallerTest, WithoutMarkerNothingIsInstalled) {
    stigmer::testing::TempDir dir;
    Layout layout(dir.path());
    const auto downloaded = dir.path() / "download";
    std::ofstream(downloaded) << "x";
    const std::string sha(64, 'a');
    const auto installed = install_component(layout, "tool", "1.0.0", {"2.0", {}},
                                             binary_artifact(sha), downloaded, "u");
    std::filesystem::remove(installed.directory / kInstalledMarker);
    EXPECT_FALSE(find_installed_component(layout, "tool", "1.0.0", sha));
    remove_component_install(installed.directory);
    EXPECT_FALSE(std::filesystem::exists(installed.directory));
}

TEST(ComponentInstallerTest, FailedExtractionLeavesNothing) {
    stigmer::testing::TempDir dir;
    Layout layout(dir.path());
    const auto downloaded = dir.path() / "download";
    std::ofstream(downloaded) << "not an archive";
    release::Artifact artifact{"x", std::string(64, 'a'), 14, release::ArtifactFormat::kTarGz, "t"};
    EXPECT_THROW(install_component(layout, "tool", "1.0.0", {"2.0", {}}, artifact, downloaded, "u"),
                 Error);
    EXPECT_TRUE(std::filesystem::is_empty(layout.component_dir("tool")));
}

TEST(LauncherTest, SwitchesSymlinkAtomically) {
    stigmer::testing::TempDir dir;
    const auto launcher = dir.path() / "tool";
    platform::switch_launcher(launcher, "versions/a/tool");
    EXPECT_EQ(platform::launcher_target(launcher), "versions/a/tool");
    platform::switch_launcher(launcher, "versions/b/tool");
    EXPECT_EQ(platform::launcher_target(launcher), "versions/b/tool");
    int entries = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        ++entries;
    }
    EXPECT_EQ(entries, 1);
}

}  // namespace
}  // namespace stigmer::store

namespace stigmer::store {
namespace {

TEST(ComponentInstallerTest, TemporaryNamesOfOneVersionDoNotMatchAnother) {
    stigmer::testing::TempDir dir;
    const auto name =
        platform::create_temporary_directory(dir.path(), temporary_install_prefix("1.0-rc"))
            .filename()
            .string();
    EXPECT_TRUE(name.starts_with(temporary_install_prefix("1.0-rc")));
    EXPECT_FALSE(name.starts_with(temporary_install_prefix("1.0")));
}

TEST(ReleaseStoreTest, ActivateRefusesAReleaseRemovedSinceItWasFound) {
    // What `server install` found can be pruned by another process before it activates it.
    stigmer::testing::TempDir dir;
    Layout layout(dir.path());
    ReleaseStore store(layout, {"linux", "amd64"}, {});
    InstalledRelease gone;
    gone.manifest.manifest.version = "1.0.0";
    const auto directory = layout.version_dir("tool", "1.0.0");
    gone.components.emplace("tool", InstalledComponent{"tool", "1.0.0", "2.0", std::string(64, 'a'),
                                                       directory, directory / "tool"});
    try {
        store.activate(gone);
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::kNotAvailable);
        EXPECT_NE(error.message().find("1.0.0"), std::string::npos) << error.message();
    }
    EXPECT_FALSE(store.active_state().active);
    std::error_code ec;
    EXPECT_FALSE(std::filesystem::exists(
        std::filesystem::symlink_status(layout.launcher(store.platform(), "tool"), ec)));
}

}  // namespace
}  // namespace stigmer::store
