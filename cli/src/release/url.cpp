#include "release/url.h"

#if defined(_WIN32)
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif

#include <ada.h>

#include "util/error.h"

// ada rather than libcurl's URL API: that API is libcurl 7.62's, newer than the libcurl of the
// oldest systems the CLI runs on (RHEL 8 has 7.61; docs/adr/0012).
namespace stigmer::release {

namespace {

Error bad_url(const std::string& url) {
    return Error(ExitCode::kUsage, "invalid URL", url,
                 "check --releases-url, STIGMER_RELEASES_URL or releases_url in config.toml");
}

// ada returns the scheme as the URL Standard's "protocol", with its colon.
std::string scheme_of(const ada::url_aggregator& url) {
    std::string protocol(url.get_protocol());
    if (!protocol.empty() && protocol.back() == ':') protocol.pop_back();
    return protocol;
}

}  // namespace

std::string resolve_url(const std::string& base, const std::string& reference) {
    const auto parsed_base = ada::parse<ada::url_aggregator>(base);
    if (!parsed_base) throw bad_url(base);
    const auto resolved = ada::parse<ada::url_aggregator>(reference, &*parsed_base);
    if (!resolved) throw bad_url(reference);
    return std::string(resolved->get_href());
}

bool is_loopback_host(std::string_view host) {
    std::string name(host);
    if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
        name = name.substr(1, name.size() - 2);
    }
    if (name == "localhost") return true;
    in_addr v4{};
    if (inet_pton(AF_INET, name.c_str(), &v4) == 1) {
        return (ntohl(v4.s_addr) >> 24) == 127;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, name.c_str(), &v6) == 1) {
        return IN6_IS_ADDR_LOOPBACK(&v6);
    }
    return false;
}

std::optional<UrlAuthority> authority_of(const std::string& url) {
    const auto parsed = ada::parse<ada::url_aggregator>(url);
    if (!parsed || !parsed->has_hostname()) return std::nullopt;
    UrlAuthority authority{scheme_of(*parsed), std::string(parsed->get_hostname()),
                           std::string(parsed->get_port())};
    // The URL Standard leaves a special scheme's default port out.
    if (authority.port.empty() && authority.scheme == "https") authority.port = "443";
    if (authority.port.empty() && authority.scheme == "http") authority.port = "80";
    return authority;
}

std::optional<std::string> with_host(const std::string& url, const std::string& host) {
    auto parsed = ada::parse<ada::url_aggregator>(url);
    if (!parsed || !parsed->has_hostname() || host.empty() || !parsed->set_hostname(host)) {
        return std::nullopt;
    }
    return std::string(parsed->get_href());
}

std::string allowed_url(const std::string& url) {
    const auto parsed = ada::parse<ada::url_aggregator>(url);
    if (!parsed || !parsed->has_hostname()) throw bad_url(url);
    const std::string scheme = scheme_of(*parsed);
    if (scheme == "https" || (scheme == "http" && is_loopback_host(parsed->get_hostname()))) {
        return std::string(parsed->get_href());
    }
    throw Error(ExitCode::kRefused, "refusing to download over " + scheme + "://", url,
                "use an https:// releases URL (plain http is only allowed to loopback addresses)");
}

}  // namespace stigmer::release
