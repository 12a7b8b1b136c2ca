"""Writing model files: atomically, and only where a file can be written.

A file is written to a uniquely named temporary file in the same folder, flushed
to the disk, then renamed over the target, so the target is always either the old
file or the complete new one, even with several processes writing the same path
(the last rename wins).
"""

import contextlib
import errno
import os
import secrets
import warnings
from pathlib import Path

import torch

from ._encoding import encode_params, plain
from ._format import FORMAT, WEIGHTS_DTYPES
from ._weights import map_tensors


def check_target(path, what):
    """Raise an error now if a file cannot be written at ``path``.

    ``what`` names the path in messages (e.g. ``"checkpoint_path"``).
    """
    if isinstance(path, str) and not path:
        raise ValueError(f"{what} is an empty string; give a file name.")
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(
            errno.EISDIR, f"{what} {str(path)!r} is a directory, not a file"
        )
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(
            errno.ENOENT,
            f"cannot write {what} {str(path)!r}: the folder {str(folder)!r} does "
            "not exist",
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(
            errno.EACCES,
            f"cannot write {what} {str(path)!r}: no permission to create files in "
            f"{str(folder)!r}",
        )
    return path


def write_atomically(path, write):
    """Call ``write(file)`` on a temporary file, then rename it to ``path``.

    The temporary file has a unique name in the folder of ``path`` (so that
    concurrent writers never share it), is flushed to the disk before the rename
    and is removed if anything fails: ``path`` is left as it was. A full disk is
    reported as such (``OSError`` with ``errno.ENOSPC``) naming ``path``.
    """
    path = check_target(path, "file")
    fd, tmp = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise OSError(
                errno.ENOSPC,
                f"the disk is full: could not write {str(path)!r} (nothing was "
                "changed; free some space and save again)",
            ) from exc
        raise
    _sync_folder(path.parent)
    return path


def _create_temporary(path):
    """A new, uniquely named file beside ``path``, opened for writing.

    Created with the permissions of any new file (the umask applies, unlike
    :func:`tempfile.mkstemp`, whose files only their owner can read).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue


def _sync_folder(folder):
    """Make a rename in ``folder`` durable (POSIX; a no-op where unsupported)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_model(estimator, path, *, weights_dtype="float32", include_optimizer=True):
    """Write a fitted DenoisingAutoencoder to ``path`` (see module docstring).

    ``weights_dtype`` is the dtype the network's floating-point weights are
    stored in (``"float32"`` or ``"float16"``; they are float32 again once
    loaded); ``include_optimizer=False`` stores a fresh optimizer state instead
    of the trained one. Both are checked before anything is written.
    """
    dtype = _weights_dtype(weights_dtype)
    if not isinstance(include_optimizer, bool):
        raise TypeError(
            f"include_optimizer must be True or False, not {include_optimizer!r}"
        )
    params, optimizer = encode_params(estimator)
    if estimator.callbacks:
        warnings.warn(
            "callbacks are not saved in model files; the loaded model has none.",
            UserWarning,
            stacklevel=3,
        )
    net = estimator.net_
    fitted = {
        "image_shape_": list(estimator.image_shape_),
        "n_channels_": int(estimator.n_channels_),
        "n_features_in_": int(estimator.n_features_in_),
        "n_iter_": int(estimator.n_iter_),
        "device_": estimator.device_,
        "seed": int(estimator._seed),
    }
    if hasattr(estimator, "feature_names_in_"):
        fitted["feature_names_in_"] = [str(n) for n in estimator.feature_names_in_]
    optimizer_state = net.optimizer_.state_dict()
    if not include_optimizer:  # the layout of the optimizer, none of its state
        optimizer_state = {"state": {}, "param_groups": optimizer_state["param_groups"]}
    module_state = _stored_weights(net.module_.state_dict(), dtype)
    training_state = net.guard.state_dict()
    if training_state.get("best_weights") is not None:
        training_state = dict(
            training_state,
            best_weights=_stored_weights(training_state["best_weights"], dtype),
        )
    payload = {
        "format": FORMAT,
        # the lowest version that holds the file: older readers open float32 files
        "format_version": 1 if dtype == torch.float32 else 2,
        "params": params,
        "optimizer": optimizer,
        "fitted": fitted,
        "history": plain(list(net.history)),
        "module_state": module_state,
        "optimizer_state": map_tensors(torch.Tensor.cpu, optimizer_state),
        "training_state": map_tensors(torch.Tensor.cpu, training_state),
    }
    if dtype != torch.float32:
        payload["weights_dtype"] = weights_dtype
    return write_atomically(path, lambda file: torch.save(payload, file))


def _weights_dtype(weights_dtype):
    """The torch dtype named by ``weights_dtype``; ValueError for any other."""
    if not isinstance(weights_dtype, str) or weights_dtype not in WEIGHTS_DTYPES:
        raise ValueError(
            f"weights_dtype must be one of {sorted(WEIGHTS_DTYPES)}, not "
            f"{weights_dtype!r}"
        )
    return WEIGHTS_DTYPES[weights_dtype]


def _stored_weights(state, dtype):
    """``state`` on the CPU, its float32 tensors as ``dtype``.

    Raises ValueError when a weight does not fit ``dtype`` (beyond float16's
    largest value, 65504): nothing is written then.
    """
    stored = {}
    for name, tensor in state.items():
        tensor = tensor.detach().cpu()
        if tensor.dtype == torch.float32 and dtype != torch.float32:
            converted = tensor.to(dtype)
            if not torch.isfinite(converted).all() and torch.isfinite(tensor).all():
                limit = torch.finfo(dtype).max
                raise ValueError(
                    f"the weight {name} has values beyond {dtype}'s range "
                    f"(+-{limit:g}); save it with weights_dtype='float32'"
                )
            tensor = converted
        stored[name] = tensor
    return stored


def check_checkpointable(estimator):
    """Raise before training if ``fit`` could not write ``checkpoint_path``.

    The path must name a file in an existing, writable folder, and every
    parameter must be storable in a model file.
    """
    check_target(estimator.checkpoint_path, "checkpoint_path")
    try:
        encode_params(estimator)
    except ValueError as exc:
        raise ValueError(
            f"checkpoint_path is set, but this model cannot be saved to a model "
            f"file: {exc}. Set checkpoint_path=None, or use parameters that can "
            "be saved."
        ) from None
