#include "release/url.h"

#include <curl/curl.h>

#if defined(_WIN32)
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#endif

#include <memory>

#include "util/error.h"

namespace stigmer::release {

namespace {

struct UrlDeleter {
    void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

std::string get_part(CURLU* url, CURLUPart part) {
    char* value = nullptr;
    if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) return "";
    std::string out(value);
    curl_free(value);
    return out;
}

Error bad_url(const std::string& url) {
    return Error(ExitCode::kUsage, "invalid URL", url,
                 "check --releases-url, STIGMER_RELEASES_URL or releases_url in config.toml");
}

}  // namespace

std::string resolve_url(const std::string& base, const std::string& reference) {
    UrlHandle handle(curl_url());
    if (!handle) throw std::bad_alloc();
    if (curl_url_set(handle.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK)
        throw bad_url(base);
    // Setting a relative URL on a handle that holds one resolves it against that URL.
    if (curl_url_set(handle.get(), CURLUPART_URL, reference.c_str(), 0) != CURLUE_OK) {
        throw bad_url(reference);
    }
    return get_part(handle.get(), CURLUPART_URL);
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

void check_url_allowed(const std::string& url) {
    UrlHandle handle(curl_url());
    if (!handle) throw std::bad_alloc();
    if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) throw bad_url(url);
    const auto scheme = get_part(handle.get(), CURLUPART_SCHEME);
    if (scheme == "https") return;
    if (scheme == "http" && is_loopback_host(get_part(handle.get(), CURLUPART_HOST))) return;
    throw Error(ExitCode::kRefused, "refusing to download over " + scheme + "://", url,
                "use an https:// releases URL (plain http is only allowed to loopback addresses)");
}

}  // namespace stigmer::release
