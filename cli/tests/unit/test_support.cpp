#include "test_support.h"

#include <stdlib.h>

#include <stdexcept>

namespace stigmer::testing {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "stigmer-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

}  // namespace stigmer::testing
