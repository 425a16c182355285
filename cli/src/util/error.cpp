#include "util/error.h"

namespace stigmer {

namespace {
std::string compose(const std::string& what, const std::string& where, const std::string& hint) {
    std::string text = what;
    if (!where.empty()) text += ", " + where;
    if (!hint.empty()) text += "; " + hint;
    return text;
}
}  // namespace

Error::Error(ExitCode code, std::string what, std::string where, std::string hint)
    : std::runtime_error(compose(what, where, hint)),
      code_(code),
      what_(std::move(what)),
      where_(std::move(where)),
      hint_(std::move(hint)) {}

std::string Error::message() const {
    return compose(what_, where_, hint_);
}

std::string format_error_line(const Error& error) {
    return "stigmer: error: " + error.message();
}

}  // namespace stigmer
