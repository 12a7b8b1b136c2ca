"""Argument types of the commands' options, and their help formatter.

Each type is an argparse ``type=`` function: a value it refuses is a usage error
(exit code 2) naming the option, the value and the valid range.
"""

import argparse
import math

SEED_MAX = 2**32 - 1  # the largest seed NumPy's RandomState accepts


def _integer(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def int_at_least(minimum):
    def parse(text):
        value = _integer(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}; got {value}")
        return value

    parse.__name__ = "integer"
    return parse


def seed_int(text):
    value = _integer(text)
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(
            f"must be between 0 and {SEED_MAX} (2**32 - 1); got {value}"
        )
    return value


def real(*, low, low_open, high=math.inf, high_open=True):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        too_low = value <= low if low_open else value < low
        too_high = value >= high if high_open else value > high
        if not math.isfinite(value) or too_low or too_high:
            left = "(" if low_open else "["
            right = ")" if high_open else "]"
            raise argparse.ArgumentTypeError(
                f"must be in {left}{low:g}, {high:g}{right}; got {text}"
            )
        return value

    parse.__name__ = "number"
    return parse


positive_int = int_at_least(1)


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows defaults, except unset ones and those the help text states."""

    def _get_help_string(self, action):
        if action.default in (None, False) or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)
