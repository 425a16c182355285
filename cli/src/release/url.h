#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stigmer::release {

// Resolves `reference` (absolute or relative) against `base` as the URL Standard (and so a
// browser) does; for the references a manifest holds, as RFC 3986 section 5 does.
std::string resolve_url(const std::string& base, const std::string& reference);

// What an absolute URL names to connect to: its scheme and host in lower case (an IPv6 host in
// brackets) and its port, the scheme's default (http 80, https 443) when it gives none.
struct UrlAuthority {
    std::string scheme;
    std::string host;
    std::string port;
};

// Nothing when `url` is not an absolute URL with an authority ("scheme://host...").
std::optional<UrlAuthority> authority_of(const std::string& url);

// `url` with its host replaced by `host`; nothing when either is not valid.
std::optional<std::string> with_host(const std::string& url, const std::string& host);

// The URL to hand to libcurl, in the URL Standard's serialisation, so that libcurl connects to
// the host checked here. Refuses (Error kRefused) any URL stigmer must not fetch: only https://,
// or http:// to a loopback address (127.0.0.0/8, ::1, localhost) for local release trees.
std::string allowed_url(const std::string& url);

bool is_loopback_host(std::string_view host);

}  // namespace stigmer::release
