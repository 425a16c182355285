#include "util/curl_easy.h"

#include <mutex>

#include "util/error.h"

namespace stigmer {

CurlEasy new_curl_easy() {
    static std::once_flag once;
    static CURLcode initialised = CURLE_OK;
    std::call_once(once, [] { initialised = curl_global_init(CURL_GLOBAL_DEFAULT); });
    CURL* handle = initialised == CURLE_OK ? curl_easy_init() : nullptr;
    if (handle == nullptr) {
        throw Error(ExitCode::kFailure, "libcurl could not be initialised", curl_version(),
                    "check the TLS libraries libcurl was built with");
    }
    return CurlEasy(handle, curl_easy_cleanup);
}

}  // namespace stigmer
