#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "platform/fd_posix.h"
#include "platform/port_probe.h"
#include "platform/process_info.h"

namespace stigmer::platform {

bool tcp_port_is_free(const std::string& host, int port) {
    const Fd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!socket) return false;
    const int fd = socket.get();
    // Like the servers we start: SO_REUSEADDR, so ports in TIME_WAIT do not count as taken.
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &address.sin_addr) !=
        1) {
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    }
    return ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

#ifdef __linux__
namespace {

// Socket inodes listening on `port`, from /proc/net/tcp and tcp6 (state 0A = LISTEN).
std::vector<std::string> listening_inodes(int port) {
    std::vector<std::string> inodes;
    char port_hex[8];
    std::snprintf(port_hex, sizeof port_hex, "%04X", port);
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
            fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
                timeout >> inode;
            const auto colon = local.rfind(':');
            if (colon != std::string::npos && local.substr(colon + 1) == port_hex &&
                state == "0A") {
                inodes.push_back(inode);
            }
        }
    }
    return inodes;
}

}  // namespace

std::optional<PortHolder> find_tcp_port_holder(int port) {
    const auto inodes = listening_inodes(port);
    if (inodes.empty()) return std::nullopt;
    std::error_code ec;
    for (const auto& process : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = process.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        for (const auto& fd : std::filesystem::directory_iterator(process.path() / "fd", ec)) {
            std::error_code link_ec;
            const std::string target = std::filesystem::read_symlink(fd.path(), link_ec).string();
            for (const auto& inode : inodes) {
                if (target == "socket:[" + inode + "]") {
                    const int pid = std::stoi(name);
                    std::string command = process_command_line(pid);
                    if (command.size() > 80) command = command.substr(0, 77) + "...";
                    return PortHolder{pid, command};
                }
            }
        }
    }
    return std::nullopt;
}
#else
std::optional<PortHolder> find_tcp_port_holder(int) {
    return std::nullopt;
}
#endif

}  // namespace stigmer::platform
