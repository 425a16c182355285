#pragma once

#include <stdexcept>
#include <string>

namespace stigmer {

// Process exit codes; documented in docs/cli.md.
enum class ExitCode : int {
    kOk = 0,
    kFailure = 1,       // unexpected internal failure
    kUsage = 2,         // bad command line or configuration
    kNetwork = 3,       // download failed (connection, timeout, HTTP error)
    kVerification = 4,  // signature, checksum, size, manifest or archive refused
    kNotAvailable = 5,  // version, component or platform not published / not installed
    kLocalFiles = 6,    // STIGMER_HOME could not be read or written
    kRefused = 7,       // refused by policy (downgrade, insecure URL, CLI too old)
    kNotRunning = 8,    // the stack is not running (status, run, logs)
    // `server update --check`: a newer release is on the channel (not a failure; scripts
    // tell it from 0 = up to date and from the failures above).
    kUpdateAvailable = 10,
    kCancelled = 130,  // the user cancelled (Ctrl-C in `stigmer run`), as shells count SIGINT
};

// A failure the user can act on: what failed, where (URL or file), and what to do.
class Error : public std::runtime_error {
  public:
    Error(ExitCode code, std::string what, std::string where, std::string hint);

    ExitCode code() const { return code_; }
    const std::string& what_failed() const { return what_; }
    const std::string& where() const { return where_; }
    const std::string& hint() const { return hint_; }

    // "<what failed>, <where>; <what to do>"
    std::string message() const;

  private:
    ExitCode code_;
    std::string what_;
    std::string where_;
    std::string hint_;
};

// Ends a command with `code` and no error line: its output already said everything (e.g.
// `server update --check` finding an update).
struct QuietExit {
    ExitCode code;
};

// The one line printed for a failure: "stigmer: error: <message>".
std::string format_error_line(const Error& error);

}  // namespace stigmer
