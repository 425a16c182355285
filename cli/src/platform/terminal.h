#pragma once

namespace stigmer::platform {

// True when stderr is an interactive terminal (progress bars are drawn only then).
bool stderr_is_terminal();

// True when stdin is an interactive terminal (a question may be asked there).
bool stdin_is_terminal();

// True when stdout is an interactive terminal (colours are used only then).
bool stdout_is_terminal();

// Width of the terminal on stderr, or 80 when unknown.
int stderr_columns();

}  // namespace stigmer::platform
