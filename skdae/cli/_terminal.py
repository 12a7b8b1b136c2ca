"""Output to the terminal: skorch's epoch table without colours when piped."""

import contextlib
import re
import sys


class _StripANSI:
    """A text stream writing to ``stream`` without ANSI colour codes."""

    _CODES = re.compile(r"\x1b\[[0-9;]*m")

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        return self._stream.write(self._CODES.sub("", text))

    def flush(self):
        self._stream.flush()

    def isatty(self):
        return False


def plain_stdout():
    """skorch colours its epoch table; no colours when stdout is no terminal."""
    if sys.stdout.isatty():
        return contextlib.nullcontext()
    return contextlib.redirect_stdout(_StripANSI(sys.stdout))
