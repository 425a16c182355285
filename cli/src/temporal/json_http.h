#pragma once

#include <chrono>
#include <map>
#include <string>

namespace stigmer::temporal {

struct JsonResponse {
    long status = 0;  // 0 when no HTTP answer arrived
    std::string body;
    std::string transport_error;  // libcurl's explanation when status is 0
};

// Mutual TLS towards a cluster's HTTP API. Empty fields: curl's defaults (system CAs, the
// URL's host name checked, no client certificate).
struct ClientTls {
    std::string cert;         // client certificate file (PEM)
    std::string key;          // its private key file (PEM)
    std::string ca;           // CA file that signs the server's certificate
    std::string server_name;  // name the server's certificate must carry, if not the URL's host
};

// Who a request is from: extra headers (a bearer token) and the TLS client identity.
struct Credentials {
    std::map<std::string, std::string> headers;
    ClientTls tls;
};

// A URL path segment with everything but unreserved characters percent-encoded.
std::string escape_path(const std::string& segment);

// One small JSON request over HTTP(S) with a deadline, for talking to a service's HTTP API
// (not for downloads: no resume, no retries, no progress).
JsonResponse send_json_request(const std::string& method, const std::string& url,
                               const std::string& body, const Credentials& credentials,
                               std::chrono::milliseconds timeout);

}  // namespace stigmer::temporal
