#include "daemon/control_protocol.h"

namespace stigmer::daemon {
namespace {

constexpr std::size_t kMaxMessageBytes = 1 << 20;

}  // namespace

std::optional<std::string> read_line(const ReceiveChunk& receive,
                                     std::chrono::milliseconds timeout) {
    std::string buffer;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char chunk[4096];
    while (buffer.find('\n') == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        const auto received = receive(chunk, sizeof chunk, left);
        if (!received) return std::nullopt;
        if (*received == 0) break;
        buffer.append(chunk, *received);
        if (buffer.size() > kMaxMessageBytes) return std::nullopt;
    }
    const auto newline = buffer.find('\n');
    if (newline == std::string::npos) return buffer.empty() ? std::nullopt : std::optional(buffer);
    return buffer.substr(0, newline);
}

nlohmann::json answer_request(const std::function<nlohmann::json(const nlohmann::json&)>& handler,
                              const std::string& line) {
    try {
        return handler(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
        return {{"ok", false}, {"error", std::string("bad request: ") + e.what()}};
    } catch (const std::exception& e) {
        return {{"ok", false}, {"error", e.what()}};
    }
}

}  // namespace stigmer::daemon
