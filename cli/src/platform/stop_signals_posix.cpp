#include <signal.h>

#include <atomic>

#include "platform/stop_signals.h"

namespace stigmer::platform {
namespace {

std::atomic<int> received{0};
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");

extern "C" void on_stop_signal(int) {
    received.fetch_add(1);
}

}  // namespace

void install_stop_signal_handlers() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(sig, &action, nullptr);
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
