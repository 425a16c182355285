#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace stigmer {

// Incremental SHA-256 (libsodium, which minisign verification needs anyway), so a download is
// hashed while it streams in.
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, std::size_t length);
    // Lowercase hex digest; the hasher is reset afterwards.
    std::string finish_hex();
    void reset();

    // Hashes the first `length` bytes of a file (all of it by default) into this hasher.
    void update_from_file(const std::filesystem::path& path,
                          std::uintmax_t length = static_cast<std::uintmax_t>(-1));

  private:
    struct Context;
    std::unique_ptr<Context> context_;
};

std::string sha256_hex_of_file(const std::filesystem::path& path);

}  // namespace stigmer
