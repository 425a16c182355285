#include <signal.h>

#include <atomic>
#include <cerrno>

#include "platform/event_loop.h"
#include "platform/stop_signals.h"

namespace stigmer::platform {
namespace {

std::atomic<int> received{0};
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");
std::atomic<EventLoop*> loop_to_wake{nullptr};
static_assert(std::atomic<EventLoop*>::is_always_lock_free, "used from a signal handler");

void wake_loop() {
    const int saved = errno;  // a handler must leave errno as it found it
    if (EventLoop* loop = loop_to_wake.load()) loop->wake();
    errno = saved;
}

extern "C" void on_stop_signal(int) {
    received.fetch_add(1);
    wake_loop();
}

extern "C" void on_child_exit(int) {
    wake_loop();
}

}  // namespace

void install_stop_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(sig, &action, nullptr);
}

void wake_on_signals(EventLoop* loop) {
    loop_to_wake = loop;
    struct sigaction action {};
    action.sa_handler = loop ? on_child_exit : SIG_DFL;
    action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGCHLD, &action, nullptr);
}

bool stop_signal_received() {
    return received.load() > 0;
}

int stop_signal_count() {
    return received.load();
}

void ignore_broken_pipes() {
    ::signal(SIGPIPE, SIG_IGN);
}

}  // namespace stigmer::platform
