#include <sys/ioctl.h>
#include <unistd.h>

#include "platform/terminal.h"

namespace stigmer::platform {

bool stderr_is_terminal() {
    return ::isatty(STDERR_FILENO) == 1;
}

bool stdin_is_terminal() {
    return ::isatty(STDIN_FILENO) == 1;
}

bool stdout_is_terminal() {
    return ::isatty(STDOUT_FILENO) == 1;
}

int stderr_columns() {
    winsize size{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 80;
}

}  // namespace stigmer::platform
