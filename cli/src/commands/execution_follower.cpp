#include "commands/execution_follower.h"

#include <iostream>
#include <set>
#include <thread>

#include "commands/ids.h"
#include "commands/step_lines.h"
#include "platform/stop_signals.h"
#include "platform/terminal.h"
#include "util/error.h"

namespace stigmer::commands {
namespace {

using Clock = std::chrono::steady_clock;

// Steps are read this often: a step shows about 50 ms after the worker recorded it.
constexpr std::chrono::milliseconds kPollInterval{100};
// A query waits for a worker; while none answers (a restart), the live line says so instead.
constexpr std::chrono::milliseconds kQueryTimeout{2000};
// A turn's outcome is in the thread's history, read this many polls apart.
constexpr int kPollsPerHistoryRead = 5;

// Lists the result leaves empty come through Temporal's HTTP API as null: scripts get [].
void normalise_result(nlohmann::json& result) {
    for (const char* list : {"tool_calls", "files"}) {
        if (result.contains(list) && result[list].is_null()) result[list] = nlohmann::json::array();
    }
}

class Follower {
  public:
    Follower(const temporal::HttpApi& api, const FollowTarget& target, const FollowOptions& options,
             const Console& console)
        : api_(api),
          target_(target),
          options_(options),
          console_(console),
          live_line_(console.show_progress() && !options.events),
          began_(Clock::now()) {}

    void run() {
        platform::install_stop_signal_handlers();
        for (int poll = 0;; ++poll) {
            handle_interrupts();
            read_steps();
            if (!cancelling_) answer_approvals();
            std::optional<temporal::WorkflowOutcome> outcome;
            if (target_.turn_id.empty()) {
                outcome = run_outcome();
            } else if (poll % kPollsPerHistoryRead == 0) {
                outcome = turn_outcome();
            }
            if (outcome) {
                if (steps_readable_) read_steps();  // the last steps, recorded with the close
                finish(*outcome);
                return;
            }
            if (Clock::now() - began_ > options_.timeout) {
                clear_live_line();
                throw Error(ExitCode::kFailure,
                            "stopped following the execution after " +
                                std::to_string(options_.timeout.count()) + " s",
                            target_.workflow_id,
                            "it goes on; follow it with 'stigmer run --attach " +
                                target_.workflow_id + "'");
            }
            draw_live_line();
            std::this_thread::sleep_for(kPollInterval);
        }
    }

  private:
    void handle_interrupts() {
        const int count = platform::stop_signal_count();
        if (count >= 2) {
            clear_live_line();
            throw Error(ExitCode::kCancelled, "stopped waiting for the cancellation to finish",
                        target_.workflow_id, "see where it ended with 'stigmer runs'");
        }
        if (count == 1 && !cancelling_) {
            cancelling_ = true;
            clear_live_line();
            if (target_.turn_id.empty()) {
                api_.cancel_workflow(target_.workflow_id, target_.run_id, "Ctrl-C in stigmer run");
            } else {
                // A turn is an update of the thread's workflow: the thread cancels the turn
                // alone and goes on without it.
                api_.signal_workflow(target_.workflow_id, "CancelTurn", target_.turn_id);
            }
            console_.status(
                "cancelling " +
                (target_.turn_id.empty() ? target_.workflow_id : "turn " + target_.turn_id) +
                " (Ctrl-C again stops waiting; 'stigmer run --detach' leaves an "
                "execution running)");
        }
    }

    void read_steps() {
        if (!steps_readable_) return;
        nlohmann::json view;
        try {
            view = api_.query_workflow(target_.workflow_id, target_.run_id, "Steps",
                                       {{"after", offset_}}, kQueryTimeout);
        } catch (const Error& error) {
            if (error.code() == ExitCode::kFailure) {
                // An agent-runner without the Steps query: only the outcome can be shown.
                steps_readable_ = false;
                console_.status(
                    "note: this agent-runner does not report steps; waiting for the answer");
                return;
            }
            if (error.code() == ExitCode::kNotAvailable && !seen_any_) throw;
            waiting_ = error.code() == ExitCode::kNetwork
                           ? "waiting for agent-runner (the execution is kept)"
                           : "waiting for Temporal (the execution is kept)";
            return;
        }
        waiting_.clear();
        seen_any_ = true;
        const std::string run_id = view.value("run_id", "");
        if (!run_id_.empty() && run_id != run_id_) offset_ = 0;  // a thread continued as new
        run_id_ = run_id;
        for (const auto& step : view.value("steps", nlohmann::json::array())) {
            if (!target_.turn_id.empty() && step.value("turn", "") != target_.turn_id) continue;
            show(step);
        }
        offset_ = view.value("next", offset_);
        waiting_for_approval_ = view.value("waiting_for_approval", nlohmann::json::array());
    }

    void show(const nlohmann::json& step) {
        last_step_ = step;
        if (options_.events) {
            std::cout << step.dump() << std::endl;
            return;
        }
        const std::string line = describe_step(step);
        if (line.empty()) return;
        clear_live_line();
        console_.status(line);
    }

    void answer_approvals() {
        for (const auto& waiting : waiting_for_approval_) {
            const std::string call_id = waiting.value("call_id", "");
            if (handled_.count(call_id)) continue;
            handled_.insert(call_id);
            const std::string call =
                waiting.value("tool", "") + "(" + waiting.value("args", "") + ")";
            if (!options_.ask_approvals) {
                clear_live_line();
                console_.status("waiting for approval of " + call +
                                ": answer with 'stigmer approve " + target_.workflow_id +
                                "' or 'stigmer deny " + target_.workflow_id + "'");
                continue;
            }
            clear_live_line();
            std::cerr << "allow " << call << "? [y/N] " << std::flush;
            std::string answer;
            if (!std::getline(std::cin, answer)) {
                std::cin.clear();
                std::cerr << '\n';
                if (platform::stop_signal_received()) return;  // Ctrl-C: cancel instead
                console_.status("no answer on the terminal; answer with 'stigmer approve " +
                                target_.workflow_id + "' or 'stigmer deny " + target_.workflow_id +
                                "'");
                continue;
            }
            const bool approve = answer == "y" || answer == "Y" || answer == "yes";
            const auto outcome =
                api_.update_workflow(target_.workflow_id, "Decide", new_id("stigmer-decision-"),
                                     {{"approve", approve},
                                      {"call_id", call_id},
                                      {"reason", approve ? "" : "denied at the terminal"}});
            if (!outcome.completed()) console_.status("not recorded: " + outcome.failure);
        }
    }

    std::optional<temporal::WorkflowOutcome> run_outcome() {
        std::optional<temporal::ExecutionSummary> summary;
        try {
            summary = api_.describe_workflow(target_.workflow_id, target_.run_id);
        } catch (const Error& error) {
            if (error.code() != ExitCode::kNetwork) throw;
            waiting_ = "Temporal is not answering; waiting (the execution is kept)";
            return std::nullopt;
        }
        if (!summary) {
            throw Error(ExitCode::kNotAvailable, "no execution " + target_.workflow_id,
                        target_.workflow_id, "list executions with 'stigmer runs'");
        }
        if (target_.run_id.empty()) target_.run_id = summary->run_id;
        if (summary->status == "running") return std::nullopt;
        return temporal::HttpApi::outcome_of(api_.history(target_.workflow_id, target_.run_id));
    }

    std::optional<temporal::WorkflowOutcome> turn_outcome() {
        std::vector<nlohmann::json> events;
        try {
            events = api_.history(target_.workflow_id, target_.run_id);
        } catch (const Error& error) {
            if (error.code() != ExitCode::kNetwork) throw;
            waiting_ = "Temporal is not answering; waiting (the execution is kept)";
            return std::nullopt;
        }
        auto outcome = temporal::HttpApi::update_outcome_of(events, target_.turn_id);
        if (!outcome) {
            if (auto closed = temporal::HttpApi::outcome_of(events)) {
                outcome = closed;
                outcome->status = "failed";
                outcome->failure = "the thread's workflow ended (" + closed->status +
                                   ") before the turn completed; run the turn again";
            }
        }
        return outcome;
    }

    void finish(temporal::WorkflowOutcome& outcome) {
        clear_live_line();
        if (!outcome.completed()) {
            if (options_.json || options_.events) {
                nlohmann::json document = {{"workflow_id", target_.workflow_id},
                                           {"status", outcome.status},
                                           {"error", outcome.failure}};
                if (options_.events) document["kind"] = "end";
                std::cout << (options_.events ? document.dump() : document.dump(2)) << std::endl;
            }
            // A cancelled run ends as canceled; a cancelled turn fails, its thread going on.
            if (outcome.status == "canceled" || (cancelling_ && !target_.turn_id.empty())) {
                if (!target_.turn_id.empty()) {
                    throw Error(ExitCode::kCancelled, "the turn was cancelled", target_.workflow_id,
                                "the thread goes on without it");
                }
                throw Error(ExitCode::kCancelled, "the agent execution was cancelled",
                            target_.workflow_id,
                            "its steps so far: 'stigmer run --attach " + target_.workflow_id + "'");
            }
            throw Error(ExitCode::kFailure,
                        "the agent execution " + outcome.status + ": " + outcome.failure,
                        target_.workflow_id, "see 'stigmer server logs -c agent-runner'");
        }
        normalise_result(outcome.result);
        nlohmann::json document = outcome.result;
        document["workflow_id"] = target_.workflow_id;
        if (!target_.turn_id.empty()) document["turn_id"] = target_.turn_id;
        if (options_.events) {
            document["kind"] = "result";
            std::cout << document.dump() << std::endl;
        } else if (options_.json) {
            std::cout << document.dump(2) << '\n';
        } else {
            std::cout << outcome.result.value("answer", "") << '\n';
            report_files(outcome.result);
        }
    }

    // The files the agent left (its workspace), on stderr: stdout holds only the answer.
    void report_files(const nlohmann::json& result) const {
        const auto files = result.value("files", nlohmann::json::array());
        if (!files.is_array() || files.empty()) return;
        std::string line = "files:";
        for (const auto& file : files) {
            line += " " + file.value("path", "?") + " (" + std::to_string(file.value("size", 0LL)) +
                    " bytes)";
        }
        console_.status(line);
    }

    void draw_live_line() {
        const std::string what = !waiting_.empty()      ? waiting_
                                 : cancelling_          ? "cancelling"
                                 : last_step_.is_null() ? "waiting for the first step"
                                                        : waiting_after(last_step_);
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - began_).count();
        if (live_line_) {
            std::cerr << "\r\033[K" << what << " (" << elapsed << "s)" << std::flush;
            drawn_ = true;
        } else if (!waiting_.empty() && waiting_ != last_waiting_) {
            console_.status(waiting_);
        }
        last_waiting_ = waiting_;
    }

    void clear_live_line() {
        if (drawn_) std::cerr << "\r\033[K" << std::flush;
        drawn_ = false;
    }

    const temporal::HttpApi& api_;
    FollowTarget target_;
    const FollowOptions& options_;
    const Console& console_;
    const bool live_line_;
    const Clock::time_point began_;
    long long offset_ = 0;
    std::string run_id_;
    bool steps_readable_ = true;
    bool seen_any_ = false;
    bool cancelling_ = false;
    bool drawn_ = false;
    std::string waiting_;
    std::string last_waiting_;
    nlohmann::json last_step_;
    nlohmann::json waiting_for_approval_ = nlohmann::json::array();
    std::set<std::string> handled_;
};

}  // namespace

void follow_execution(const temporal::HttpApi& api, const FollowTarget& target,
                      const FollowOptions& options, const Console& console) {
    Follower(api, target, options, console).run();
}

}  // namespace stigmer::commands
