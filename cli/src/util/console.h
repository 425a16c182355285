#pragma once

#include <string>

namespace stigmer {

// Where human-readable messages go: results on stdout, status and progress on stderr. `--quiet`
// silences status and progress; `--json` keeps stdout for the JSON document only.
class Console {
  public:
    Console(bool quiet, bool json, bool stderr_is_terminal);

    void result(const std::string& line) const;  // stdout (not in JSON mode)
    void status(const std::string& line) const;  // stderr (not when quiet)
    bool show_progress() const { return !quiet_ && stderr_is_terminal_; }
    bool quiet() const { return quiet_; }
    bool json() const { return json_; }

  private:
    bool quiet_;
    bool json_;
    bool stderr_is_terminal_;
};

}  // namespace stigmer
