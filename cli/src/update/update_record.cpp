#include "update/update_record.h"

#include <nlohmann/json.hpp>

#include "platform/file_lock.h"
#include "platform/fs.h"
#include "util/files.h"

namespace stigmer::update {
namespace {

constexpr int kSchema = 1;

nlohmann::json optional_json(const std::optional<std::string>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// A missing or null field is nullopt; any other type makes the record unreadable.
std::optional<std::string> optional_string(const nlohmann::json& document, const char* key) {
    const auto it = document.find(key);
    if (it == document.end() || it->is_null()) return std::nullopt;
    return it->get<std::string>();
}

}  // namespace

std::filesystem::path update_record_path(const std::filesystem::path& home) {
    return home / kUpdateRecordFile;
}

std::optional<UpdateRecord> load_update_record(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return std::nullopt;
    try {
        const auto document = nlohmann::json::parse(read_text_file(file));
        if (document.at("schema").get<int>() != kSchema) return std::nullopt;
        UpdateRecord record;
        record.checked_at = document.at("checked_at").get<std::int64_t>();
        record.releases_url = document.at("releases_url").get<std::string>();
        record.channel = document.at("channel").get<std::string>();
        record.latest = optional_string(document, "latest");
        record.min_cli_version = optional_string(document, "min_cli_version");
        record.error = optional_string(document, "error");
        record.installed = optional_string(document, "installed");
        record.notice_version = optional_string(document, "notice_version");
        record.notice_shown_at = document.value("notice_shown_at", std::int64_t{0});
        return record;
    } catch (const std::exception&) {
        // Corrupt or written by another version: as if never checked.
        return std::nullopt;
    }
}

void save_update_record(const std::filesystem::path& file, const UpdateRecord& record) {
    const nlohmann::json document{
        {"schema", kSchema},
        {"checked_at", record.checked_at},
        {"releases_url", record.releases_url},
        {"channel", record.channel},
        {"latest", optional_json(record.latest)},
        {"min_cli_version", optional_json(record.min_cli_version)},
        {"error", optional_json(record.error)},
        {"installed", optional_json(record.installed)},
        {"notice_version", optional_json(record.notice_version)},
        {"notice_shown_at", record.notice_shown_at},
    };
    create_directories_or_throw(file.parent_path());
    platform::write_file_atomically(file, document.dump(2) + "\n");
}

void modify_update_record(const std::filesystem::path& home,
                          const std::function<bool(UpdateRecord&)>& change) {
    create_directories_or_throw(home / "locks");
    const auto lock = platform::FileLock::acquire(home / "locks" / "update-check.lock");
    const auto file = update_record_path(home);
    auto record = load_update_record(file).value_or(UpdateRecord{});
    if (change(record)) save_update_record(file, record);
}

}  // namespace stigmer::update
