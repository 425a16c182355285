#pragma once

#include <cstdio>

namespace stigmer::platform {

// Makes this process's standard error write to `file` from now on: the daemon's stderr follows
// daemon.log when that is rotated, so what a library prints there is not lost in an old file.
void redirect_standard_error(std::FILE* file);

}  // namespace stigmer::platform
