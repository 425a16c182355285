#pragma once

namespace stigmer::commands {

// Parses the command line, runs the command, prints any failure as one line; returns the exit
// code (see ExitCode in util/error.h).
int run_cli(int argc, char** argv);

}  // namespace stigmer::commands
