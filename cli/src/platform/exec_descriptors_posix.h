#pragma once

// What a forked child does with the descriptors it inherited, before execve (POSIX only).

namespace stigmer::platform {

// Leaves stdin, stdout and stderr, moves `keep` (the pipe that reports a failed execve) to
// descriptor 3 with close-on-exec, and closes every other descriptor: a started process must
// not hold what its parent holds (sockets, other children's pipes, libcurl's socketpair) or
// inherited itself. Returns the new descriptor of `keep`. Async-signal-safe: it runs between
// fork and execve.
int close_descriptors_for_exec(int keep);

}  // namespace stigmer::platform
