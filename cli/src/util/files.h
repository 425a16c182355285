#pragma once

#include <filesystem>
#include <string>

namespace stigmer {

// Reads a whole (small) file; throws Error(kLocalFiles) naming the file on failure.
std::string read_text_file(const std::filesystem::path& path);

// Creates a directory and its parents; throws Error(kLocalFiles) naming it on failure.
void create_directories_or_throw(const std::filesystem::path& path);

// Removes a tree if present; throws Error(kLocalFiles) naming it on failure.
void remove_tree_or_throw(const std::filesystem::path& path);

}  // namespace stigmer
