#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

namespace stigmer::platform {

// An exclusive advisory lock on a file, held for the object's lifetime. The kernel releases it if
// the holder dies, so a crashed install never blocks the next one.
class FileLock {
  public:
    // Blocks until the lock is held. If another process holds it, `on_wait` is called once before
    // blocking (to tell the user why nothing happens).
    static FileLock acquire(const std::filesystem::path& path,
                            const std::function<void()>& on_wait = {});

    // Takes the lock only if nobody holds it (never waits).
    static std::optional<FileLock> try_acquire(const std::filesystem::path& path);

    struct Holder {
        bool held = false;
        int pid = 0;  // the holding process where the system names it (Linux); 0 if unknown
    };
    // Who holds the lock, learnt without waiting (a free lock is held for an instant) and without
    // creating the file.
    static Holder holder(const std::filesystem::path& path);

    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&&) = delete;
    FileLock(const FileLock&) = delete;
    ~FileLock();

  private:
    explicit FileLock(std::intptr_t handle) : handle_(handle) {}
    std::intptr_t handle_;
};

}  // namespace stigmer::platform
