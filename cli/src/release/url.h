#pragma once

#include <string>
#include <string_view>

namespace stigmer::release {

// Resolves `reference` (absolute or relative) against `base` as a browser would (libcurl URL API).
std::string resolve_url(const std::string& base, const std::string& reference);

// Refuses (Error kRefused) any URL stigmer must not fetch: only https://, or http:// to a loopback
// address (127.0.0.0/8, ::1, localhost) for local release trees.
void check_url_allowed(const std::string& url);

bool is_loopback_host(std::string_view host);

}  // namespace stigmer::release
