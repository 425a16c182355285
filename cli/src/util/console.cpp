#include "util/console.h"

#include <iostream>

namespace stigmer {

Console::Console(bool quiet, bool json, bool stderr_is_terminal)
    : quiet_(quiet), json_(json), stderr_is_terminal_(stderr_is_terminal) {}

void Console::result(const std::string& line) const {
    if (!json_) std::cout << line << '\n';
}

void Console::status(const std::string& line) const {
    if (!quiet_) std::cerr << line << '\n';
}

}  // namespace stigmer
