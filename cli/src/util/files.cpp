#include "util/files.h"

#include <fstream>
#include <sstream>
#include <system_error>

#include "util/error.h"

namespace stigmer {

std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ExitCode::kLocalFiles, "cannot read file", path.string(),
                    "check that it exists and is readable");
    }
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

void create_directories_or_throw(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) {
        throw Error(ExitCode::kLocalFiles, "cannot create directory (" + ec.message() + ")",
                    path.string(),
                    "check permissions on STIGMER_HOME or choose another with --home");
    }
}

void remove_tree_or_throw(const std::filesystem::path& path) {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) {
        throw Error(ExitCode::kLocalFiles, "cannot remove (" + ec.message() + ")", path.string(),
                    "check its permissions and remove it by hand");
    }
}

}  // namespace stigmer
