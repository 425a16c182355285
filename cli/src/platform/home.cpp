#include "platform/home.h"

#include <cstdlib>

#if !defined(_WIN32)
#include <pwd.h>
#include <unistd.h>
#endif

#include "util/error.h"

namespace stigmer::platform {

std::filesystem::path user_home_directory() {
#if defined(_WIN32)
    if (const char* profile = std::getenv("USERPROFILE"); profile && *profile) return profile;
#else
    if (const char* home = std::getenv("HOME"); home && *home) return home;
    if (const passwd* entry = getpwuid(getuid()); entry && entry->pw_dir) return entry->pw_dir;
#endif
    throw Error(ExitCode::kUsage, "cannot find the home directory", "HOME",
                "set HOME or STIGMER_HOME, or pass --home");
}

}  // namespace stigmer::platform
