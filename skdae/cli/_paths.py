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


def check_output_folder(path):
    path = Path(path)
    if path.exists():
        if not path.is_dir():
            raise CLIError(f"--output {path} is an existing file, not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise CLIError(f"--output {path}: the folder is not writable")
    else:
        _check_creatable(path, "--output")


def check_output_file(path, input_path):
    path = Path(path)
    if path.is_dir():
        raise CLIError(f"OUTPUT {path} is a folder; give a .npy or .png file name")
    if path.exists():
        if path.resolve() == Path(input_path).resolve():
            raise CLIError(f"OUTPUT {path} is the INPUT file; choose another name")
        if not os.access(path, os.W_OK):
            raise CLIError(f"OUTPUT {path} exists and is not writable")
    else:
        _check_creatable(path, "OUTPUT")


def check_input_file(path, what):
    path = Path(path)
    if not path.exists():
        raise CLIError(f"{what} file {path} does not exist")
    if path.is_dir():
        raise CLIError(f"{what} {path} is a folder, not a file")
    if not os.access(path, os.R_OK):
        raise CLIError(f"{what} file {path} is not readable")
