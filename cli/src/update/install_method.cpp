#include "update/install_method.h"

#include "platform/background.h"
#include "platform/home.h"
#include "platform/platform.h"

namespace stigmer::update {

InstallMethod detect_install_method(const std::filesystem::path& executable, std::string_view os) {
    if (os == "windows") return InstallMethod::kWindowsZip;
    // Homebrew keeps every formula under .../Cellar/<name>/<version>/ (macOS and Linuxbrew).
    if (executable.generic_string().find("/Cellar/") != std::string::npos) {
        return InstallMethod::kHomebrew;
    }
    return InstallMethod::kInstallScript;
}

std::string upgrade_command(InstallMethod method, const UpgradeContext& context) {
    switch (method) {
        case InstallMethod::kHomebrew:
            return "brew upgrade stigmer";
        case InstallMethod::kWindowsZip:
            return "unpack " + context.releases_url + "/" + context.version + "/" +
                   context.platform_key + "/stigmer.zip over " + context.executable.string();
        case InstallMethod::kInstallScript:
            break;
    }
    std::string command = "curl -fsSL " + context.releases_url + "/install.sh | sh";
    // install.sh installs into ~/.local/bin unless told otherwise: keep the CLI where it is.
    const auto directory = context.executable.parent_path();
    if (!directory.empty() &&
        directory.lexically_normal() != context.default_dir.lexically_normal()) {
        const auto text = directory.string();
        const bool plain = text.find_first_of(" '\"$`\\") == std::string::npos;
        command += " -s -- --dir " + (plain ? text : "'" + text + "'");
    }
    return command;
}

std::string upgrade_command_for_this_cli(const std::string& releases_url,
                                         const std::string& version) {
    const auto platform = platform::detect_platform();
    std::error_code ec;
    auto executable = platform::current_executable();
    if (auto resolved = std::filesystem::weakly_canonical(executable, ec); !ec) {
        executable = resolved;
    }
    std::filesystem::path default_dir;
    try {
        default_dir = platform::user_home_directory() / ".local" / "bin";
    } catch (const std::exception&) {
        // No home directory: the command then names the directory explicitly.
    }
    UpgradeContext context{releases_url, version, platform.key(), executable, default_dir};
    return upgrade_command(detect_install_method(executable, platform.os), context);
}

}  // namespace stigmer::update
