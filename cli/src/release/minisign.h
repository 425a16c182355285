#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace stigmer::release {

// A minisign public key: algorithm "Ed", 8-byte key id, 32-byte Ed25519 key.
struct PublicKey {
    std::array<unsigned char, 8> key_id{};
    std::array<unsigned char, 32> key{};
    std::string key_id_hex() const;  // as minisign prints it (big-endian hex)
};

// Parses the base64 line of a public key (the second line of a .pub file), or a whole .pub file.
PublicKey parse_public_key(std::string_view text);

// A pre-hashed ("ED") minisign signature: Ed25519 over the BLAKE2b-512 of the file. Legacy
// ("Ed") signatures are refused: our releases are never signed that way.
struct Signature {
    std::array<unsigned char, 8> key_id{};
    std::array<unsigned char, 64> signature{};
    std::string trusted_comment;
    std::array<unsigned char, 64> global_signature{};
};

// Parses a .minisig file; throws Error(kVerification) naming `source` if malformed or legacy.
Signature parse_signature(std::string_view text, const std::string& source);

// Verifies `message` against a .minisig text with one of `trusted` keys: the signature over the
// message's BLAKE2b-512 and the global signature over signature + trusted comment.
// Returns the trusted comment. Throws Error(kVerification) naming `source` when the signature is
// malformed, made by an untrusted key, or does not verify.
std::string verify_signature(std::string_view message, std::string_view signature_text,
                             const std::vector<PublicKey>& trusted, const std::string& source);

}  // namespace stigmer::release
