#include "supervise/supervisor.h"

#include <algorithm>
#include <utility>

#include "platform/pipe_read.h"
#include "supervise/line_splitter.h"
#include "util/error.h"

namespace stigmer::supervise {

namespace {
constexpr std::size_t kTailLines = 40;
// What is read of an ended child's pipe at most: a group member that escaped the kill and
// keeps writing must not hold the loop.
constexpr std::size_t kLeftoverBytes = 1024 * 1024;
using Clock = std::chrono::steady_clock;

std::string seconds_text(std::chrono::milliseconds delay) {
    const double seconds = static_cast<double>(delay.count()) / 1000.0;
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1fs", seconds);
    return buffer;
}

// A refusing component's reason: its last line, without the "NAME: error: " it starts with.
std::string refusal_reason(const std::deque<std::string>& tail, const std::string& name,
                           const platform::ExitStatus& exit) {
    if (tail.empty()) return "exited (" + exit.describe() + ")";
    const std::string prefix = name + ": error: ";
    const std::string& line = tail.back();
    return line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : line;
}
}  // namespace

struct Supervisor::Runtime {
    ComponentSpec spec;
    ComponentStatus status;
    std::optional<platform::ChildProcess> child;
    std::unique_ptr<LineSplitter> output;  // while the child's pipe is watched
    std::shared_ptr<RotatingLog> log;
    std::deque<std::string> tail;
    bool reported_ready = false;
    Clock::time_point launched_at{};
    Clock::time_point next_start{};
    RestartPolicy policy;
    // While replace() starts a new spec: the one to start again if it does not get ready.
    std::optional<ComponentSpec> previous;
    bool planned_restart = false;  // dependents keep running until it is ready (or failed)

    Runtime(ComponentSpec s, const RestartPolicySettings& restart)
        : spec(std::move(s)), policy(restart) {}
};

Supervisor::Supervisor(std::vector<ComponentSpec> specs, SupervisorSettings settings,
                       platform::EventLoop& loop)
    : settings_(std::move(settings)), loop_(loop) {
    for (auto& spec : specs) add(std::move(spec));
}

std::shared_ptr<RotatingLog> Supervisor::log_for(const std::string& name) {
    auto& log = logs_[name];
    if (!log) {
        log = std::make_shared<RotatingLog>(settings_.log_directory / (name + ".log"),
                                            settings_.log_max_bytes, settings_.log_kept_files);
    }
    return log;
}

void Supervisor::add(ComponentSpec spec) {
    auto runtime = std::make_unique<Runtime>(std::move(spec), settings_.restart);
    runtime->status.name = runtime->spec.name;
    runtime->status.version = runtime->spec.version;
    runtime->status.instance =
        runtime->spec.instance.empty() ? runtime->spec.name : runtime->spec.instance;
    runtime->status.binary = runtime->spec.spawn.executable;
    runtime->status.ports = runtime->spec.ports;
    runtime->log = log_for(runtime->spec.name);
    components_.push_back(std::move(runtime));
}

bool Supervisor::retire(const std::string& instance, const std::string& why) {
    Runtime* found = nullptr;
    for (auto& c : components_) {
        if (c->status.instance == instance) found = c.get();
    }
    if (!found) return false;
    stop_one(*found, found->spec.stop_grace, why);
    std::erase_if(components_, [&](const auto& c) { return c.get() == found; });
    return true;
}

bool Supervisor::replace(const std::string& instance, ComponentSpec spec, const std::string& why) {
    Runtime* found = nullptr;
    for (auto& c : components_) {
        if (c->status.instance == instance) found = c.get();
    }
    if (!found) return false;
    found->planned_restart = true;
    stop_one(*found, found->spec.stop_grace, why);
    spec.instance = found->spec.instance;
    auto replaced = std::exchange(found->spec, std::move(spec));
    // Replaced again before it got ready: the one to go back to is still the last that ran.
    if (!found->previous) found->previous = std::move(replaced);
    found->policy = RestartPolicy(settings_.restart);
    found->status.version = found->spec.version;
    found->status.binary = found->spec.spawn.executable;
    found->status.replace_failure.clear();
    found->status.state = ComponentState::kWaiting;
    found->status.detail = why;
    return true;
}

void Supervisor::fall_back(Runtime& component, const std::string& why) {
    const std::string failed_version = component.spec.version;
    component.status.replace_failure = failed_version + ": " + why;
    component.spec = std::move(*component.previous);
    component.previous.reset();
    component.policy = RestartPolicy(settings_.restart);
    component.status.version = component.spec.version;
    component.status.binary = component.spec.spawn.executable;
    component.status.state = ComponentState::kWaiting;
    component.status.detail = "starting " + component.spec.version + " again";
    note(component, "version " + failed_version + " could not start (" + why + "); starting " +
                        component.spec.version + " again");
}

Supervisor::~Supervisor() {
    stop_all();
}

void Supervisor::note(Runtime& component, const std::string& event) {
    // Two runners of different releases during an update: say which one.
    const bool twin = std::count_if(components_.begin(), components_.end(), [&](const auto& c) {
                          return c->spec.name == component.spec.name;
                      }) > 1;
    const std::string label = twin ? component.status.instance : component.spec.name;
    component.log->write_line("stigmer: " + (twin ? label + ": " : "") + event);
    if (settings_.event_log) settings_.event_log(label + ": " + event);
}

bool Supervisor::dependencies_ready(const Runtime& component, std::string* missing,
                                    bool running) const {
    for (const auto& name : component.spec.depends_on) {
        const auto it = std::find_if(components_.begin(), components_.end(),
                                     [&](const auto& c) { return c->spec.name == name; });
        if (it == components_.end()) continue;
        const auto& dependency = **it;
        if (running && dependency.planned_restart) continue;
        if (dependency.status.state != ComponentState::kReady) {
            if (missing) *missing = name;
            return false;
        }
    }
    return true;
}

void Supervisor::launch(Runtime& component) {
    component.reported_ready = false;
    component.tail.clear();
    try {
        component.child = platform::ChildProcess::spawn(component.spec.spawn);
    } catch (const Error& error) {
        if (component.previous) {
            fall_back(component, error.message());
            return;
        }
        component.planned_restart = false;
        component.status.state = ComponentState::kFailed;
        component.status.detail = error.message();
        component.status.pid = 0;
        note(component, "cannot start: " + error.message());
        return;
    }
    component.launched_at = Clock::now();
    component.status.state = ComponentState::kStarting;
    component.status.pid = component.child->pid();
    component.status.started_at = std::chrono::system_clock::now();
    component.status.detail = component.spec.waiting_for;
    Runtime* target = &component;
    component.output = std::make_unique<LineSplitter>(
        [this, target](const std::string& line) { on_line(*target, line); });
    loop_.watch_output(
        component.child->output_handle(),
        [target](std::string_view chunk) { target->output->feed(chunk); },
        [target] { target->output->finish(); });
    note(component, "started (pid " + std::to_string(component.child->pid()) + ")");
}

void Supervisor::on_line(Runtime& component, const std::string& line) {
    component.log->write_line(line);
    component.tail.push_back(line);
    if (component.tail.size() > kTailLines) component.tail.pop_front();
    if (!component.spec.ready_marker.empty() &&
        line.find(component.spec.ready_marker) != std::string::npos) {
        component.reported_ready = true;
    }
}

void Supervisor::close_output(Runtime& component) {
    if (!component.output || !component.child) return;
    const auto pipe = component.child->output_handle();
    std::string chunk;
    std::size_t read = 0;
    while (read < kLeftoverBytes && platform::read_pipe(pipe, std::chrono::milliseconds(0),
                                                        chunk) == platform::PipeReadResult::kData) {
        read += chunk.size();
        component.output->feed(chunk);
        chunk.clear();
    }
    loop_.unwatch(pipe);
    component.output->finish();
    component.output.reset();
}

void Supervisor::handle_exit(Runtime& component, const platform::ExitStatus& exit) {
    // poll() has killed whatever the process left in its group.
    close_output(component);
    component.child.reset();
    component.status.pid = 0;
    component.status.last_exit = exit.describe();
    component.status.restarts += 1;
    if (component.previous) {  // a replacement that never got ready: the previous one again
        fall_back(component, "exited (" + exit.describe() + ")");
        return;
    }
    const auto& refused = component.spec.refused_exit_code;
    if (refused && !exit.signaled && exit.value == *refused) {
        component.planned_restart = false;
        component.status.state = ComponentState::kFailed;
        component.status.refused = true;
        component.status.detail = refusal_reason(component.tail, component.spec.name, exit);
        note(component, "refused its settings: " + component.status.detail);
        return;
    }
    const auto run_time =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - component.launched_at);
    const auto delay = component.policy.on_exit(run_time);
    if (!delay) {
        component.planned_restart = false;
        component.status.state = ComponentState::kFailed;
        component.status.detail = "exited " + std::to_string(component.policy.quick_failures()) +
                                  " times in a row soon after starting (last: " + exit.describe() +
                                  ")";
        note(component, "failed: " + component.status.detail);
        return;
    }
    component.status.state = ComponentState::kBackoff;
    component.next_start = Clock::now() + *delay;
    component.status.detail =
        "exited (" + exit.describe() + "); restarting in " + seconds_text(*delay);
    note(component, component.status.detail);
}

void Supervisor::stop_one(Runtime& component, std::chrono::milliseconds grace,
                          const std::string& why) {
    if (!component.child) return;
    component.status.state = ComponentState::kStopping;
    component.status.detail = why;
    note(component, "stopping (" + why + ")");
    component.child->terminate_group();
    const auto deadline = Clock::now() + grace;
    std::optional<platform::ExitStatus> exit;
    // Meanwhile the children's output is still read: one that blocks on a full pipe would
    // not get to exit. A child's exit wakes the wait (SIGCHLD).
    while (!(exit = component.child->poll()) && Clock::now() < deadline) {
        loop_.run_once(std::chrono::milliseconds(50), true);
    }
    if (!exit) {
        note(component, "did not stop within " + seconds_text(grace) + "; killing it");
        component.child->kill_group();
        while (!(exit = component.child->poll())) {
            loop_.run_once(std::chrono::milliseconds(20), true);
        }
    }
    close_output(component);  // poll() has killed the helpers it left behind
    component.child.reset();
    component.status.pid = 0;
    component.status.last_exit = exit->describe();
    component.status.state = ComponentState::kStopped;
    component.status.detail = why;
    note(component, "stopped (" + exit->describe() + ")");
}

void Supervisor::tick() {
    for (auto& holder : components_) {
        Runtime& component = *holder;
        if (stopping_) return;
        const auto state = component.status.state;
        const auto now = Clock::now();

        if (state == ComponentState::kWaiting || state == ComponentState::kBackoff) {
            if (state == ComponentState::kBackoff && now < component.next_start) continue;
            std::string missing;
            if (!dependencies_ready(component, &missing)) {
                if (state == ComponentState::kWaiting)
                    component.status.detail = "waiting for " + missing;
                continue;
            }
            launch(component);
            continue;
        }
        if (state != ComponentState::kStarting && state != ComponentState::kReady) continue;

        if (auto exit = component.child->poll()) {
            handle_exit(component, *exit);
            continue;
        }
        std::string missing;
        if (!dependencies_ready(component, &missing, true)) {
            stop_one(component, std::chrono::seconds(5), missing + " is not ready");
            component.status.state = ComponentState::kWaiting;
            component.status.detail = "waiting for " + missing;
            continue;
        }
        if (state == ComponentState::kStarting) {
            if (now - component.launched_at > component.spec.start_timeout) {
                const std::string why =
                    "not ready after " + seconds_text(component.spec.start_timeout);
                stop_one(component, std::chrono::seconds(5), why);
                if (component.previous) {
                    fall_back(component, why);
                    continue;
                }
                component.planned_restart = false;
                component.status.state = ComponentState::kFailed;
                component.status.detail = why + " (" + component.spec.waiting_for + ")";
                continue;
            }
            const bool marker_ok = component.spec.ready_marker.empty() || component.reported_ready;
            if (!marker_ok) continue;
            const bool ready = !component.spec.ready_check || component.spec.ready_check();
            if (ready && component.status.state == ComponentState::kStarting) {
                component.status.state = ComponentState::kReady;
                component.status.detail.clear();
                component.previous.reset();
                component.planned_restart = false;
                note(component, "ready");
            }
        }
    }
}

void Supervisor::stop_all() {
    stopping_ = true;
    // Dependents first: a component is stopped before anything it depends on.
    std::vector<Runtime*> order;
    for (auto& c : components_) order.push_back(c.get());
    std::reverse(order.begin(), order.end());
    for (Runtime* component : order) {
        stop_one(*component, component->spec.stop_grace, "the stack is stopping");
        component->status.state = ComponentState::kStopped;
    }
}

std::vector<ComponentStatus> Supervisor::status() const {
    std::vector<ComponentStatus> result;
    for (const auto& c : components_) {
        ComponentStatus s = c->status;
        s.last_lines.assign(c->tail.begin(), c->tail.end());
        result.push_back(std::move(s));
    }
    return result;
}

bool Supervisor::settled() const {
    return std::all_of(components_.begin(), components_.end(), [](const auto& c) {
        const auto state = c->status.state;
        return state == ComponentState::kReady || state == ComponentState::kFailed ||
               state == ComponentState::kStopped;
    });
}

bool Supervisor::all_ready() const {
    return std::all_of(components_.begin(), components_.end(),
                       [](const auto& c) { return c->status.state == ComponentState::kReady; });
}

bool Supervisor::any_failed() const {
    return std::any_of(components_.begin(), components_.end(),
                       [](const auto& c) { return c->status.state == ComponentState::kFailed; });
}

std::vector<int> Supervisor::process_groups() const {
    std::vector<int> groups;
    for (const auto& c : components_) {
        if (c->status.pid > 0) groups.push_back(c->status.pid);
    }
    return groups;
}

}  // namespace stigmer::supervise
