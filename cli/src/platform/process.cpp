// The parts of ChildProcess that are the same on every platform; the rest is in
// process_posix.cpp / process_win32.cpp.
#include "platform/process.h"

namespace stigmer::platform {

void ChildProcess::terminate_group() const {
    if (pid_ > 0 && !exit_) terminate_process_group(pid_);
}

void ChildProcess::kill_group() const {
    if (pid_ > 0) kill_process_group(pid_);
}

}  // namespace stigmer::platform
