"""The error a command shows as one line on stderr."""


class CLIError(Exception):
    """An error shown to the user as one line, exit code 1."""
