#include <gtest/gtest.h>

#include "commands/stack_status_view.h"

using stigmer::commands::format_duration;
using stigmer::commands::render_stack_status;

TEST(StackStatusView, FormatsDurations) {
    EXPECT_EQ(format_duration(42), "42s");
    EXPECT_EQ(format_duration(190), "3m10s");
    EXPECT_EQ(format_duration(7500), "2h05m");
}

TEST(StackStatusView, ShowsEveryComponentAndNoSecrets) {
    const auto status = nlohmann::json::parse(R"({
      "ok": true,
      "daemon": {"pid": 10, "home": "/h", "release": "1.2.3", "uptime_seconds": 65},
      "temporal": {"external": false, "ui_url": "http://127.0.0.1:8233", "address": "127.0.0.1:7233",
                   "api_key": "tcld-SECRET-temporal-cloud-key"},
      "components": [
        {"name": "temporal", "state": "ready", "version": "1.5.1", "pid": 11, "uptime_seconds": 60,
         "restarts": 0, "ports": {"grpc": 7233, "ui": 8233}, "binary": "/h/bin/temporal", "detail": ""},
        {"name": "agent-runner", "state": "failed", "version": "1.2.3", "pid": 0, "restarts": 6,
         "ports": {}, "binary": "/h/bin/agent-runner", "detail": "exited 6 times", "last_exit": "exit code 2",
         "env": {"STIGMER_LLM_PROVIDER": "anthropic",
                 "ANTHROPIC_API_KEY": "sk-ant-api03-SECRETSECRETSECRET"}}
      ]})");
    const auto text = render_stack_status(status);
    // What the daemon knows of the agent-runner's environment or Temporal Cloud never shows.
    EXPECT_EQ(text.find("SECRET"), std::string::npos) << text;
    EXPECT_EQ(text.find("API_KEY"), std::string::npos) << text;
    EXPECT_NE(text.find("pid 10"), std::string::npos);
    EXPECT_NE(text.find("release 1.2.3"), std::string::npos);
    EXPECT_NE(text.find("grpc 7233, ui 8233"), std::string::npos);
    EXPECT_NE(text.find("agent-runner: exited 6 times"), std::string::npos);
    EXPECT_NE(text.find("last exit: exit code 2"), std::string::npos);
    EXPECT_NE(text.find("http://127.0.0.1:8233"), std::string::npos);
    EXPECT_NE(text.find("/h/bin/agent-runner"), std::string::npos);
}

TEST(StackStatusView, ShowsWhichRunnerIsCurrentAndWhatTheOtherStillRuns) {
    const auto status = nlohmann::json::parse(R"({
      "daemon": {"pid": 10, "home": "/h", "release": "1.1.0", "uptime_seconds": 65},
      "temporal": {"external": false, "ui_url": "http://127.0.0.1:8233"},
      "components": [
        {"name": "agent-runner", "state": "ready", "version": "1.0.0", "pid": 12, "restarts": 0,
         "ports": {}, "release": "1.0.0", "role": "draining", "open_executions": 2},
        {"name": "agent-runner", "state": "ready", "version": "1.1.0", "pid": 13, "restarts": 0,
         "ports": {}, "release": "1.1.0", "role": "current", "open_executions": null}
      ]})");
    const auto text = render_stack_status(status);
    EXPECT_NE(text.find("ready, draining 1.0.0 (2 open)"), std::string::npos) << text;
    EXPECT_NE(text.find("ready, current 1.1.0"), std::string::npos) << text;
}

TEST(StackStatusView, OneRunnerNeedsNoRole) {
    const auto status = nlohmann::json::parse(R"({
      "daemon": {"pid": 10, "home": "/h", "release": "1.1.0", "uptime_seconds": 65},
      "temporal": {"external": false, "ui_url": "http://127.0.0.1:8233"},
      "components": [
        {"name": "agent-runner", "state": "ready", "version": "1.1.0", "pid": 13, "restarts": 0,
         "ports": {}, "release": "1.1.0", "role": "current", "open_executions": null}
      ]})");
    EXPECT_EQ(render_stack_status(status).find("current"), std::string::npos);
}
