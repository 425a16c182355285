#pragma once

#include <filesystem>
#include <string>

namespace stigmer::platform {

// A process's command line, arguments separated by spaces; empty if it cannot be read (gone,
// or a system that does not tell). For showing a process to the user.
std::string process_command_line(int pid);

// The file a process was started from, absolute with symlinks resolved, even if that file has
// since been deleted or replaced; empty if it cannot be read (gone, or not ours to inspect).
std::filesystem::path process_executable(int pid);

// Whether process `pid` runs `executable` (reached by any path): how a recorded pid is known to
// still be ours, pids being reused.
bool process_runs(int pid, const std::filesystem::path& executable);

}  // namespace stigmer::platform
