#pragma once

#include <vector>

#include "release/minisign.h"

namespace stigmer::release {

// The public keys embedded in this build (see cmake/TrustedKeys.cmake).
std::vector<PublicKey> trusted_public_keys();

}  // namespace stigmer::release
