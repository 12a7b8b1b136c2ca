"""The ``skdae`` command: ``skdae demo`` runs the reference experiment, ``skdae
train`` trains a model on image files, ``skdae denoise`` applies a saved model to
image files and .npy arrays.

Every argument is checked before any work starts (before data is loaded, a
model is read or a folder is created). Exit codes: 0 on success; 2 for bad
command-line usage (argparse's code: an unknown option, a value out of range);
1 when data, a model or an input cannot be found or read, an output cannot be
written, or a step fails; 130 when interrupted. Every failure is one line on
stderr, never a traceback.

The module imports neither PyTorch nor scikit-learn at import time, so that
``skdae --help`` and ``skdae --version`` answer at once.

Each subcommand is a module with ``add_parser(subparsers, formatter_class)``,
which adds its options and sets ``run(args, parser)``: ``_demo``, ``_train``
and ``_denoise``. Shared by the subcommands: ``_arguments`` (option types, help
formatter), ``_paths`` (checking files and folders up front), ``_device_option``,
``_datasets``, ``_noise_options``, ``_image_files``, ``_terminal`` and
``_errors`` (:class:`CLIError`, shown as one line).
"""

import argparse
import sys

from .. import __version__
from . import _demo, _denoise, _train
from ._arguments import HelpFormatter
from ._errors import CLIError

__all__ = ["main"]

#: The subcommands, in the order ``skdae --help`` lists them.
_SUBCOMMANDS = (_demo, _train, _denoise)


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skdae",
        description="Denoising autoencoders as scikit-learn estimators.",
    )
    parser.add_argument("--version", action="version", version=f"skdae {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in _SUBCOMMANDS:
        command.add_parser(sub, HelpFormatter)
    return parser


def _one_line(message):
    return " ".join(str(message).split())


def main(argv=None):
    """Entry point of the ``skdae`` command; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args, args.subparser)
    except CLIError as exc:
        print(f"skdae {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"skdae {args.command}: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print(f"skdae {args.command}: error: out of memory", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: still one line, with what went wrong
        print(
            f"skdae {args.command}: error: unexpected {type(exc).__name__}: "
            f"{_one_line(exc)} (please report this)",
            file=sys.stderr,
        )
        return 1
