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

// A URL path segment with everything but unreserved characters percent-encoded.
std::string escape_path(const std::string& segment);

// One small JSON request over HTTP(S) with a deadline, for talking to a service's HTTP API
// (not for downloads: no resume, no retries, no progress).
JsonResponse send_json_request(const std::string& method, const std::string& url,
                               const std::string& body,
                               const std::map<std::string, std::string>& headers,
                               std::chrono::milliseconds timeout);

}  // namespace stigmer::temporal
