#include "store/layout.h"

namespace stigmer::store {

std::filesystem::path Layout::launcher(const platform::Platform& platform,
                                       const std::string& component) const {
    return bin_dir() / platform::executable_name(platform, component);
}

std::optional<std::string> Layout::release_holding(const std::filesystem::path& file) const {
    // Canonical on both sides: the daemon may name the home through a symlink.
    std::error_code ec;
    const auto versions = std::filesystem::weakly_canonical(versions_dir(), ec);
    if (ec) return std::nullopt;
    const auto inside = std::filesystem::weakly_canonical(file, ec).lexically_relative(versions);
    if (ec || inside.empty()) return std::nullopt;
    auto part = inside.begin();
    if (part == inside.end() || *part == ".." || *part == ".") return std::nullopt;
    if (++part == inside.end() || part->empty()) return std::nullopt;
    return part->string();
}

}  // namespace stigmer::store
