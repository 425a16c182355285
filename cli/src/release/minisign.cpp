#include "release/minisign.h"

#include <sodium.h>

#include <algorithm>

#include "util/error.h"
#include "util/hex.h"

namespace stigmer::release {

namespace {

constexpr std::string_view kTrustedCommentPrefix = "trusted comment: ";

void ensure_sodium() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

std::vector<unsigned char> decode_base64(std::string_view text) {
    std::vector<unsigned char> bytes(text.size());
    std::size_t length = 0;
    if (sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &length,
                          nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
        return {};
    }
    bytes.resize(length);
    return bytes;
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        auto line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        start = end + 1;
    }
    return lines;
}

Error malformed(const std::string& what, const std::string& source) {
    return Error(ExitCode::kVerification, "malformed signature: " + what, source,
                 "the release is damaged or was not signed with minisign; do not use it");
}

std::string key_id_to_hex(const std::array<unsigned char, 8>& id) {
    // minisign stores the id little-endian and prints it as a big-endian number.
    std::array<unsigned char, 8> reversed{};
    std::reverse_copy(id.begin(), id.end(), reversed.begin());
    std::string hex = to_hex(reversed.data(), reversed.size());
    std::transform(hex.begin(), hex.end(), hex.begin(), ::toupper);
    return hex;
}

}  // namespace

std::string PublicKey::key_id_hex() const {
    return key_id_to_hex(key_id);
}

PublicKey parse_public_key(std::string_view text) {
    ensure_sodium();
    std::string_view line;
    for (auto candidate : lines_of(text)) {
        if (!candidate.empty() && !candidate.starts_with("untrusted comment:")) {
            line = candidate;
            break;
        }
    }
    const auto bytes = decode_base64(line);
    if (bytes.size() != 42 || bytes[0] != 'E' || bytes[1] != 'd') {
        throw Error(ExitCode::kVerification, "invalid minisign public key", std::string(line),
                    "expected the base64 line of a minisign .pub file");
    }
    PublicKey key;
    std::copy_n(bytes.begin() + 2, 8, key.key_id.begin());
    std::copy_n(bytes.begin() + 10, 32, key.key.begin());
    return key;
}

Signature parse_signature(std::string_view text, const std::string& source) {
    ensure_sodium();
    const auto lines = lines_of(text);
    if (lines.size() < 4) throw malformed("expected 4 lines", source);
    if (!lines[0].starts_with("untrusted comment:")) {
        throw malformed("first line is not an untrusted comment", source);
    }
    const auto signature_bytes = decode_base64(lines[1]);
    if (signature_bytes.size() != 74)
        throw malformed("signature line has the wrong length", source);
    if (signature_bytes[0] == 'E' && signature_bytes[1] == 'd') {
        throw Error(ExitCode::kVerification,
                    "legacy minisign signature (Ed) refused: stigmer releases are signed "
                    "pre-hashed (ED)",
                    source,
                    "the release was not signed by stigmer's release scripts; do not use it");
    }
    if (signature_bytes[0] != 'E' || signature_bytes[1] != 'D') {
        throw malformed("unknown signature algorithm", source);
    }
    Signature signature;
    std::copy_n(signature_bytes.begin() + 2, 8, signature.key_id.begin());
    std::copy_n(signature_bytes.begin() + 10, 64, signature.signature.begin());
    if (!lines[2].starts_with(kTrustedCommentPrefix)) {
        throw malformed("third line is not a trusted comment", source);
    }
    signature.trusted_comment = std::string(lines[2].substr(kTrustedCommentPrefix.size()));
    const auto global = decode_base64(lines[3]);
    if (global.size() != 64) throw malformed("global signature has the wrong length", source);
    std::copy(global.begin(), global.end(), signature.global_signature.begin());
    return signature;
}

std::string verify_signature(std::string_view message, std::string_view signature_text,
                             const std::vector<PublicKey>& trusted, const std::string& source) {
    const auto signature = parse_signature(signature_text, source);
    const auto key = std::find_if(trusted.begin(), trusted.end(), [&](const PublicKey& candidate) {
        return candidate.key_id == signature.key_id;
    });
    if (key == trusted.end()) {
        throw Error(ExitCode::kVerification,
                    "signature made by untrusted key " + key_id_to_hex(signature.key_id), source,
                    "this build of stigmer only trusts its embedded release keys; use an official "
                    "release URL or a stigmer built to trust that key");
    }
    const auto* data = reinterpret_cast<const unsigned char*>(message.data());
    unsigned char digest[crypto_generichash_BYTES_MAX];
    crypto_generichash(digest, sizeof digest, data, message.size(), nullptr, 0);
    if (crypto_sign_verify_detached(signature.signature.data(), digest, sizeof digest,
                                    key->key.data()) != 0) {
        throw Error(ExitCode::kVerification, "signature does not match the file", source,
                    "the file was altered or the signature is corrupted; do not use it");
    }
    // The global signature covers the signature and the trusted comment, so neither can be swapped.
    std::vector<unsigned char> global_message(signature.signature.begin(),
                                              signature.signature.end());
    global_message.insert(global_message.end(), signature.trusted_comment.begin(),
                          signature.trusted_comment.end());
    if (crypto_sign_verify_detached(signature.global_signature.data(), global_message.data(),
                                    global_message.size(), key->key.data()) != 0) {
        throw Error(ExitCode::kVerification, "trusted comment signature does not verify", source,
                    "the signature file was altered; do not use it");
    }
    return signature.trusted_comment;
}

}  // namespace stigmer::release
