#include "util/sha256.h"

#include <openssl/evp.h>

#include <fstream>
#include <vector>

#include "util/error.h"
#include "util/hex.h"

namespace stigmer {

struct Sha256::Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
    if (context_->ctx == nullptr) throw std::bad_alloc();
    reset();
}

Sha256::~Sha256() = default;

void Sha256::reset() {
    if (EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("OpenSSL could not initialise SHA-256");
    }
}

void Sha256::update(const void* data, std::size_t length) {
    if (EVP_DigestUpdate(context_->ctx, data, length) != 1) {
        throw std::runtime_error("OpenSSL SHA-256 update failed");
    }
}

std::string Sha256::finish_hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_->ctx, digest, &length) != 1) {
        throw std::runtime_error("OpenSSL SHA-256 final failed");
    }
    reset();
    return to_hex(digest, length);
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
