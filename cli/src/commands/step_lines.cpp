#include "commands/step_lines.h"

namespace stigmer::commands {
namespace {

std::string text(const nlohmann::json& step, const char* key) {
    const auto found = step.find(key);
    if (found == step.end() || found->is_null()) return "";
    return found->is_string() ? found->get<std::string>() : found->dump();
}

long long number(const nlohmann::json& step, const char* key) {
    const auto found = step.find(key);
    return found != step.end() && found->is_number_integer() ? found->get<long long>() : 0;
}

// Built by appending: GCC 12 warns (-Wrestrict, falsely) on "literal" + temporary at -O2.
std::string indented_call(const nlohmann::json& step) {
    std::string line = "  ";
    line += text(step, "tool");
    line += '(';
    line += text(step, "args");
    line += ')';
    return line;
}

}  // namespace

std::string describe_step(const nlohmann::json& step) {
    const std::string kind = text(step, "kind");
    if (kind == "model_call") {
        std::string line = "model call " + std::to_string(number(step, "n")) + ": " +
                           std::to_string(number(step, "tokens")) + " tokens (" +
                           std::to_string(number(step, "total_tokens")) + " so far)";
        const auto tools = step.find("tool_calls");
        if (tools != step.end() && tools->is_array() && !tools->empty()) {
            line += ", calls";
            for (const auto& tool : *tools)
                line += " " + (tool.is_string() ? tool.get<std::string>() : "?");
        } else {
            line += ", answers";
        }
        return line;
    }
    if (kind == "tool_call") return indented_call(step);
    if (kind == "tool_result") {
        const std::string output = text(step, "output");
        const bool ok = !step.contains("ok") || step["ok"] == true;
        std::string line = ok ? "    -> " : "    failed: ";
        line += output.empty() ? "(no output)" : output;
        return line;
    }
    if (kind == "approval_wanted") return indented_call(step) + " waits for approval";
    if (kind == "approval") {
        const bool approved = step.value("approved", false);
        const std::string reason = text(step, "reason");
        std::string line = "  ";
        line += text(step, "tool");
        line += approved ? " approved" : " denied";
        if (!reason.empty()) line += ": " + reason;
        return line;
    }
    return "";
}

std::string waiting_after(const nlohmann::json& step) {
    const std::string kind = text(step, "kind");
    if (kind == "model_call_started") return "model call " + std::to_string(number(step, "n"));
    if (kind == "tool_call") return "running " + text(step, "tool");
    if (kind == "approval_wanted") return "waiting for approval of " + text(step, "tool");
    return "thinking";
}

}  // namespace stigmer::commands
