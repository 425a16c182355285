#include "commands/cli_app.h"

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>

#include "commands/approval_commands.h"
#include "commands/context.h"
#include "commands/run_command.h"
#include "commands/runs_command.h"
#include "commands/server_commands.h"
#include "commands/stack_commands.h"
#include "commands/update_awareness.h"
#include "commands/version_command.h"
#include "util/error.h"

namespace stigmer::commands {

namespace {

constexpr const char* kExamples = R"(Get started:
  stigmer server start                   install the components (first time) and start the stack
  stigmer run "Summarise notes.md"       run an agent, watch its steps, get its answer (Ctrl-C cancels)
  stigmer runs                           recent executions: state, duration, tokens
  stigmer server status                  what runs: versions, pids, ports, readiness
  stigmer server logs --all -f           follow the daemon's and the components' logs
  stigmer server stop                    stop the stack

Updates:
  stigmer server update --check          is there a newer release? (exit 10 if so)
  stigmer server update                  install it and apply it, also to a running stack
  stigmer server rollback                back to the previous version
  stigmer server versions --json         what is installed, for scripts

Environment: STIGMER_HOME, STIGMER_RELEASES_URL, HTTPS_PROXY, NO_PROXY.
Exit codes: 0 ok, 1 internal, 2 usage, 3 network, 4 verification, 5 not available,
6 local files, 7 refused, 8 not running, 10 update available, 130 cancelled
(see docs/cli.md).)";

// The commands after which a newer release is worth a line: the ones users run often.
bool shows_update_notice(const CLI::App& app) {
    if (app.got_subcommand("version")) return true;
    const auto* server = app.get_subcommand("server");
    return server->got_subcommand("start") || server->got_subcommand("status");
}

}  // namespace

int run_cli(int argc, char** argv) {
    GlobalOptions options;
    std::function<void()> action;
    bool show_version = false;

    CLI::App app{"stigmer: a local runtime for AI agents", "stigmer"};
    app.fallthrough();  // global flags are accepted after the subcommand too
    app.footer(kExamples);
    app.add_option("--home", options.home,
                   "state directory (env STIGMER_HOME, default ~/.stigmer)");
    app.add_option("--releases-url", options.releases_url,
                   "release tree base URL (env STIGMER_RELEASES_URL, config.toml releases_url, "
                   "default https://releases.stigmer.ai)");
    app.add_flag("-q,--quiet", options.quiet, "no progress bars or status messages");
    app.add_flag("--json", options.json, "machine-readable output on stdout");
    app.add_flag("--version", show_version, "print the version and exit");
    app.add_option("--platform", options.platform,
                   "development/testing only: act as if running on OS-ARCH")
        ->group("");  // hidden

    add_version_command(app, options, action);
    add_server_commands(app, options, action);
    add_stack_commands(app, *app.get_subcommand("server"), options, action);
    add_run_command(app, options, action);
    add_runs_command(app, options, action);
    add_approval_commands(app, options, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "stigmer: error: " << e.what() << ", command line; run `stigmer --help`\n";
        return static_cast<int>(ExitCode::kUsage);
    }

    try {
        if (show_version) {
            print_version(options);
            print_update_notice(options);
            return 0;
        }
        if (!action) {
            std::cout << app.help();
            return static_cast<int>(ExitCode::kUsage);
        }
        action();
        if (shows_update_notice(app)) print_update_notice(options);
        return 0;
    } catch (const QuietExit& exit) {
        return static_cast<int>(exit.code);
    } catch (const Error& error) {
        std::cerr << format_error_line(error) << '\n';
        return static_cast<int>(error.code());
    } catch (const std::exception& error) {
        std::cerr << "stigmer: error: internal error (" << error.what()
                  << "), stigmer; please report this bug\n";
        return static_cast<int>(ExitCode::kFailure);
    }
}

}  // namespace stigmer::commands
