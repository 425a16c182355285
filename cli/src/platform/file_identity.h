#pragma once

#include <cstdint>
#include <filesystem>

namespace stigmer::platform {

// A number that stays the same while a path names the same file and changes when the path is
// replaced by another file (inode on POSIX, file index on Windows); 0 if there is no file.
std::uintmax_t file_identity(const std::filesystem::path& path);

}  // namespace stigmer::platform
