// Windows implementation of the port probe: a Winsock bind test, and the IP helper's TCP
// tables for the owner of a listening port. Not compiled on POSIX builds.
#include <winsock2.h>
#include <ws2tcpip.h>
// winsock2.h first: iphlpapi.h needs its types.
#include <iphlpapi.h>

#include <vector>

#include "platform/port_probe.h"
#include "platform/process_info.h"

namespace stigmer::platform {
namespace {

bool winsock_ready() {
    static const bool ready = [] {
        WSADATA data{};
        return WSAStartup(MAKEWORD(2, 2), &data) == 0;  // kept for the life of the process
    }();
    return ready;
}

// The pid listening on `port` in one of the IP helper's "owner pid" listener tables.
template <typename Table>
std::optional<int> listener_in(ULONG family, int port) {
    DWORD size = 0;
    std::vector<unsigned char> buffer;
    DWORD rc = ERROR_INSUFFICIENT_BUFFER;
    // The table can grow between the size query and the read: retry a few times.
    for (int attempt = 0; attempt < 4 && rc == ERROR_INSUFFICIENT_BUFFER; ++attempt) {
        buffer.resize(size);
        rc = GetExtendedTcpTable(buffer.empty() ? nullptr : buffer.data(), &size, FALSE, family,
                                 TCP_TABLE_OWNER_PID_LISTENER, 0);
    }
    if (rc != NO_ERROR) return std::nullopt;
    const auto* table = reinterpret_cast<const Table*>(buffer.data());
    for (DWORD i = 0; i < table->dwNumEntries; ++i) {
        // The port is in network byte order in the low 16 bits.
        const auto local_port = ntohs(static_cast<u_short>(table->table[i].dwLocalPort));
        if (local_port == port) return static_cast<int>(table->table[i].dwOwningPid);
    }
    return std::nullopt;
}

}  // namespace

bool tcp_port_is_free(const std::string& host, int port) {
    if (!winsock_ready()) return false;
    SOCKET s =
        WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
    if (s == INVALID_SOCKET) return false;
    // Exclusive: without it Windows lets a bind to 127.0.0.1 succeed beside a listener on the
    // wildcard address, and the port would look free when the server could not have it.
    BOOL on = TRUE;
    setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&on), sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<u_short>(port));
    if (inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &address.sin_addr) !=
        1) {
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    }
    const bool free =
        bind(s, reinterpret_cast<const sockaddr*>(&address), sizeof address) != SOCKET_ERROR;
    closesocket(s);
    return free;
}

std::optional<PortHolder> find_tcp_port_holder(int port) {
    auto pid = listener_in<MIB_TCPTABLE_OWNER_PID>(AF_INET, port);
    if (!pid) pid = listener_in<MIB_TCP6TABLE_OWNER_PID>(AF_INET6, port);
    if (!pid || *pid <= 0) return std::nullopt;  // pid 0/4: the system itself
    std::string command = process_command_line(*pid);
    if (command.size() > 80) command = "..." + command.substr(command.size() - 77);
    return PortHolder{*pid, command};
}

}  // namespace stigmer::platform
