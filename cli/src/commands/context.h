#pragma once

#include <optional>
#include <string>

#include "config/settings.h"
#include "release/http_client.h"
#include "release/release_source.h"
#include "store/release_store.h"
#include "util/console.h"

namespace stigmer::commands {

// Flags every command accepts.
struct GlobalOptions {
    std::optional<std::string> home;
    std::optional<std::string> releases_url;
    std::optional<std::string> platform;  // hidden, for tests: "os-arch"
    bool quiet = false;
    bool json = false;
};

// What a command needs: resolved settings, the console, and factories for the store and network.
class Context {
  public:
    explicit Context(const GlobalOptions& options);

    const config::Settings& settings() const { return settings_; }
    const Console& console() const { return console_; }
    store::ReleaseStore& store() { return store_; }
    release::HttpClient& http() { return http_; }
    release::ReleaseSource& source() { return source_; }

  private:
    config::Settings settings_;
    Console console_;
    store::ReleaseStore store_;
    release::HttpClient http_;
    release::ReleaseSource source_;
};

}  // namespace stigmer::commands
