#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace stigmer {

std::string to_hex(const unsigned char* bytes, std::size_t length);

// True when `text` is exactly `length` lowercase hexadecimal digits.
bool is_lowercase_hex(std::string_view text, std::size_t length);

}  // namespace stigmer
