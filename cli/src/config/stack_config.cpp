#include "config/stack_config.h"

#include "config/config_file.h"
#include "util/error.h"

namespace stigmer::config {
namespace {

class ConfigReader {
  public:
    ConfigReader(const toml::table& root, std::filesystem::path file)
        : root_(root), file_(std::move(file)) {}

    void read_string(const char* table, const char* key, std::string& out) const {
        if (const auto* node = find(table, key)) {
            auto value = node->value<std::string>();
            if (!value) fail(table, key, "must be a string");
            out = *value;
        }
    }

    void read_port(const char* table, const char* key, int& out) const {
        if (const auto* node = find(table, key)) {
            auto value = node->value<int64_t>();
            if (!value || *value < 1 || *value > 65535)
                fail(table, key, "must be a port number from 1 to 65535");
            out = static_cast<int>(*value);
        }
    }

    void read_count(const char* table, const char* key, int& out) const {
        if (const auto* node = find(table, key)) {
            auto value = node->value<int64_t>();
            if (!value || *value < 0 || *value > 100000)
                fail(table, key, "must be a whole number >= 0");
            out = static_cast<int>(*value);
        }
    }

    void read_strings(const char* table, const char* key, std::vector<std::string>& out) const {
        if (const auto* node = find(table, key)) {
            const auto* list = node->as_array();
            if (!list) fail(table, key, "must be a list of strings, e.g. [\"write_file\"]");
            out.clear();
            for (const auto& item : *list) {
                auto text = item.value<std::string>();
                if (!text) fail(table, key, "must be a list of strings, e.g. [\"write_file\"]");
                out.push_back(*text);
            }
        }
    }

    void read_env(std::map<std::string, std::string>& out) const {
        const auto* node = root_.at_path("agent_runner.env").as_table();
        if (!node) return;
        for (const auto& [key, value] : *node) {
            auto text = value.value<std::string>();
            if (!text) fail("agent_runner.env", std::string(key.str()).c_str(), "must be a string");
            out[std::string(key.str())] = *text;
        }
    }

    const toml::node* find(const char* table, const char* key) const {
        return root_.at_path(std::string(table) + "." + key).node();
    }

    [[noreturn]] void fail(const char* table, const char* key, const std::string& problem) const {
        throw_config_value_error(file_, std::string("[") + table + "] " + key, problem);
    }

  private:
    const toml::table& root_;
    std::filesystem::path file_;
};

}  // namespace

std::string TemporalSettings::grpc_address() const {
    return external ? address : host + ":" + std::to_string(grpc_port);
}

std::string TemporalSettings::http_api_url() const {
    if (external) return http_url;
    return "http://" + host + ":" + std::to_string(http_port);
}

StackConfig load_stack_config(const std::filesystem::path& config_file,
                              const StackOverrides& overrides,
                              const EnvironmentLookup& environment) {
    const toml::table root = read_config_file(config_file);
    const ConfigReader reader(root, config_file);
    StackConfig config;
    auto& t = config.temporal;

    std::string mode = "local";
    reader.read_string("temporal", "mode", mode);
    if (mode != "local" && mode != "external")
        reader.fail("temporal", "mode", "must be \"local\" or \"external\"");
    t.external = mode == "external";
    reader.read_port("temporal", "grpc_port", t.grpc_port);
    reader.read_port("temporal", "ui_port", t.ui_port);
    reader.read_port("temporal", "http_port", t.http_port);
    reader.read_string("temporal", "address", t.address);
    reader.read_string("temporal", "http_url", t.http_url);
    reader.read_string("temporal", "namespace", t.name_space);
    reader.read_string("temporal", "task_queue", t.task_queue);
    reader.read_string("temporal", "tls_cert", t.tls_cert);
    reader.read_string("temporal", "tls_key", t.tls_key);
    reader.read_string("temporal", "tls_ca", t.tls_ca);
    reader.read_string("temporal", "tls_server_name", t.tls_server_name);
    reader.read_string("temporal", "api_key", t.api_key);
    reader.read_string("temporal", "deployment", t.deployment);
    reader.read_count("agent_runner", "max_concurrency", config.agent_runner.max_concurrency);
    reader.read_count("agent_runner", "shutdown_grace_seconds",
                      config.agent_runner.shutdown_grace_seconds);
    reader.read_count("agent_runner", "drain_limit_seconds",
                      config.agent_runner.drain_limit_seconds);
    reader.read_env(config.agent_runner.env);
    reader.read_count("agent", "max_model_calls", config.agent.max_model_calls);
    reader.read_strings("agent", "approve", config.agent.approve);
    config.updates = load_update_config(config_file);

    if (auto key = environment("TEMPORAL_API_KEY")) t.api_key = *key;
    if (overrides.grpc_port) t.grpc_port = *overrides.grpc_port;
    if (overrides.ui_port) t.ui_port = *overrides.ui_port;
    if (overrides.http_port) t.http_port = *overrides.http_port;
    if (overrides.temporal_address) {
        t.external = true;
        t.address = *overrides.temporal_address;
    }
    if (overrides.name_space) t.name_space = *overrides.name_space;
    if (overrides.task_queue) t.task_queue = *overrides.task_queue;

    if (t.external && t.address.empty()) {
        reader.fail("temporal", "address", "is required when mode = \"external\"");
    }
    if (t.tls_cert.empty() != t.tls_key.empty()) {
        reader.fail("temporal", "tls_cert", "and tls_key must be given together");
    }
    // A missing certificate, key or CA file is named here, at start, rather than as a TLS
    // failure of agent-runner or of `stigmer run` later.
    for (const auto& [key, file] :
         {std::pair<const char*, const std::string&>{"tls_cert", t.tls_cert},
          {"tls_key", t.tls_key},
          {"tls_ca", t.tls_ca}}) {
        std::error_code error;
        if (!file.empty() && !std::filesystem::is_regular_file(file, error)) {
            reader.fail("temporal", key, file + " is not a readable file");
        }
    }
    if (!t.external) {
        if (t.grpc_port == t.ui_port || t.grpc_port == t.http_port || t.ui_port == t.http_port) {
            reader.fail("temporal", "grpc_port",
                        "ui_port and http_port must be three different ports");
        }
    }
    return config;
}

}  // namespace stigmer::config
