"""Errors meant for the person at the console: one line, what is wrong, what to set."""


class StartupError(Exception):
    """A problem that stops the worker from starting, phrased for a user."""

    def __init__(self, problem: str, remedy: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.remedy = remedy

    def one_line(self) -> str:
        return f"{self.problem}; {self.remedy}" if self.remedy else self.problem


class SettingsRefused(StartupError):
    """The cluster refused this runner's settings (its certificate, its namespace), or they
    cannot work: starting again cannot help until someone changes them. Its own exit code
    tells a supervisor not to restart the runner."""
