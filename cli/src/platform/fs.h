#pragma once

#include <filesystem>
#include <string_view>

namespace stigmer::platform {

// Writes a file so that readers see either the old or the new content: temp file in the same
// directory, flushed to disk, then renamed over.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Points `launcher` (bin/<component>) at `target` in one step: a symlink created under a
// temporary name and renamed over on POSIX; a copy renamed over on Windows.
void switch_launcher(const std::filesystem::path& launcher, const std::filesystem::path& target);

// Where `launcher` currently points (empty if absent or not a launcher).
std::filesystem::path launcher_target(const std::filesystem::path& launcher);

// Adds the execute bits (owner, group, other where read is allowed).
void make_executable(const std::filesystem::path& path);

// rename(2) with an Error naming both paths on failure.
void rename_or_throw(const std::filesystem::path& from, const std::filesystem::path& to);

// Flushes a directory's entries (after renames) so a crash does not lose them.
void sync_directory(const std::filesystem::path& directory);

}  // namespace stigmer::platform
