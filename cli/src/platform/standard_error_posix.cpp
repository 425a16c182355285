#include <unistd.h>

#include "platform/standard_error.h"

namespace stigmer::platform {

void redirect_standard_error(std::FILE* file) {
    std::fflush(stderr);
    ::dup2(::fileno(file), STDERR_FILENO);
}

}  // namespace stigmer::platform
