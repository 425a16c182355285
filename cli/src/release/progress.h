#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace stigmer::release {

// One-line progress bar on stderr: label, bytes, rate, time left. Draws nothing when disabled
// (stderr not a terminal, or --quiet).
class ProgressBar {
  public:
    ProgressBar(std::string label, std::uint64_t total, bool enabled);
    ~ProgressBar();
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    // `done` counts all bytes of the file, `resumed_from` those already present before this run.
    void update(std::uint64_t done, std::uint64_t resumed_from);
    void finish();

    // "12.3 MiB", exposed for tests.
    static std::string human_bytes(double bytes);

  private:
    void draw(std::uint64_t done, bool final);

    std::string label_;
    std::uint64_t total_;
    bool enabled_;
    bool drawn_ = false;
    std::uint64_t resumed_from_ = 0;
    std::uint64_t last_done_ = 0;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace stigmer::release
