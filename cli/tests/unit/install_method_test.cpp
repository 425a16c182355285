#include "update/install_method.h"

#include <gtest/gtest.h>

namespace stigmer::update {
namespace {

UpgradeContext context_for(const std::filesystem::path& executable) {
    return {"https://releases.stigmer.ai", "1.4.0", "windows-amd64", executable,
            "/home/ada/.local/bin"};
}

TEST(InstallMethod, HomebrewCellarOnMacosAndLinux) {
    EXPECT_EQ(detect_install_method("/opt/homebrew/Cellar/stigmer/1.3.2/bin/stigmer", "darwin"),
              InstallMethod::kHomebrew);
    EXPECT_EQ(detect_install_method("/usr/local/Cellar/stigmer/1.3.2/bin/stigmer", "darwin"),
              InstallMethod::kHomebrew);
    EXPECT_EQ(detect_install_method("/home/linuxbrew/.linuxbrew/Cellar/stigmer/1.3.2/bin/stigmer",
                                    "linux"),
              InstallMethod::kHomebrew);
}

TEST(InstallMethod, InstallScriptOtherwiseOnPosix) {
    EXPECT_EQ(detect_install_method("/home/ada/.local/bin/stigmer", "linux"),
              InstallMethod::kInstallScript);
    EXPECT_EQ(detect_install_method("/usr/local/bin/stigmer", "darwin"),
              InstallMethod::kInstallScript);
    // "Cellar" as part of another name is not Homebrew's.
    EXPECT_EQ(detect_install_method("/srv/MyCellar/bin/stigmer", "linux"),
              InstallMethod::kInstallScript);
}

TEST(InstallMethod, WindowsIsTheZip) {
    EXPECT_EQ(detect_install_method("C:/Users/ada/stigmer/stigmer.exe", "windows"),
              InstallMethod::kWindowsZip);
}

TEST(UpgradeCommand, OnePerMethod) {
    EXPECT_EQ(upgrade_command(InstallMethod::kHomebrew,
                              context_for("/opt/homebrew/Cellar/stigmer/1.3.2/bin/stigmer")),
              "brew upgrade stigmer");
    EXPECT_EQ(
        upgrade_command(InstallMethod::kInstallScript, context_for("/home/ada/.local/bin/stigmer")),
        "curl -fsSL https://releases.stigmer.ai/install.sh | sh");
    EXPECT_EQ(upgrade_command(InstallMethod::kWindowsZip,
                              context_for("C:/Users/ada/stigmer/stigmer.exe")),
              "unpack https://releases.stigmer.ai/1.4.0/windows-amd64/stigmer.zip over "
              "C:/Users/ada/stigmer/stigmer.exe");
}

TEST(UpgradeCommand, InstallScriptKeepsTheCliWhereItIs) {
    EXPECT_EQ(upgrade_command(InstallMethod::kInstallScript, context_for("/opt/tools/stigmer")),
              "curl -fsSL https://releases.stigmer.ai/install.sh | sh -s -- --dir /opt/tools");
    EXPECT_EQ(upgrade_command(InstallMethod::kInstallScript, context_for("/opt/my tools/stigmer")),
              "curl -fsSL https://releases.stigmer.ai/install.sh | sh -s -- --dir '/opt/my tools'");
}

}  // namespace
}  // namespace stigmer::update
