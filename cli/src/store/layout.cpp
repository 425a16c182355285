#include "store/layout.h"

namespace stigmer::store {

std::filesystem::path Layout::launcher(const platform::Platform& platform,
                                       const std::string& component) const {
    return bin_dir() / platform::executable_name(platform, component);
}

}  // namespace stigmer::store
