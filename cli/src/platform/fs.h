#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace stigmer::platform {

// The one way stigmer makes a temporary file: a new file with a unique name in `directory`
// (`prefix` and a random suffix), created exclusively (mkstemp), so concurrent writers never
// share one. Removed when this object goes, unless committed.
class TemporaryFile {
  public:
    TemporaryFile(const std::filesystem::path& directory, const std::string& prefix);
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;
    ~TemporaryFile();

    const std::filesystem::path& path() const { return path_; }

    // Appends `content`. Throws Error.
    void write(std::string_view content);

    // Flushes the file to disk, closes it and renames it over `target` in one step. Throws Error.
    void commit(const std::filesystem::path& target);

  private:
    struct Handle;  // the open descriptor or HANDLE
    std::filesystem::path path_;
    std::unique_ptr<Handle> handle_;
    bool committed_ = false;
};

// The same for a directory (mkdtemp): a new empty one named `prefix` and a random suffix in
// `parent`, which must exist. The caller removes or renames it. Throws Error.
std::filesystem::path create_temporary_directory(const std::filesystem::path& parent,
                                                 const std::string& prefix);

// Writes a file so that readers see either the old or the new content: a TemporaryFile in the
// same directory, flushed to disk, then renamed over.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Points `launcher` (bin/<component>) at `target` in one step: a symlink made in a temporary
// directory and renamed over on POSIX; a copy renamed over on Windows.
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
