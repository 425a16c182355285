#include "supervise/line_splitter.h"

namespace stigmer::supervise {

namespace {
constexpr std::size_t kMaxLineBytes = 64 * 1024;
}

void LineSplitter::feed(std::string_view chunk) {
    pending_.append(chunk);
    std::size_t start = 0;
    for (std::size_t newline; (newline = pending_.find('\n', start)) != std::string::npos;
         start = newline + 1) {
        std::string line = pending_.substr(start, newline - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        on_line_(line);
    }
    pending_.erase(0, start);
    if (pending_.size() > kMaxLineBytes) {
        on_line_(pending_);
        pending_.clear();
    }
}

void LineSplitter::finish() {
    if (!pending_.empty()) on_line_(pending_);
    pending_.clear();
}

}  // namespace stigmer::supervise
