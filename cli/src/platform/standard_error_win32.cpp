// Not compiled on POSIX.
#include <io.h>

#include "platform/standard_error.h"

namespace stigmer::platform {

void redirect_standard_error(std::FILE* file) {
    std::fflush(stderr);
    _dup2(_fileno(file), _fileno(stderr));
}

}  // namespace stigmer::platform
