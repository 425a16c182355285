#include "temporal/json_http.h"

#include <curl/curl.h>

#include <memory>

#include "platform/curl_sockets.h"
#include "release/url.h"
#include "util/curl_easy.h"

namespace stigmer::temporal {
namespace {

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

// The URL with its host replaced by `server_name`, so that curl sends that name (SNI) and checks
// the certificate against it, and the "HOST:PORT" it must really connect to. Empty strings
// when the URL cannot be parsed (curl then reports the URL itself).
struct Redirected {
    std::string url;
    std::string connect_to;
};

Redirected redirect_to_name(const std::string& url, const std::string& server_name) {
    const auto authority = release::authority_of(url);
    const auto renamed = release::with_host(url, server_name);
    if (!authority || !renamed) return {};
    // "::HOST:PORT": whatever the URL names, connect to the original host and port.
    return {*renamed, "::" + authority->host + ":" + authority->port};
}

}  // namespace

std::string escape_path(const std::string& segment) {
    char* escaped = curl_easy_escape(nullptr, segment.c_str(), static_cast<int>(segment.size()));
    std::string result = escaped ? escaped : segment;
    curl_free(escaped);
    return result;
}

JsonResponse send_json_request(const std::string& method, const std::string& url,
                               const std::string& body, const Credentials& credentials,
                               std::chrono::milliseconds timeout) {
    const auto handle = new_curl_easy();
    curl_slist* header_list = curl_slist_append(nullptr, "Content-Type: application/json");
    header_list = curl_slist_append(header_list, "Accept: application/json");
    for (const auto& [name, value] : credentials.headers)
        header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(header_list,
                                                                             curl_slist_free_all);

    JsonResponse response;
    CURL* h = handle.get();
    const ClientTls& tls = credentials.tls;
    Redirected redirected;
    curl_slist* connect_to = nullptr;
    if (!tls.server_name.empty()) redirected = redirect_to_name(url, tls.server_name);
    if (!redirected.url.empty())
        connect_to = curl_slist_append(nullptr, redirected.connect_to.c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> connect_guard(connect_to,
                                                                              curl_slist_free_all);
    curl_easy_setopt(h, CURLOPT_URL, redirected.url.empty() ? url.c_str() : redirected.url.c_str());
    if (connect_to != nullptr) curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to);
    if (!tls.cert.empty()) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, tls.cert.c_str());
        curl_easy_setopt(h, CURLOPT_SSLKEY, tls.key.c_str());
    }
    if (!tls.ca.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method != "GET") {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::min<long long>(timeout.count(), 5000)));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    platform::use_close_on_exec_sockets(h);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
    const CURLcode code = curl_easy_perform(h);
    if (code != CURLE_OK) {
        response.transport_error = curl_easy_strerror(code);
        return response;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
}

}  // namespace stigmer::temporal
