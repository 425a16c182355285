#include <gtest/gtest.h>

#include <fstream>

#include "config/stack_config.h"
#include "daemon/stack_plan.h"
#include "test_support.h"
#include "util/error.h"

using namespace stigmer;
using stigmer::testing::TempDir;

namespace {

config::EnvironmentLookup no_environment() {
    return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

std::filesystem::path write_config(const TempDir& dir, const std::string& text) {
    const auto path = dir.path() / "config.toml";
    std::ofstream(path) << text;
    return path;
}

std::string value_of(const std::vector<std::string>& env, const std::string& name) {
    for (const auto& entry : env) {
        if (entry.rfind(name + "=", 0) == 0) return entry.substr(name.size() + 1);
    }
    return "<unset>";
}

}  // namespace

TEST(StackConfig, DefaultsWithoutAFile) {
    TempDir dir;
    const auto config = config::load_stack_config(dir.path() / "config.toml", {}, no_environment());
    EXPECT_FALSE(config.temporal.external);
    EXPECT_EQ(config.temporal.grpc_address(), "127.0.0.1:7233");
    EXPECT_EQ(config.temporal.http_api_url(), "http://127.0.0.1:7243");
    EXPECT_EQ(config.temporal.ui_port, 8233);
    EXPECT_EQ(config.temporal.task_queue, "agent_execution_runner");
    EXPECT_EQ(config.agent_runner.shutdown_grace_seconds, 30);
    EXPECT_EQ(config.agent.max_model_calls, 0);
    EXPECT_TRUE(config.agent.approve.empty());
}

TEST(StackConfig, FileThenFlagsThenEnvironment) {
    TempDir dir;
    const auto path = write_config(dir, R"(
[temporal]
grpc_port = 17233
ui_port = 18233
http_port = 17243
namespace = "agents"

[agent_runner]
max_concurrency = 4

[agent_runner.env]
STIGMER_LLM_PROVIDER = "openai"

[agent]
max_model_calls = 500
approve = ["write_file", "edit_file"]
)");
    config::StackOverrides flags;
    flags.ui_port = 19233;
    const auto config = config::load_stack_config(
        path, flags, [](const std::string& name) -> std::optional<std::string> {
            if (name == "TEMPORAL_API_KEY") return "secret-key";
            return std::nullopt;
        });
    EXPECT_EQ(config.temporal.grpc_port, 17233);
    EXPECT_EQ(config.temporal.ui_port, 19233);
    EXPECT_EQ(config.temporal.name_space, "agents");
    EXPECT_EQ(config.temporal.api_key, "secret-key");
    EXPECT_EQ(config.agent_runner.max_concurrency, 4);
    EXPECT_EQ(config.agent_runner.env.at("STIGMER_LLM_PROVIDER"), "openai");
    EXPECT_EQ(config.agent.max_model_calls, 500);
    EXPECT_EQ(config.agent.approve, (std::vector<std::string>{"write_file", "edit_file"}));
}

TEST(StackConfig, ExternalClusterNeedsAnAddress) {
    TempDir dir;
    const auto path = write_config(dir, "[temporal]\nmode = \"external\"\n");
    try {
        config::load_stack_config(path, {}, no_environment());
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::kUsage);
        EXPECT_NE(error.message().find("[temporal] address"), std::string::npos);
        EXPECT_NE(error.message().find(path.string()), std::string::npos);
    }
}

TEST(StackConfig, AnAddressFlagSelectsAnExternalCluster) {
    TempDir dir;
    config::StackOverrides flags;
    flags.temporal_address = "temporal.internal:7233";
    const auto config =
        config::load_stack_config(dir.path() / "config.toml", flags, no_environment());
    EXPECT_TRUE(config.temporal.external);
    EXPECT_EQ(config.temporal.grpc_address(), "temporal.internal:7233");
}

TEST(StackConfig, RejectsBadValuesNamingTheKey) {
    TempDir dir;
    for (const auto* text :
         {"[temporal]\ngrpc_port = 70000\n", "[temporal]\nmode = \"cloud\"\n",
          "[temporal]\ngrpc_port = 1\nui_port = 1\n", "[temporal]\ntls_cert = \"/c.pem\"\n",
          "[agent_runner.env]\nX = 3\n", "[agent]\nmax_model_calls = -1\n",
          "[agent]\napprove = \"write_file\"\n", "[agent]\napprove = [1]\n", "not toml ["}) {
        const auto path = write_config(dir, text);
        EXPECT_THROW(config::load_stack_config(path, {}, no_environment()), Error) << text;
    }
}

TEST(StackConfig, AMissingTlsFileIsNamedByItsKey) {
    TempDir dir;
    const auto cert = dir.path() / "client.pem";
    std::ofstream(cert) << "certificate";
    const auto path = write_config(dir,
                                   "[temporal]\nmode = \"external\"\naddress = \"c:7233\"\n"
                                   "tls_cert = \"" +
                                       cert.string() + "\"\ntls_key = \"" +
                                       (dir.path() / "gone.key").string() + "\"\n");
    try {
        config::load_stack_config(path, {}, no_environment());
        FAIL() << "a missing key file was accepted";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("[temporal] tls_key"), std::string::npos)
            << error.what();
        EXPECT_NE(std::string(error.what()).find("gone.key"), std::string::npos) << error.what();
    }
}

TEST(AgentRunnerEnvironment, PassesTheClusterTlsSettings) {
    config::StackConfig config;
    config.temporal.external = true;
    config.temporal.address = "127.0.0.1:7233";
    config.temporal.tls_cert = "/etc/stigmer/client.pem";
    config.temporal.tls_key = "/etc/stigmer/client.key";
    config.temporal.tls_ca = "/etc/stigmer/ca.pem";
    config.temporal.tls_server_name = "temporal.internal";
    const auto env = daemon::agent_runner_environment(config, {}, "/w", "");
    EXPECT_EQ(value_of(env, "TEMPORAL_TLS_CERT"), "/etc/stigmer/client.pem");
    EXPECT_EQ(value_of(env, "TEMPORAL_TLS_KEY"), "/etc/stigmer/client.key");
    EXPECT_EQ(value_of(env, "TEMPORAL_TLS_CA"), "/etc/stigmer/ca.pem");
    EXPECT_EQ(value_of(env, "TEMPORAL_TLS_SERVER_NAME"), "temporal.internal");
    const auto endpoint = daemon::temporal_endpoint(config.temporal);
    EXPECT_EQ(endpoint.tls.ca, "/etc/stigmer/ca.pem");
    EXPECT_EQ(endpoint.tls.server_name, "temporal.internal");
}

TEST(AgentRunnerEnvironment, CarriesTheContractAndKeepsPythonSettingsOut) {
    config::StackConfig config;
    config.temporal.grpc_port = 17233;
    config.temporal.task_queue = "q1";
    config.agent_runner.env = {{"STIGMER_LLM_PROVIDER", "ollama"},
                               {"OLLAMA_BASE_URL", "http://from-config"},
                               {"TEMPORAL_NAMESPACE", "not-allowed"}};
    const std::vector<std::string> daemon_env = {"PATH=/usr/bin",
                                                 "OLLAMA_BASE_URL=http://from-environment",
                                                 "PYTHONPATH=/home/u/src",
                                                 "PYTHONHOME=/opt/py",
                                                 "VIRTUAL_ENV=/home/u/.venv",
                                                 "TEMPORAL_SERVICE_ADDRESS=elsewhere:1",
                                                 "ANTHROPIC_API_KEY=sk-test"};
    const auto env =
        daemon::agent_runner_environment(config, daemon_env, "/home/u/.stigmer/data/workspaces");
    EXPECT_EQ(value_of(env, "TEMPORAL_SERVICE_ADDRESS"), "127.0.0.1:17233");
    EXPECT_EQ(value_of(env, "TEMPORAL_NAMESPACE"), "default");
    EXPECT_EQ(value_of(env, "TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE"), "q1");
    EXPECT_EQ(value_of(env, "STIGMER_LLM_PROVIDER"), "ollama");
    EXPECT_EQ(value_of(env, "OLLAMA_BASE_URL"), "http://from-environment");
    EXPECT_EQ(value_of(env, "ANTHROPIC_API_KEY"), "sk-test");
    EXPECT_EQ(value_of(env, "STIGMER_LOG_FORMAT"), "plain");
    EXPECT_EQ(value_of(env, "STIGMER_WORKSPACE_ROOT"), "/home/u/.stigmer/data/workspaces");
    EXPECT_EQ(value_of(env, "PYTHONPATH"), "<unset>");
    EXPECT_EQ(value_of(env, "PYTHONHOME"), "<unset>");
    EXPECT_EQ(value_of(env, "VIRTUAL_ENV"), "<unset>");
}

TEST(StackPlan, RunsTemporalThenAgentRunnerLocally) {
    config::StackConfig config;
    std::map<std::string, daemon::PlannedBinary> binaries = {
        {"temporal", {"temporal", "1.5.1", "/h/versions/temporal/1.0.0/temporal"}},
        {"agent-runner", {"agent-runner", "1.0.0", "/h/versions/agent-runner/1.0.0/agent-runner"}}};
    const auto plan = daemon::plan_stack(config, binaries, "/h", {"PATH=/usr/bin"}, "1.0.0");
    ASSERT_EQ(plan.size(), 2u);
    EXPECT_EQ(plan[0].name, "temporal");
    const auto& args = plan[0].spawn.arguments;
    EXPECT_EQ(args[0], "server");
    EXPECT_EQ(args[1], "start-dev");
    EXPECT_NE(std::find(args.begin(), args.end(), "/h/data/temporal.db"), args.end());
    EXPECT_NE(std::find(args.begin(), args.end(), "system.enableActivityEagerExecution=true"),
              args.end());
    EXPECT_EQ(plan[0].ports.at("grpc"), 7233);
    EXPECT_EQ(plan[1].name, "agent-runner");
    EXPECT_EQ(plan[1].depends_on, std::vector<std::string>{"temporal"});
    EXPECT_EQ(plan[1].ready_marker, daemon::kAgentRunnerReadyMarker);
    EXPECT_EQ(plan[1].stop_grace, std::chrono::seconds(35));
}

TEST(StackPlan, TemporalGetsNoneOfTheAgentsCredentials) {
    config::StackConfig config;
    std::map<std::string, daemon::PlannedBinary> binaries = {
        {"temporal", {"temporal", "1.5.1", "/h/temporal"}},
        {"agent-runner", {"agent-runner", "1.0.0", "/h/agent-runner"}}};
    const std::vector<std::string> daemon_env = {"PATH=/usr/bin",
                                                 "HOME=/home/u",
                                                 "ANTHROPIC_API_KEY=sk-ant",
                                                 "OPENAI_API_KEY=sk-oai",
                                                 "STIGMER_LLM_API_KEY=sk-llm",
                                                 "GITHUB_TOKEN=ghp",
                                                 "AWS_SECRET_ACCESS_KEY=aws"};
    const auto plan = daemon::plan_stack(config, binaries, "/h", daemon_env, "1.0.0");
    ASSERT_EQ(plan.size(), 2u);
    const auto& temporal_env = plan[0].spawn.environment;
    EXPECT_EQ(temporal_env, (std::vector<std::string>{"PATH=/usr/bin", "HOME=/home/u"}));
    EXPECT_EQ(value_of(plan[1].spawn.environment, "ANTHROPIC_API_KEY"), "sk-ant");
    EXPECT_EQ(value_of(plan[1].spawn.environment, "STIGMER_LLM_API_KEY"), "sk-llm");
}

TEST(StackPlan, AnExternalClusterRunsOnlyAgentRunner) {
    config::StackConfig config;
    config.temporal.external = true;
    config.temporal.address = "my-ns.acct.tmprl.cloud:7233";
    config.temporal.api_key = "key";
    std::map<std::string, daemon::PlannedBinary> binaries = {
        {"agent-runner", {"agent-runner", "1.0.0", "/h/agent-runner"}}};
    const auto plan = daemon::plan_stack(config, binaries, "/h", {}, "1.0.0");
    ASSERT_EQ(plan.size(), 1u);
    EXPECT_TRUE(plan[0].depends_on.empty());
    EXPECT_EQ(value_of(plan[0].spawn.environment, "TEMPORAL_SERVICE_ADDRESS"),
              "my-ns.acct.tmprl.cloud:7233");
    EXPECT_EQ(value_of(plan[0].spawn.environment, "TEMPORAL_API_KEY"), "key");
    // No HTTP API to make a version current: the runner is not versioned.
    EXPECT_EQ(value_of(plan[0].spawn.environment, "TEMPORAL_DEPLOYMENT_NAME"), "<unset>");
}

TEST(StackPlan, EachReleasesRunnerIsABuildOfTheStacksDeployment) {
    config::StackConfig config;
    const daemon::PlannedBinary binary{"agent-runner", "0.9.0", "/h/agent-runner"};
    auto runner = daemon::plan_agent_runner(config, binary, "/h", {}, "1.4.0");
    EXPECT_EQ(value_of(runner.spawn.environment, "TEMPORAL_DEPLOYMENT_NAME"), "stigmer");
    EXPECT_EQ(value_of(runner.spawn.environment, "TEMPORAL_WORKER_BUILD_ID"), "1.4.0");
    // The caller cannot move it (a stale variable in the user's shell).
    runner =
        daemon::plan_agent_runner(config, binary, "/h", {"TEMPORAL_WORKER_BUILD_ID=x"}, "1.4.0");
    EXPECT_EQ(value_of(runner.spawn.environment, "TEMPORAL_WORKER_BUILD_ID"), "1.4.0");
    config.temporal.deployment = "";
    runner = daemon::plan_agent_runner(config, binary, "/h", {}, "1.4.0");
    EXPECT_EQ(value_of(runner.spawn.environment, "TEMPORAL_DEPLOYMENT_NAME"), "<unset>");
    EXPECT_FALSE(daemon::uses_worker_versioning(config));
}

TEST(StackPlan, TheRunnersTemporaryFilesGoUnderTheHomeNotTheSystemsTempDirectory) {
    config::StackConfig config;
    const daemon::PlannedBinary binary{"agent-runner", "1.0.0", "/h/agent-runner"};
    const auto runner =
        daemon::plan_agent_runner(config, binary, "/h", {"TMPDIR=/tmp", "TEMP=/tmp"}, "1.0.0");
    const auto expected = (std::filesystem::path("/h") / "tmp").string();
    for (const char* name : {"TMPDIR", "TMP", "TEMP"})
        EXPECT_EQ(value_of(runner.spawn.environment, name), expected) << name;
}

TEST(StackPlan, AMissingComponentIsAClearError) {
    config::StackConfig config;
    EXPECT_THROW(daemon::plan_stack(config, {}, "/h", {}, "1.0.0"), Error);
}
