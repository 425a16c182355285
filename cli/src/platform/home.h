#pragma once

#include <filesystem>

namespace stigmer::platform {

// The user's home directory (HOME, or the password database / USERPROFILE).
std::filesystem::path user_home_directory();

}  // namespace stigmer::platform
