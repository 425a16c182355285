#pragma once

#include <string>

namespace stigmer::platform {

// A process's command line, arguments separated by spaces; empty if it cannot be read (gone,
// or a system that does not tell). Used to make sure a recorded pid is still ours.
std::string process_command_line(int pid);

}  // namespace stigmer::platform
