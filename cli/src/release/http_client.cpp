#include "release/http_client.h"

#include <curl/curl.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <thread>

#include "platform/curl_sockets.h"
#include "platform/terminal.h"
#include "release/url.h"
#include "util/curl_easy.h"

namespace stigmer::release {

namespace {

CURL* curl(void* handle) {
    return static_cast<CURL*>(handle);
}

std::optional<long> env_number(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    char* end = nullptr;
    const long number = std::strtol(value, &end, 10);
    if (*end != '\0' || number <= 0) {
        throw Error(ExitCode::kUsage, std::string("invalid ") + name + " '" + value + "'", name,
                    "use a positive whole number");
    }
    return number;
}

struct Transfer {
    CURL* handle;
    BodySink* sink;
    const std::atomic<bool>* cancel = nullptr;
    bool begun = false;
    bool aborted = false;
};

long response_status(CURL* handle) {
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const std::size_t length = size * count;
    const long status = response_status(transfer->handle);
    if (status < 200 || status >= 300) return length;  // bodies of redirects and errors: dropped
    if (!transfer->begun) {
        transfer->begun = true;
        transfer->sink->begin(status);
    }
    if (!transfer->sink->write(data, length)) {
        transfer->aborted = true;
        return 0;
    }
    return length;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
    auto* transfer = static_cast<Transfer*>(user);
    if (transfer->cancel != nullptr && transfer->cancel->load()) return 1;  // abort the transfer
    const long status = response_status(transfer->handle);
    if (status >= 200 && status < 300 && now > 0) {
        transfer->sink->progress(static_cast<std::uint64_t>(now),
                                 static_cast<std::uint64_t>(total));
    }
    return 0;
}

bool is_retryable_transport_error(CURLcode code) {
    switch (code) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
        case CURLE_GOT_NOTHING:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_COULDNT_RESOLVE_HOST:
            return true;
        default:
            return false;
    }
}

bool is_http_url(const std::string& url) {
    return url.rfind("http://", 0) == 0;
}

}  // namespace

HttpOptions HttpOptions::from_environment() {
    HttpOptions options;
    if (auto seconds = env_number("STIGMER_HTTP_TIMEOUT")) {
        options.stall_timeout_seconds = *seconds;
        options.connect_timeout_seconds = std::min(options.connect_timeout_seconds, *seconds);
    }
    if (auto attempts = env_number("STIGMER_HTTP_RETRIES")) {
        options.max_attempts = static_cast<int>(*attempts);
    }
    return options;
}

HttpClient::HttpClient(HttpOptions options)
    : options_(options), handle_(new_curl_easy().release()) {}

HttpClient::~HttpClient() {
    curl_easy_cleanup(curl(handle_));
}

AttemptOutcome HttpClient::get_once(const std::string& url, std::uint64_t range_start,
                                    BodySink& sink) {
    std::string current = url;
    for (int hop = 0; hop <= options_.max_redirects; ++hop) {
        current = allowed_url(current);
        CURL* handle = curl(handle_);
        curl_easy_reset(handle);
        Transfer transfer{handle, &sink, options_.cancel};
        char error_text[CURL_ERROR_SIZE] = {};
        const std::string range = std::to_string(range_start) + "-";
        curl_easy_setopt(handle, CURLOPT_URL, current.c_str());
        curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);  // by hand, see header
        curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(handle, CURLOPT_USERAGENT, "stigmer/" STIGMER_VERSION);
        curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_seconds);
        curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, options_.stall_timeout_seconds);
        curl_easy_setopt(handle, CURLOPT_TIMEOUT, options_.total_timeout_seconds);
        curl_easy_setopt(handle, CURLOPT_BUFFERSIZE, 512L * 1024L);
        curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);
        curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
        curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
        platform::use_close_on_exec_sockets(handle);
        curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
        if (range_start > 0) curl_easy_setopt(handle, CURLOPT_RANGE, range.c_str());
        // libcurl reads https_proxy/HTTPS_PROXY, ALL_PROXY and NO_PROXY itself, but for http://
        // only lower-case http_proxy (httpoxy); honour the upper-case spelling as well.
        const char* lower_proxy = std::getenv("http_proxy");
        const char* upper_proxy = std::getenv("HTTP_PROXY");
        if (is_http_url(current) && (lower_proxy == nullptr || *lower_proxy == '\0') &&
            upper_proxy != nullptr && *upper_proxy != '\0') {
            curl_easy_setopt(handle, CURLOPT_PROXY, upper_proxy);
        }

        const CURLcode code = curl_easy_perform(handle);
        const long status = response_status(handle);
        if (transfer.aborted) return {AttemptResult::kAbortedBySink, status, "aborted"};
        if (code != CURLE_OK) {
            std::string detail = error_text[0] ? error_text : curl_easy_strerror(code);
            if (code == CURLE_OPERATION_TIMEDOUT) detail = "timed out: " + detail;
            return {is_retryable_transport_error(code) ? AttemptResult::kRetryable
                                                       : AttemptResult::kFailed,
                    status, detail};
        }
        if (status >= 300 && status < 400) {
            char* location = nullptr;
            curl_easy_getinfo(handle, CURLINFO_REDIRECT_URL, &location);
            if (location == nullptr)
                return {AttemptResult::kFailed, status, "redirect without Location"};
            current = location;
            continue;
        }
        if (status >= 200 && status < 300) {
            if (!transfer.begun) sink.begin(status);  // empty body
            return {AttemptResult::kComplete, status, ""};
        }
        const bool retryable = status >= 500 || status == 408 || status == 429;
        return {retryable ? AttemptResult::kRetryable : AttemptResult::kFailed, status,
                "HTTP " + std::to_string(status)};
    }
    return {AttemptResult::kFailed, 0,
            "more than " + std::to_string(options_.max_redirects) + " redirects"};
}

void HttpClient::wait_before_retry(int attempt, const AttemptOutcome& outcome,
                                   const std::string& url) {
    const auto delay = options_.first_backoff * (1 << std::min(attempt - 1, 6));
    if (!quiet_) {
        if (platform::stderr_is_terminal()) std::cerr << "\r\x1b[K";  // over a progress bar
        std::cerr << "stigmer: " << outcome.detail << " from " << url << "; retrying in "
                  << delay.count() << " ms (attempt " << attempt + 1 << " of "
                  << options_.max_attempts << ")\n";
    }
    std::this_thread::sleep_for(delay);
}

Error error_for_outcome(const AttemptOutcome& outcome, const std::string& url) {
    if (outcome.status == 404 || outcome.status == 410) {
        return Error(ExitCode::kNotAvailable,
                     "not found (HTTP " + std::to_string(outcome.status) + ")", url,
                     "check the version and the releases URL (--releases-url)");
    }
    if (outcome.status >= 400) {
        return Error(ExitCode::kNetwork, "server answered HTTP " + std::to_string(outcome.status),
                     url, "retry later, or check the releases URL (--releases-url)");
    }
    return Error(ExitCode::kNetwork, "download failed (" + outcome.detail + ")", url,
                 "check the network connection and proxy settings (HTTPS_PROXY, NO_PROXY), then "
                 "retry; partial downloads resume");
}

namespace {
class MemorySink : public BodySink {
  public:
    explicit MemorySink(std::size_t max_bytes) : max_bytes_(max_bytes) {}
    void begin(long) override { data_.clear(); }
    bool write(const char* data, std::size_t length) override {
        if (data_.size() + length > max_bytes_) return false;
        data_.append(data, length);
        return true;
    }
    std::string take() { return std::move(data_); }

  private:
    std::size_t max_bytes_;
    std::string data_;
};
}  // namespace

std::string fetch_document(HttpClient& client, const std::string& url, std::size_t max_bytes) {
    for (int attempt = 1;; ++attempt) {
        MemorySink sink(max_bytes);
        const auto outcome = client.get_once(url, 0, sink);
        switch (outcome.result) {
            case AttemptResult::kComplete:
                return sink.take();
            case AttemptResult::kAbortedBySink:
                throw Error(ExitCode::kVerification,
                            "document larger than " + std::to_string(max_bytes) + " bytes", url,
                            "check the releases URL (--releases-url)");
            case AttemptResult::kRetryable:
                if (attempt < client.options().max_attempts) {
                    client.wait_before_retry(attempt, outcome, url);
                    continue;
                }
                throw error_for_outcome(outcome, url);
            case AttemptResult::kFailed:
                throw error_for_outcome(outcome, url);
        }
    }
}

}  // namespace stigmer::release
