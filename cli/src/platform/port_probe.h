#pragma once

#include <optional>
#include <string>

namespace stigmer::platform {

// Whether a TCP port can be bound on `host` right now.
bool tcp_port_is_free(const std::string& host, int port);

// The process listening on a TCP port, when the system lets us know (Linux: /proc).
struct PortHolder {
    int pid = 0;
    std::string command;  // its command line, shortened
};
std::optional<PortHolder> find_tcp_port_holder(int port);

}  // namespace stigmer::platform
