#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "config/settings.h"
#include "config/stack_config.h"
#include "config/update_config.h"
#include "test_support.h"
#include "util/error.h"

namespace stigmer::config {
namespace {

using stigmer::testing::TempDir;

// Each reader of config.toml, on the file at `path`.
const std::vector<std::pair<std::string, std::function<void(const std::filesystem::path&)>>>
    kReaders = {
        {"releases_url", [](const auto& path) { read_config_releases_url(path); }},
        {"updates", [](const auto& path) { load_update_config(path); }},
        {"stack",
         [](const auto& path) {
             load_stack_config(path, {}, [](const auto&) { return std::optional<std::string>(); });
         }},
};

Error error_of(const std::function<void(const std::filesystem::path&)>& read,
               const std::filesystem::path& path) {
    try {
        read(path);
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "no error for " << path;
    return Error(ExitCode::kOk, "", "", "");
}

TEST(ConfigFileTest, EveryReaderReportsABrokenFileInOneShape) {
    TempDir dir;
    const auto path = dir.path() / "config.toml";
    std::ofstream(path) << "releases_url = \n";
    for (const auto& [name, read] : kReaders) {
        const auto error = error_of(read, path);
        EXPECT_EQ(error.code(), ExitCode::kUsage) << name;
        EXPECT_EQ(error.where(), path.string()) << name;
        EXPECT_EQ(error.message(), error_of(kReaders.front().second, path).message()) << name;
        EXPECT_NE(error.what_failed().find("at line 1"), std::string::npos) << name;
    }
}

TEST(ConfigFileTest, EveryReaderReportsABadValueInOneShape) {
    TempDir dir;
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"releases_url = 5\n", "releases_url"},
        {"auto_update = 5\n", "auto_update"},
        {"[temporal]\ngrpc_port = \"x\"\n", "[temporal] grpc_port"},
    };
    for (std::size_t i = 0; i < bad.size(); ++i) {
        const auto path = dir.path() / ("config" + std::to_string(i) + ".toml");
        std::ofstream(path) << bad[i].first;
        const auto error = error_of(kReaders[i].second, path);
        EXPECT_EQ(error.code(), ExitCode::kUsage) << bad[i].first;
        EXPECT_EQ(error.where(), path.string()) << bad[i].first;
        EXPECT_TRUE(error.what_failed().starts_with(bad[i].second + " must be")) << error.message();
        EXPECT_EQ(error.hint(), "fix the value in config.toml (see docs/configuration.md)")
            << error.message();
    }
}

TEST(ConfigFileTest, AMissingFileMeansDefaults) {
    TempDir dir;
    for (const auto& [name, read] : kReaders) {
        EXPECT_NO_THROW(read(dir.path() / "config.toml")) << name;
    }
}

}  // namespace
}  // namespace stigmer::config
