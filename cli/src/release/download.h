#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "release/http_client.h"

namespace stigmer::release {

struct DownloadRequest {
    std::string url;     // absolute
    std::string sha256;  // expected digest (lowercase hex)
    std::uint64_t size = 0;
    std::string label;  // shown on the progress bar
};

// Downloads into `downloads_dir`, hashing while the bytes stream in, and returns the path of the
// verified file (`<sha256>` in `downloads_dir`). An interrupted download stays as
// `<sha256>.part` and the next call resumes it with a Range request after re-hashing its bytes; a
// server that ignores Range restarts it. More bytes than `size` abort at once; a wrong size or
// digest deletes the partial file. The caller holds the digest's lock (Layout::download_lock)
// from this call until it has consumed the returned file. Throws Error.
std::filesystem::path download_verified(HttpClient& client, const DownloadRequest& request,
                                        const std::filesystem::path& downloads_dir,
                                        bool show_progress);

}  // namespace stigmer::release
