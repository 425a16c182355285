// Windows implementation of the terminal queries. Not compiled on POSIX builds.
#include <io.h>
#include <stdio.h>  // _fileno
#include <windows.h>

#include "platform/terminal.h"

namespace stigmer::platform {

bool stderr_is_terminal() {
    return _isatty(_fileno(stderr)) != 0;
}

bool stdin_is_terminal() {
    return _isatty(_fileno(stdin)) != 0;
}

bool stdout_is_terminal() {
    return _isatty(_fileno(stdout)) != 0;
}

int stderr_columns() {
    CONSOLE_SCREEN_BUFFER_INFO info;
    if (GetConsoleScreenBufferInfo(GetStdHandle(STD_ERROR_HANDLE), &info)) {
        return info.srWindow.Right - info.srWindow.Left + 1;
    }
    return 80;
}

}  // namespace stigmer::platform
