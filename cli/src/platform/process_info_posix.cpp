#include <fstream>
#include <iterator>

#include "platform/process_info.h"

namespace stigmer::platform {

std::string process_command_line(int pid) {
#ifdef __linux__
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (char& c : raw) {
        if (c == '\0') c = ' ';
    }
    while (!raw.empty() && raw.back() == ' ') raw.pop_back();
    return raw;
#else
    (void)pid;
    return {};
#endif
}

}  // namespace stigmer::platform
