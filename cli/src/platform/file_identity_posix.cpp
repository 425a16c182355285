#include <sys/stat.h>

#include "platform/file_identity.h"

namespace stigmer::platform {

std::uintmax_t file_identity(const std::filesystem::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return 0;
    return static_cast<std::uintmax_t>(info.st_ino);
}

}  // namespace stigmer::platform
