#include "config/update_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "config/stack_config.h"
#include "test_support.h"
#include "util/error.h"

namespace stigmer::config {
namespace {

using stigmer::testing::TempDir;

UpdateConfig load(const TempDir& dir, const std::string& text) {
    const auto path = dir.path() / "config.toml";
    std::ofstream(path) << text;
    return load_update_config(path);
}

std::string error_of(const TempDir& dir, const std::string& text) {
    try {
        load(dir, text);
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::kUsage);
        EXPECT_EQ(error.where(), (dir.path() / "config.toml").string());
        return error.what_failed();
    }
    return "";
}

TEST(UpdateConfig, NotifyOnStableByDefault) {
    TempDir dir;
    const auto config = load_update_config(dir.path() / "config.toml");
    EXPECT_EQ(config.mode, AutoUpdate::kNotify);
    EXPECT_EQ(config.channel, "stable");
    EXPECT_TRUE(config.checks());
    EXPECT_EQ(load(dir, "releases_url = \"https://r.example\"\n").mode, AutoUpdate::kNotify);
}

TEST(UpdateConfig, AutoUpdateTopLevelOrInUpdates) {
    TempDir dir;
    EXPECT_EQ(load(dir, "auto_update = \"off\"\n").mode, AutoUpdate::kOff);
    EXPECT_FALSE(load(dir, "auto_update = \"off\"\n").checks());
    EXPECT_EQ(load(dir, "auto_update = \"install\"\n").mode, AutoUpdate::kInstall);
    EXPECT_EQ(load(dir, "[updates]\nauto_update = \"install\"\nchannel = \"beta\"\n").mode,
              AutoUpdate::kInstall);
    EXPECT_EQ(load(dir, "[updates]\nchannel = \"beta\"\n").channel, "beta");
    // [updates] wins over the top level.
    EXPECT_EQ(load(dir, "auto_update = \"off\"\n[updates]\nauto_update = \"notify\"\n").mode,
              AutoUpdate::kNotify);
}

TEST(UpdateConfig, UpdateCheckFalseIsOff) {
    TempDir dir;
    EXPECT_EQ(load(dir, "update_check = false\n").mode, AutoUpdate::kOff);
    EXPECT_EQ(load(dir, "update_check = false\nauto_update = \"install\"\n").mode,
              AutoUpdate::kOff);
    EXPECT_EQ(load(dir, "[updates]\nupdate_check = false\n").mode, AutoUpdate::kOff);
    EXPECT_EQ(load(dir, "update_check = true\n").mode, AutoUpdate::kNotify);
}

TEST(UpdateConfig, BadValuesNameTheFileAndKey) {
    TempDir dir;
    EXPECT_EQ(error_of(dir, "auto_update = \"sometimes\"\n"),
              "auto_update must be \"off\", \"notify\" or \"install\"");
    EXPECT_EQ(error_of(dir, "auto_update = true\n"),
              "auto_update must be \"off\", \"notify\" or \"install\"");
    EXPECT_EQ(error_of(dir, "[updates]\nauto_update = \"yes\"\n"),
              "[updates] auto_update must be \"off\", \"notify\" or \"install\"");
    EXPECT_EQ(error_of(dir, "update_check = \"no\"\n"), "update_check must be true or false");
    EXPECT_EQ(error_of(dir, "[updates]\nchannel = \"../x\"\n"),
              "[updates] channel must be a channel name such as \"stable\"");
    EXPECT_EQ(error_of(dir, "updates = 3\n"), "updates must be a table ([updates])");
}

TEST(UpdateConfig, PartOfTheStackConfigSoABadValueStopsServerStart) {
    TempDir dir;
    const auto path = dir.path() / "config.toml";
    std::ofstream(path) << "auto_update = \"install\"\n";
    EXPECT_EQ(load_stack_config(path, {}).updates.mode, AutoUpdate::kInstall);
    std::ofstream(path) << "auto_update = \"later\"\n";
    EXPECT_THROW(load_stack_config(path, {}), Error);
}

}  // namespace
}  // namespace stigmer::config
