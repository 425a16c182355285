#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "platform/port_probe.h"

using namespace stigmer::platform;

namespace {

// Listens on an ephemeral loopback port; returns the socket and the port.
std::pair<int, int> listen_somewhere() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(fd, 1);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    return {fd, ntohs(address.sin_port)};
}

}  // namespace

TEST(PortProbe, SeesATakenPortAndWhoHoldsIt) {
    const auto [fd, port] = listen_somewhere();
    EXPECT_FALSE(tcp_port_is_free("127.0.0.1", port));
#ifdef __linux__
    const auto holder = find_tcp_port_holder(port);
    ASSERT_TRUE(holder.has_value());
    EXPECT_EQ(holder->pid, ::getpid());
    EXPECT_FALSE(holder->command.empty());
#endif
    ::close(fd);
    EXPECT_TRUE(tcp_port_is_free("127.0.0.1", port));
    EXPECT_FALSE(find_tcp_port_holder(port).has_value());
}
