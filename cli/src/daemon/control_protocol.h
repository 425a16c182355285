#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace stigmer::daemon {

// The control channel's protocol, shared by both socket implementations: one JSON request line,
// one JSON response line (docs/daemon-protocol.md).

// Receives up to `size` bytes into `buffer`, waiting at most `left`: the byte count, 0 at the
// end of the stream or on an error, nullopt when nothing arrived in time.
using ReceiveChunk = std::function<std::optional<std::size_t>(char* buffer, std::size_t size,
                                                              std::chrono::milliseconds left)>;

// Reads up to the first newline; nullopt on timeout or a message over 1 MiB.
std::optional<std::string> read_line(const ReceiveChunk& receive,
                                     std::chrono::milliseconds timeout);

// The response to one request line: the handler's answer, or {"ok": false, "error": ...} when
// the line is not JSON or the handler throws.
nlohmann::json answer_request(const std::function<nlohmann::json(const nlohmann::json&)>& handler,
                              const std::string& line);

}  // namespace stigmer::daemon
