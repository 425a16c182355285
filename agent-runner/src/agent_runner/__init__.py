"""stigmer agent-runner."""
