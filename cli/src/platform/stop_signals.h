#pragma once

namespace stigmer::platform {

class EventLoop;

// Turns the signals that ask a process to stop (SIGTERM, SIGINT, SIGHUP; Ctrl-C and console
// close on Windows) into a flag the main loop polls, so shutdown runs in normal code.
void install_stop_signal_handlers();
bool stop_signal_received();
int stop_signal_count();  // how many arrived (a second Ctrl-C can mean "hurry")

// From now on a stop signal, and on POSIX a child's exit (SIGCHLD), also ends `loop`'s wait at
// once; nullptr stops that. The loop must outlive the setting.
void wake_on_signals(EventLoop* loop);

// Ignores SIGPIPE: a reader that went away is an error to handle, not a reason to die.
void ignore_broken_pipes();

}  // namespace stigmer::platform
