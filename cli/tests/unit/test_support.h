#pragma once

#include <filesystem>
#include <string>

#include "util/files.h"

namespace stigmer::testing {

// Fixture files beside the unit tests (made with the minisign tool and the committed dev key).
inline std::filesystem::path data_file(const std::string& name) {
    return std::filesystem::path(STIGMER_TEST_DATA_DIR) / name;
}

inline std::string read_data(const std::string& name) {
    return read_text_file(data_file(name));
}

// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace stigmer::testing
