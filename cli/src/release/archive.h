#pragma once

#include <filesystem>
#include <string>

#include "release/manifest.h"

namespace stigmer::release {

// Unpacks a tar.gz or zip artifact into `destination` (which must exist, and may be reached
// through symlinks) with libarchive. Refuses, with Error(kVerification) naming `source`: absolute
// paths, ".." components, links pointing outside `destination`, entries and hard links through
// (or, for hard links, to) a symlink the archive made, device files, fifos and sockets. Modes keep
// rwx bits only.
void extract_archive(const std::filesystem::path& archive, ArtifactFormat format,
                     const std::filesystem::path& destination, const std::string& source);

}  // namespace stigmer::release
