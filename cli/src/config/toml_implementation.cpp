// The one translation unit that compiles toml++'s implementation: every other file includes
// its declarations only (TOML_HEADER_ONLY=0), so the CLI needs no toml++ shared library.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
