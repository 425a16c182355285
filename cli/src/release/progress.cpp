#include "release/progress.h"

#include <cstdio>
#include <string>

#include "platform/terminal.h"

namespace stigmer::release {

ProgressBar::ProgressBar(std::string label, std::uint64_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()),
      last_draw_() {}

ProgressBar::~ProgressBar() {
    if (drawn_) std::fputs("\n", stderr);  // leave the last state visible when interrupted
}

std::string ProgressBar::human_bytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (bytes >= 1024.0 && unit < 4) {
        bytes /= 1024.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
    return text;
}

void ProgressBar::update(std::uint64_t done, std::uint64_t resumed_from) {
    if (!enabled_) return;
    resumed_from_ = resumed_from;
    last_done_ = done;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    draw(done, false);
}

void ProgressBar::finish() {
    if (!enabled_) return;
    draw(total_, true);
    std::fputs("\n", stderr);
    drawn_ = false;
}

void ProgressBar::draw(std::uint64_t done, bool final) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double fetched = static_cast<double>(done - std::min(done, resumed_from_));
    const double rate = seconds > 0.05 ? fetched / seconds : 0.0;
    std::string eta = "--:--";
    if (final) {
        eta = "done";
    } else if (rate > 0 && total_ >= done) {
        const auto left = static_cast<long>(static_cast<double>(total_ - done) / rate);
        char text[48];
        std::snprintf(text, sizeof text, "%ld:%02ld left", left / 60, left % 60);
        eta = text;
    }
    const int percent =
        total_ ? static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total_))
               : 0;
    const int width = 20;
    const int filled = percent * width / 100;
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(width - filled), '.');
    std::string line = label_ + " [" + bar + "] " + human_bytes(static_cast<double>(done)) + " / " +
                       human_bytes(static_cast<double>(total_)) + "  " + human_bytes(rate) +
                       "/s  " + eta;
    const auto columns = static_cast<std::size_t>(platform::stderr_columns());
    if (line.size() >= columns) line.resize(columns - 1);
    std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
    std::fflush(stderr);
    drawn_ = true;
}

}  // namespace stigmer::release
