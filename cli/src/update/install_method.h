#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace stigmer::update {

// How this CLI got onto the machine, which decides how it is upgraded.
enum class InstallMethod {
    kHomebrew,       // the executable lives in a Homebrew Cellar
    kInstallScript,  // release/install.sh (the default on Linux and macOS)
    kWindowsZip,     // the .zip unpacked by hand on Windows
};

// From the executable's resolved path (symlinks followed) and the OS ("linux", "darwin",
// "windows").
InstallMethod detect_install_method(const std::filesystem::path& executable, std::string_view os);

struct UpgradeContext {
    std::string releases_url;           // where install.sh and the zip come from
    std::string version;                // the release to upgrade to (for the zip)
    std::string platform_key;           // "windows-amd64" (for the zip)
    std::filesystem::path executable;   // this CLI, resolved
    std::filesystem::path default_dir;  // install.sh's default directory (~/.local/bin)
};

// The command (or step) that upgrades the CLI, e.g. "brew upgrade stigmer" or
// "curl -fsSL https://releases.stigmer.ai/install.sh | sh".
std::string upgrade_command(InstallMethod method, const UpgradeContext& context);

// The same for this process: detects the method from its own executable.
std::string upgrade_command_for_this_cli(const std::string& releases_url,
                                         const std::string& version);

}  // namespace stigmer::update
