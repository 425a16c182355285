// Windows implementation of the stop signals: console control events. Not compiled on POSIX.
#include <windows.h>

#include <atomic>

#include "platform/event_loop.h"
#include "platform/stop_signals.h"

namespace stigmer::platform {
namespace {

std::atomic<int> received{0};
std::atomic<EventLoop*> loop_to_wake{nullptr};

void note_stop() {
    received.fetch_add(1);
    if (EventLoop* loop = loop_to_wake.load()) loop->wake();
}

// Runs on a thread Windows creates for the event.
BOOL WINAPI on_console_event(DWORD event) {
    switch (event) {
        case CTRL_C_EVENT:
        case CTRL_BREAK_EVENT:
            note_stop();
            return TRUE;
        case CTRL_CLOSE_EVENT:
        case CTRL_SHUTDOWN_EVENT:
            // Windows ends the process as soon as this handler returns (or after a few
            // seconds): wait here so the main loop can stop the components meanwhile.
            note_stop();
            Sleep(INFINITE);
            return TRUE;
        default:
            return FALSE;  // CTRL_LOGOFF_EVENT may be another user's logoff
    }
}

}  // namespace

void install_stop_signal_handlers() {
    SetConsoleCtrlHandler(on_console_event, TRUE);
}

void wake_on_signals(EventLoop* loop) {
    loop_to_wake = loop;  // Windows has no SIGCHLD: the loop's wait is short there
}

bool stop_signal_received() {
    return received.load() > 0;
}

int stop_signal_count() {
    return received.load();
}

void ignore_broken_pipes() {}  // Windows has no SIGPIPE: a write to a closed pipe just fails

}  // namespace stigmer::platform
