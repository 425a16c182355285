#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "util/error.h"

namespace stigmer::release {

struct HttpOptions {
    long connect_timeout_seconds = 15;
    long stall_timeout_seconds = 30;  // abort a transfer that moves < 1 byte/s for this long
    int max_attempts = 4;             // attempts per request (connection errors and 5xx retried)
    std::chrono::milliseconds first_backoff{500};  // doubles after each failed attempt
    int max_redirects = 5;
    long total_timeout_seconds = 0;  // whole transfer, 0 = none (the daemon's update check: 2)
    // Set by another thread to abandon transfers in flight (the daemon stopping); not owned.
    const std::atomic<bool>* cancel = nullptr;

    // Defaults, adjusted by STIGMER_HTTP_TIMEOUT (stall seconds) and STIGMER_HTTP_RETRIES.
    static HttpOptions from_environment();
};

// Receives the body of the final (2xx) response of one attempt.
class BodySink {
  public:
    virtual ~BodySink() = default;
    // Called once per attempt before any body byte, with 200 or 206.
    virtual void begin(long status) = 0;
    // Returns false to abort the transfer (the sink keeps the reason).
    virtual bool write(const char* data, std::size_t length) = 0;
    // Bytes received so far in this attempt and the total announced (0 if unknown).
    virtual void progress(std::uint64_t /*received*/, std::uint64_t /*announced*/) {}
};

enum class AttemptResult { kComplete, kRetryable, kFailed, kAbortedBySink };

struct AttemptOutcome {
    AttemptResult result = AttemptResult::kFailed;
    long status = 0;     // final HTTP status (0 if none)
    std::string detail;  // libcurl's explanation for transport errors
};

// A libcurl easy handle reused across requests (keeps connections alive). Not thread-safe.
class HttpClient {
  public:
    explicit HttpClient(HttpOptions options = {});
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // One GET; redirects are followed by hand so each hop passes allowed_url(). A non-zero
    // `range_start` asks for the bytes from there on (the server may ignore it and send 200).
    AttemptOutcome get_once(const std::string& url, std::uint64_t range_start, BodySink& sink);

    const HttpOptions& options() const { return options_; }

    // Sleeps the backoff for `attempt` (1-based) and tells the user, unless quiet.
    void wait_before_retry(int attempt, const AttemptOutcome& outcome, const std::string& url);

    void set_quiet(bool quiet) { quiet_ = quiet; }

  private:
    HttpOptions options_;
    void* handle_;  // CURL*
    bool quiet_ = false;
};

// The Error for a failed attempt: 404/410 -> kNotAvailable, other HTTP or transport -> kNetwork.
Error error_for_outcome(const AttemptOutcome& outcome, const std::string& url);

// Downloads a small document (manifest, channel, signature) into memory, with retries.
std::string fetch_document(HttpClient& client, const std::string& url, std::size_t max_bytes);

}  // namespace stigmer::release
