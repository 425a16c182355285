#include "commands/stack_status_view.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace stigmer::commands {

std::string format_duration(long long seconds) {
    if (seconds < 60) return std::to_string(seconds) + "s";
    if (seconds < 3600)
        return std::to_string(seconds / 60) + "m" + std::to_string(seconds % 60) + "s";
    const long long minutes = (seconds % 3600) / 60;
    return std::to_string(seconds / 3600) + "h" + (minutes < 10 ? "0" : "") +
           std::to_string(minutes) + "m";
}

namespace {

// During a rolling update two releases' runners run: say which is current and what the other
// still has to finish.
std::string state_text(const nlohmann::json& component, int runners) {
    std::string text = component.value("state", "");
    const std::string role = component.value("role", "");
    if (runners < 2 || role.empty()) return text;
    text += ", " + role + " " + component.value("release", "");
    const auto open = component.value("open_executions", nlohmann::json());
    if (role == "draining" && open.is_number())
        text += " (" + std::to_string(open.get<long>()) + " open)";
    return text;
}

}  // namespace

std::string render_stack_status(const nlohmann::json& status) {
    const auto& daemon = status["daemon"];
    std::ostringstream out;
    out << "stigmer daemon: pid " << daemon.value("pid", 0) << ", up "
        << format_duration(daemon.value("uptime_seconds", 0LL)) << ", release "
        << daemon.value("release", "") << ", home " << daemon.value("home", "") << "\n";

    int runners = 0;
    for (const auto& c : status["components"]) runners += c.contains("role") ? 1 : 0;
    std::vector<std::vector<std::string>> rows{
        {"COMPONENT", "STATE", "VERSION", "PID", "UPTIME", "RESTARTS", "PORTS"}};
    for (const auto& c : status["components"]) {
        std::string ports;
        for (const auto& [name, port] : c["ports"].items()) {
            if (!ports.empty()) ports += ", ";
            ports += name + " " + std::to_string(port.get<int>());
        }
        const int pid = c.value("pid", 0);
        rows.push_back({c.value("name", ""), state_text(c, runners), c.value("version", ""),
                        pid > 0 ? std::to_string(pid) : "-",
                        pid > 0 ? format_duration(c.value("uptime_seconds", 0LL)) : "-",
                        std::to_string(c.value("restarts", 0)), ports.empty() ? "-" : ports});
    }
    std::vector<std::size_t> widths(rows[0].size(), 0);
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
        }
        out << "  " << line << "\n";
    }
    for (const auto& c : status["components"]) {
        const std::string detail = c.value("detail", "");
        const std::string last_exit = c.value("last_exit", "");
        if (!detail.empty()) out << "  " << c.value("name", "") << ": " << detail << "\n";
        if (c.value("state", "") == "failed" && !last_exit.empty()) {
            out << "  " << c.value("name", "") << " last exit: " << last_exit << "\n";
        }
    }
    const auto& temporal = status["temporal"];
    if (temporal.value("external", false)) {
        out << "Temporal: external cluster " << temporal.value("address", "") << ", namespace "
            << temporal.value("namespace", "") << ", task queue "
            << temporal.value("task_queue", "") << "\n";
    } else {
        out << "Temporal UI: " << temporal.value("ui_url", "") << "\n";
    }
    out << "binaries:\n";
    for (const auto& c : status["components"]) {
        out << "  " << c.value("name", "") << ": " << c.value("binary", "") << "\n";
    }
    return out.str();
}

}  // namespace stigmer::commands
