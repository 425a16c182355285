#include "release/freshness_guard.h"

#include <nlohmann/json.hpp>

#include "platform/file_lock.h"
#include "platform/fs.h"
#include "util/error.h"
#include "util/files.h"
#include "util/rfc3339.h"

namespace stigmer::release {
namespace {

using nlohmann::json;

constexpr int kRecordSchema = 1;

const char* section_of(SignedFileKind kind) {
    return kind == SignedFileKind::kChannel ? "channels" : "manifests";
}

TimePoint instant(const std::string& published_at) {
    const auto point = parse_rfc3339(published_at);
    if (!point) {
        throw Error(ExitCode::kVerification,
                    "published_at '" + published_at + "' is not an RFC 3339 time", "",
                    "the release is malformed; report it to whoever publishes it");
    }
    return *point;
}

// Every timestamp in the record must be one, or the record as a whole is not trusted.
bool is_valid_record(const json& record) {
    if (!record.is_object() || record.value("schema", 0) != kRecordSchema) return false;
    const auto sources = record.find("sources");
    if (sources == record.end() || !sources->is_object()) return false;
    for (const auto& [base_url, source] : sources->items()) {
        if (!source.is_object()) return false;
        for (const auto& [section, entries] : source.items()) {
            if (!entries.is_object()) return false;
            for (const auto& [name, published_at] : entries.items()) {
                if (!published_at.is_string() ||
                    !parse_rfc3339(published_at.get_ref<const std::string&>()))
                    return false;
            }
        }
    }
    return true;
}

std::string refusal_hint(SignedFileKind kind, const std::string& name) {
    const std::string command = kind == SignedFileKind::kChannel
                                    ? "stigmer server update --channel " + name
                                    : "stigmer server install --version " + name;
    return "refused as a possible replay that would freeze or roll back updates; if the "
           "publisher really went back, `" +
           command + " --allow-downgrade` accepts it";
}

}  // namespace

Freshness compare_published(const std::string& published_at, const std::string& newest) {
    const auto candidate = instant(published_at);
    const auto recorded = instant(newest);
    if (candidate > recorded) return Freshness::kNewer;
    if (candidate < recorded) return Freshness::kOlder;
    return Freshness::kSame;
}

FreshnessGuard::FreshnessGuard(std::filesystem::path record_file, std::filesystem::path lock_file,
                               std::function<void(const std::string&)> warn)
    : record_file_(std::move(record_file)),
      lock_file_(std::move(lock_file)),
      warn_(std::move(warn)) {}

void FreshnessGuard::say(const std::string& line) const {
    if (warn_) warn_(line);
}

void FreshnessGuard::admit(const std::string& base_url, SignedFileKind kind,
                           const std::string& name, const std::string& published_at,
                           const std::string& url) const {
    create_directories_or_throw(lock_file_.parent_path());
    const auto lock = platform::FileLock::acquire(lock_file_);

    json record{{"schema", kRecordSchema}, {"sources", json::object()}};
    std::error_code ec;
    if (std::filesystem::exists(record_file_, ec)) {
        std::string why;
        try {
            auto loaded = json::parse(read_text_file(record_file_));
            if (is_valid_record(loaded)) {
                record = std::move(loaded);
            } else {
                why = "not a record this stigmer understands";
            }
        } catch (const json::exception&) {
            why = "not JSON";
        } catch (const std::exception& error) {
            why = error.what();  // could not be read at all
        }
        if (!why.empty()) {
            say("stigmer: the record of verified release files " + record_file_.string() +
                " cannot be read (" + why + "); starting a new one");
        }
    }

    auto& entries = record["sources"][base_url][section_of(kind)];
    if (!entries.is_object()) entries = json::object();
    if (const auto newest = entries.find(name); newest != entries.end()) {
        const auto& recorded = newest->get_ref<const std::string&>();
        switch (compare_published(published_at, recorded)) {
            case Freshness::kSame:
                return;  // the same publication again: nothing to record
            case Freshness::kNewer:
                break;
            case Freshness::kOlder: {
                const std::string what =
                    std::string(kind == SignedFileKind::kChannel ? "channel file" : "manifest") +
                    " published " + published_at + ", older than the " + recorded +
                    " already verified";
                if (!allow_older_) {
                    throw Error(ExitCode::kVerification, what, url, refusal_hint(kind, name));
                }
                say("stigmer: accepting " + url + ": " + what + " (--allow-downgrade)");
                break;
            }
        }
    }
    entries[name] = published_at;
    create_directories_or_throw(record_file_.parent_path());
    platform::write_file_atomically(record_file_, record.dump(2) + "\n");
}

}  // namespace stigmer::release
