#pragma once

#include <filesystem>
#include <string>

#include "release/manifest.h"

namespace stigmer::release {

// Unpacks a tar.gz or zip artifact into `destination` (which must exist) with libarchive.
// Refuses, with Error(kVerification) naming `source`: absolute paths, ".." components, links
// pointing outside `destination`, device files, fifos and sockets. Modes keep rwx bits only.
void extract_archive(const std::filesystem::path& archive, ArtifactFormat format,
                     const std::filesystem::path& destination, const std::string& source);

}  // namespace stigmer::release
