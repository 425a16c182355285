#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace stigmer::platform {

// How a process ended.
struct ExitStatus {
    bool signaled = false;  // killed by a signal (POSIX) rather than exiting
    int value = 0;          // exit code, or the signal number when `signaled`

    bool success() const { return !signaled && value == 0; }
    std::string describe() const;  // "exit code 3", "killed by signal 9 (SIGKILL)"
};

struct SpawnRequest {
    std::filesystem::path executable;
    std::vector<std::string> arguments;       // argv[1..]
    std::vector<std::string> environment;     // complete environment, "NAME=value"
    std::filesystem::path working_directory;  // empty: inherit
};

// A supervised child: it leads a process group of its own (so a stop reaches the helpers it
// starts too), its stdout and stderr arrive together on one pipe, and on Linux it is killed
// when the process that started it dies, even by SIGKILL.
class ChildProcess {
  public:
    // Throws Error naming the executable when it cannot be started (missing, not executable).
    static ChildProcess spawn(const SpawnRequest& request);

    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&& other) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();  // closes the pipe; never kills (stopping is an explicit decision)

    int pid() const { return pid_; }

    // Read end of the combined output pipe; end-of-file once the process group closed it.
    std::intptr_t output_handle() const { return output_; }

    // The exit status if the process has ended, nullopt while it runs. Once it has ended,
    // whatever it left running in its group is killed, then it is reaped.
    std::optional<ExitStatus> poll();

    // Asks the whole group to stop (SIGTERM), or forces it (SIGKILL).
    void terminate_group() const;
    void kill_group() const;

  private:
    ChildProcess(int pid, std::intptr_t output) : pid_(pid), output_(output) {}
    int pid_ = -1;
    std::intptr_t output_ = -1;
    std::optional<ExitStatus> exit_;
};

// Whether a process with this id exists (a zombie counts until it is reaped).
bool process_exists(int pid);

// Asks one process to stop (SIGTERM), or forces it (SIGKILL); false if there was none.
bool terminate_process(int pid);
bool kill_process(int pid);

// Signals a whole process group; false if there was nothing to signal.
bool terminate_process_group(int group_id);
bool kill_process_group(int group_id);

// This process's id.
int current_process_id();

// This process's environment as "NAME=value" entries.
std::vector<std::string> current_environment();

}  // namespace stigmer::platform
