#include "commands/cli_app.h"

int main(int argc, char** argv) {
    return stigmer::commands::run_cli(argc, argv);
}
