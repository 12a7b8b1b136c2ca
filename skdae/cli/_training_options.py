"""The training options shared by ``skdae demo`` and ``skdae train``.

``--epochs``, ``--batch-size``, ``--lr``, ``--validation-fraction``, ``--seed``
and ``--quiet``, and the fit itself: the estimator's messages name the
command's flags instead of its parameters.
"""

import re
import sys
import time

from ._arguments import SEED_MAX, positive_int, real, seed_int
from ._errors import CLIError
from ._terminal import plain_stdout

#: The estimator's parameter names in its messages, as the commands' flags.
FLAGS = {
    "max_epochs": "--epochs",
    "batch_size": "--batch-size",
    "validation_fraction": "--validation-fraction",
}


def add_training_arguments(parser, *, epochs_help, batch_help, validation_help):
    """Add ``--epochs``, ``--batch-size``, ``--lr`` and ``--validation-fraction``."""
    parser.add_argument("--epochs", type=positive_int, default=20, help=epochs_help)
    parser.add_argument("--batch-size", type=positive_int, default=20, help=batch_help)
    parser.add_argument(
        "--lr", type=real(low=0, low_open=True), default=1e-3, help="Adam's step size"
    )
    parser.add_argument(
        "--validation-fraction",
        type=real(low=0, low_open=True, high=1, high_open=True),
        default=None,
        help=validation_help,
    )


def add_seed_argument(parser, *, seeds, note=""):
    """Add ``--seed``: the seed of ``seeds`` (e.g. "initialisation and noise")."""
    parser.add_argument(
        "--seed",
        type=seed_int,
        default=0,
        help=f"seed of {seeds} (0 to {SEED_MAX}){note}",
    )


def add_quiet_argument(parser, *, help):
    """Add ``--quiet``: no epoch table or progress bar."""
    parser.add_argument("--quiet", action="store_true", help=help)


def verbosity(quiet):
    """The estimator's ``verbose``: a progress bar only on a terminal."""
    return 0 if quiet else (2 if sys.stderr.isatty() else 1)


def with_flags(message, flags=FLAGS):
    """``message`` with the estimator's parameter names as the flags."""
    for name, flag in flags.items():
        message = re.sub(rf"\b{name}\b", flag, message)
    return message


def fit(dae, X, flags=FLAGS):
    """Fit ``dae`` on ``X``; returns the seconds taken.

    Raises
    ------
    CLIError
        For the estimator's ValueError, its message naming the flags.
    """
    start = time.perf_counter()
    try:
        with plain_stdout():
            dae.fit(X)
    except ValueError as exc:
        raise CLIError(with_flags(str(exc), flags)) from None
    return time.perf_counter() - start
