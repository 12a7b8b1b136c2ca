"""Checks that the commands' input files can be read and their outputs written,
made before any work starts."""

import os
from pathlib import Path

from ._errors import CLIError


def _nearest_existing(path):
    path = Path(os.path.abspath(path))
    while not path.exists():
        path = path.parent
    return path


def _check_creatable(path, what):
    """``path`` does not exist yet: check that it can be created."""
    ancestor = _nearest_existing(path)
    if not ancestor.is_dir():
        raise CLIError(f"{what} {path}: cannot create it, {ancestor} is a file")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise CLIError(f"{what} {path}: cannot create it, {ancestor} is not writable")


def check_output_folder(path, what="--output"):
    path = Path(path)
    if path.exists():
        if not path.is_dir():
            raise CLIError(f"{what} {path} is an existing file, not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise CLIError(f"{what} {path}: the folder is not writable")
    else:
        _check_creatable(path, what)


def check_output_file(path, input_paths, *, what="OUTPUT", force=False, hint=""):
    """``path`` can be written: not a folder, not an input, existing only with force.

    ``hint`` ends the message about an existing file (what else to do).
    """
    path = Path(path)
    if path.is_dir():
        raise CLIError(f"{what} {path} is a folder; give a file name")
    if path.exists():
        for source in input_paths:
            if path.resolve() == Path(source).resolve():
                raise CLIError(
                    f"{what} {path} is the INPUT file {source}; choose another name "
                    "(an input is never overwritten)"
                )
        if not force:
            raise CLIError(f"{what} {path} exists; add --force to overwrite it{hint}")
        if not os.access(path, os.W_OK):
            raise CLIError(f"{what} {path} exists and is not writable")
    else:
        _check_creatable(path, what)


def check_input_file(path, what):
    path = Path(path)
    if not path.exists():
        raise CLIError(f"{what} file {path} does not exist")
    if path.is_dir():
        raise CLIError(f"{what} {path} is a folder, not a file")
    if not os.access(path, os.R_OK):
        raise CLIError(f"{what} file {path} is not readable")
