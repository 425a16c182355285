#include "supervise/supervisor.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "util/error.h"

namespace stigmer::supervise {

namespace {
constexpr std::size_t kTailLines = 40;
using Clock = std::chrono::steady_clock;

std::string seconds_text(std::chrono::milliseconds delay) {
    const double seconds = static_cast<double>(delay.count()) / 1000.0;
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1fs", seconds);
    return buffer;
}
}  // namespace

struct Supervisor::Runtime {
    ComponentSpec spec;
    ComponentStatus status;
    std::optional<platform::ChildProcess> child;
    std::unique_ptr<OutputPump> pump;
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

Supervisor::Supervisor(std::vector<ComponentSpec> specs, SupervisorSettings settings)
    : settings_(std::move(settings)) {
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
    std::lock_guard lock(mutex_);
    components_.push_back(std::move(runtime));
}

bool Supervisor::retire(const std::string& instance, const std::string& why) {
    Runtime* found = nullptr;
    {
        std::lock_guard lock(mutex_);
        for (auto& c : components_) {
            if (c->status.instance == instance) found = c.get();
        }
    }
    if (!found) return false;
    stop_one(*found, found->spec.stop_grace, why);
    std::lock_guard lock(mutex_);
    std::erase_if(components_, [&](const auto& c) { return c.get() == found; });
    return true;
}

bool Supervisor::replace(const std::string& instance, ComponentSpec spec, const std::string& why) {
    Runtime* found = nullptr;
    {
        std::lock_guard lock(mutex_);
        for (auto& c : components_) {
            if (c->status.instance == instance) found = c.get();
        }
        if (!found) return false;
        found->planned_restart = true;
    }
    stop_one(*found, found->spec.stop_grace, why);
    std::lock_guard lock(mutex_);
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
    component.pump = std::make_unique<OutputPump>(
        component.child->output_handle(), [this, target](const std::string& line) {
            target->log->write_line(line);
            std::lock_guard lock(mutex_);
            target->tail.push_back(line);
            if (target->tail.size() > kTailLines) target->tail.pop_front();
            if (!target->spec.ready_marker.empty() &&
                line.find(target->spec.ready_marker) != std::string::npos) {
                target->reported_ready = true;
            }
        });
    note(component, "started (pid " + std::to_string(component.child->pid()) + ")");
}

void Supervisor::handle_exit(Runtime& component, const platform::ExitStatus& exit) {
    // Whatever the process left in its group goes with it.
    platform::kill_process_group(component.child->pid());
    component.child.reset();
    component.status.pid = 0;
    component.status.last_exit = exit.describe();
    component.status.restarts += 1;
    if (component.previous) {  // a replacement that never got ready: the previous one again
        fall_back(component, "exited (" + exit.describe() + ")");
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
    {
        std::lock_guard lock(mutex_);
        component.status.state = ComponentState::kStopping;
        component.status.detail = why;
    }
    note(component, "stopping (" + why + ")");
    component.child->terminate_group();
    const auto deadline = Clock::now() + grace;
    std::optional<platform::ExitStatus> exit;
    while (!(exit = component.child->poll()) && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!exit) {
        note(component, "did not stop within " + seconds_text(grace) + "; killing it");
        component.child->kill_group();
        while (!(exit = component.child->poll()))
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    platform::kill_process_group(component.child->pid());  // helpers it left behind
    if (component.pump) component.pump->stop();
    component.pump.reset();
    std::lock_guard lock(mutex_);
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
        std::unique_lock lock(mutex_);
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
            // The pump's handler takes the lock: let it finish before going on.
            auto pump = std::move(component.pump);
            lock.unlock();
            pump.reset();
            lock.lock();
            handle_exit(component, *exit);
            continue;
        }
        std::string missing;
        if (!dependencies_ready(component, &missing, true)) {
            lock.unlock();
            stop_one(component, std::chrono::seconds(5), missing + " is not ready");
            lock.lock();
            component.status.state = ComponentState::kWaiting;
            component.status.detail = "waiting for " + missing;
            continue;
        }
        if (state == ComponentState::kStarting) {
            if (now - component.launched_at > component.spec.start_timeout) {
                const std::string why =
                    "not ready after " + seconds_text(component.spec.start_timeout);
                lock.unlock();
                stop_one(component, std::chrono::seconds(5), why);
                lock.lock();
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
            auto check = component.spec.ready_check;
            lock.unlock();
            const bool ready = !check || check();
            lock.lock();
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
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    // Dependents first: a component is stopped before anything it depends on.
    std::vector<Runtime*> order;
    for (auto& c : components_) order.push_back(c.get());
    std::reverse(order.begin(), order.end());
    for (Runtime* component : order) {
        stop_one(*component, component->spec.stop_grace, "the stack is stopping");
        std::lock_guard lock(mutex_);
        component->status.state = ComponentState::kStopped;
    }
}

std::vector<ComponentStatus> Supervisor::status() const {
    std::lock_guard lock(mutex_);
    std::vector<ComponentStatus> result;
    for (const auto& c : components_) {
        ComponentStatus s = c->status;
        s.last_lines.assign(c->tail.begin(), c->tail.end());
        result.push_back(std::move(s));
    }
    return result;
}

bool Supervisor::all_ready() const {
    std::lock_guard lock(mutex_);
    return std::all_of(components_.begin(), components_.end(),
                       [](const auto& c) { return c->status.state == ComponentState::kReady; });
}

bool Supervisor::any_failed() const {
    std::lock_guard lock(mutex_);
    return std::any_of(components_.begin(), components_.end(),
                       [](const auto& c) { return c->status.state == ComponentState::kFailed; });
}

std::vector<int> Supervisor::process_groups() const {
    std::lock_guard lock(mutex_);
    std::vector<int> groups;
    for (const auto& c : components_) {
        if (c->status.pid > 0) groups.push_back(c->status.pid);
    }
    return groups;
}

}  // namespace stigmer::supervise
