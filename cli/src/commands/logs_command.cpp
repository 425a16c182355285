#include "commands/logs_command.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "daemon/run_paths.h"
#include "platform/stop_signals.h"
#include "platform/terminal.h"
#include "supervise/log_files.h"
#include "util/error.h"

namespace stigmer::commands {
namespace {

struct LogsFlags {
    bool all = false;
    std::vector<std::string> components;
    bool follow = false;
    std::size_t lines = 50;
};

// The daemon's own log is "stigmer"; components are whatever has a log file.
std::vector<std::string> known_logs(const std::filesystem::path& log_dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(log_dir, ec)) {
        const auto name = entry.path().filename().string();
        if (entry.path().extension() == ".log" && name != "daemon.log")
            names.push_back(entry.path().stem().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::filesystem::path log_file(const daemon::RunPaths& paths, const std::string& name) {
    return name == "stigmer" ? paths.daemon_log : paths.log_dir / (name + ".log");
}

class LinePrinter {
  public:
    LinePrinter(bool prefixed, std::size_t width)
        : prefixed_(prefixed),
          width_(width),
          colour_(platform::stdout_is_terminal() && std::getenv("NO_COLOR") == nullptr) {}

    void print(const supervise::LogLine& line) {
        if (!prefixed_) {
            std::cout << (line.stamp.empty() ? "" : line.stamp + " ") << line.text << '\n';
            return;
        }
        std::string prefix = line.component +
                             std::string(width_ - std::min(width_, line.component.size()), ' ') +
                             " | ";
        if (colour_) prefix = colour_for(line.component) + prefix + "\033[0m";
        std::cout << prefix << (line.stamp.empty() ? "" : line.stamp + " ") << line.text << '\n';
    }

  private:
    static std::string colour_for(const std::string& component) {
        static const char* colours[] = {"\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m"};
        std::size_t hash = 0;
        for (char c : component) hash = hash * 31 + static_cast<unsigned char>(c);
        return colours[hash % (sizeof colours / sizeof colours[0])];
    }

    bool prefixed_;
    std::size_t width_;
    bool colour_;
};

void run_logs(GlobalOptions& options, const LogsFlags& flags) {
    Context context(options);
    const daemon::RunPaths paths(context.settings().home);
    const auto available = known_logs(paths.log_dir);

    std::vector<std::string> selected;
    if (flags.all) {
        selected = {"stigmer"};
        selected.insert(selected.end(), available.begin(), available.end());
    } else if (!flags.components.empty()) {
        for (const auto& name : flags.components) {
            if (name != "stigmer" &&
                std::find(available.begin(), available.end(), name) == available.end()) {
                std::string known = "stigmer";
                for (const auto& a : available) known += ", " + a;
                throw Error(ExitCode::kUsage, "no log for component '" + name + "'",
                            paths.log_dir.string(), "choose one of: " + known);
            }
            selected.push_back(name);
        }
    } else {
        selected = {"stigmer"};
    }
    std::error_code ec;
    if (!std::filesystem::exists(paths.log_dir, ec)) {
        throw Error(ExitCode::kNotRunning, "there are no logs yet", paths.log_dir.string(),
                    "start the stack with 'stigmer server start'");
    }

    std::size_t width = 0;
    for (const auto& name : selected) width = std::max(width, name.size());
    LinePrinter printer(selected.size() > 1, width);
    // With the daemon's log, the supervisor's events are its lines: not again from a component's.
    const bool with_daemon_log = selected.size() > 1 && std::find(selected.begin(), selected.end(),
                                                                  "stigmer") != selected.end();
    const auto shown = [&](std::vector<supervise::LogLine> lines) {
        if (with_daemon_log) std::erase_if(lines, supervise::repeats_a_daemon_event);
        return lines;
    };

    std::vector<std::vector<supervise::LogLine>> tails;
    for (const auto& name : selected)
        tails.push_back(shown(supervise::tail_log(log_file(paths, name), name, flags.lines)));
    auto merged = supervise::merge_in_time_order(tails);
    if (merged.size() > flags.lines)
        merged.erase(merged.begin(), merged.end() - static_cast<long>(flags.lines));
    for (const auto& line : merged) printer.print(line);
    std::cout.flush();
    if (!flags.follow) return;

    platform::install_stop_signal_handlers();
    std::vector<supervise::LogFollower> followers;
    for (const auto& name : selected) followers.emplace_back(log_file(paths, name), name);
    while (!platform::stop_signal_received()) {
        std::vector<std::vector<supervise::LogLine>> fresh;
        for (auto& follower : followers) fresh.push_back(shown(follower.read_new()));
        for (const auto& line : supervise::merge_in_time_order(fresh)) printer.print(line);
        std::cout.flush();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

}  // namespace

void add_logs_command(CLI::App& server, GlobalOptions& options, std::function<void()>& action) {
    static LogsFlags flags;
    auto* logs = server.add_subcommand("logs", "Show the logs of the daemon and its components");
    logs->add_flag("--all", flags.all,
                   "every component, merged in time order with a prefix per component");
    logs->add_option("-c,--component", flags.components,
                     "a component's log: temporal, agent-runner, stigmer (the daemon)");
    logs->add_flag("-f,--follow", flags.follow,
                   "keep printing new lines (across log rotation) until Ctrl-C");
    logs->add_option("-n,--lines", flags.lines, "how many of the last lines to show (default 50)");
    logs->footer("Colours on a terminal; NO_COLOR turns them off.");
    logs->callback([&] { action = [&] { run_logs(options, flags); }; });
}

}  // namespace stigmer::commands
