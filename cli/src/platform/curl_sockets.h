#pragma once

#include <curl/curl.h>

#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/socket.h>
#endif

namespace stigmer::platform {

#if !defined(_WIN32)
// A process stigmer starts (the daemon, Temporal, agent-runner) must not inherit a connection
// and keep it open after stigmer has given up on it. libcurl's internal socketpair cannot be
// opened so; children close it themselves (close_descriptors_for_exec).
inline curl_socket_t open_close_on_exec_socket(void*, curlsocktype, curl_sockaddr* address) {
#if defined(SOCK_CLOEXEC)
    return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
#else
    const int fd = ::socket(address->family, address->socktype, address->protocol);
    if (fd >= 0) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
#endif
}
#endif

// Every easy handle's connections close on exec. Windows needs nothing: a child inherits only
// the handles listed for it (PROC_THREAD_ATTRIBUTE_HANDLE_LIST).
inline void use_close_on_exec_sockets(CURL* handle) {
#if !defined(_WIN32)
    curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, open_close_on_exec_socket);
#else
    (void)handle;
#endif
}

}  // namespace stigmer::platform
