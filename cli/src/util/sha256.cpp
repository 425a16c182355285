#include "util/sha256.h"

#include <sodium.h>

#include <fstream>
#include <vector>

#include "util/error.h"
#include "util/hex.h"

namespace stigmer {

struct Sha256::Context {
    crypto_hash_sha256_state state;
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not initialise");
    reset();
}

Sha256::~Sha256() = default;

void Sha256::reset() {
    crypto_hash_sha256_init(&context_->state);
}

void Sha256::update(const void* data, std::size_t length) {
    crypto_hash_sha256_update(&context_->state, static_cast<const unsigned char*>(data), length);
}

std::string Sha256::finish_hex() {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&context_->state, digest);
    reset();
    return to_hex(digest, sizeof digest);
}

void Sha256::update_from_file(const std::filesystem::path& path, std::uintmax_t length) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ExitCode::kLocalFiles, "cannot read file", path.string(),
                    "check its permissions");
    }
    std::vector<char> buffer(1 << 20);
    std::uintmax_t remaining = length;
    while (remaining > 0 && in) {
        const auto want =
            static_cast<std::streamsize>(std::min<std::uintmax_t>(remaining, buffer.size()));
        in.read(buffer.data(), want);
        const auto got = in.gcount();
        if (got <= 0) break;
        update(buffer.data(), static_cast<std::size_t>(got));
        remaining -= static_cast<std::uintmax_t>(got);
    }
}

std::string sha256_hex_of_file(const std::filesystem::path& path) {
    Sha256 hasher;
    hasher.update_from_file(path);
    return hasher.finish_hex();
}

}  // namespace stigmer
