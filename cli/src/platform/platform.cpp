#include "platform/platform.h"

#include <algorithm>
#include <cctype>

#if !defined(_WIN32)
#include <sys/utsname.h>
#endif

#include "util/error.h"

namespace stigmer::platform {

namespace {
std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}
}  // namespace

std::string normalize_os(std::string_view reported) {
    const auto os = lower(reported);
    if (os == "linux") return "linux";
    if (os == "darwin" || os == "macos") return "darwin";
    if (os == "windows" || os.starts_with("mingw") || os.starts_with("msys") ||
        os.starts_with("cygwin") || os == "windows_nt") {
        return "windows";
    }
    return "";
}

std::string normalize_arch(std::string_view reported) {
    const auto arch = lower(reported);
    if (arch == "x86_64" || arch == "amd64" || arch == "x64") return "amd64";
    if (arch == "aarch64" || arch == "arm64" || arch == "arm64e" || arch == "armv8l") {
        return "arm64";
    }
    return "";
}

std::optional<Platform> parse_platform_key(std::string_view key) {
    const auto dash = key.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const std::string os(key.substr(0, dash));
    const std::string arch(key.substr(dash + 1));
    if (os != "linux" && os != "darwin" && os != "windows") return std::nullopt;
    if (arch != "amd64" && arch != "arm64") return std::nullopt;
    return Platform{os, arch};
}

Platform detect_platform() {
#if defined(_WIN32)
#if defined(_M_ARM64) || defined(__aarch64__)
    return Platform{"windows", "arm64"};
#else
    return Platform{"windows", "amd64"};
#endif
#else
    utsname names{};
    if (uname(&names) != 0) {
        throw Error(ExitCode::kFailure, "uname failed", "", "report this as a bug");
    }
    Platform platform{normalize_os(names.sysname), normalize_arch(names.machine)};
    if (platform.os.empty() || platform.arch.empty()) {
        throw Error(ExitCode::kNotAvailable,
                    std::string("unsupported platform ") + names.sysname + "/" + names.machine,
                    "uname",
                    "stigmer is released for linux, darwin and windows on amd64 and arm64");
    }
    return platform;
#endif
}

std::string executable_name(const Platform& platform, std::string_view component) {
    std::string name(component);
    if (platform.os == "windows") name += ".exe";
    return name;
}

}  // namespace stigmer::platform
