#pragma once

#include <curl/curl.h>

#include <memory>

namespace stigmer {

using CurlEasy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;

// A new libcurl easy handle. The first call initialises libcurl for the process: the one
// curl_global_init, whichever client (releases, the Temporal API) needs HTTP first. Throws Error.
CurlEasy new_curl_easy();

}  // namespace stigmer
