#include "release/trusted_keys.h"

#include "embedded_keys.h"

namespace stigmer::release {

std::vector<PublicKey> trusted_public_keys() {
    std::vector<PublicKey> keys;
    for (const auto line : kTrustedPublicKeys) keys.push_back(parse_public_key(line));
    return keys;
}

}  // namespace stigmer::release
