"""Safe model files: weights and hyperparameters, loadable without pickle.

A model file is written with :func:`torch.save` and holds only tensors and plain
Python values (dicts, lists, strings, numbers, booleans, None). It is read back with
``torch.load(..., weights_only=True)``, whose restricted unpickler refuses any other
object, so opening a model file from someone else cannot run code. Classes are
stored by name and resolved against allow-lists: skdae's noise models and
architectures, and :mod:`torch.optim` optimizers.

Reading is defensive: every way a file can be malformed gives a
:class:`ModelFileError` naming the file and the problem, and a small file cannot
make :func:`load_model` allocate much more memory than its own size. The zip
archive must store its entries uncompressed (as :func:`torch.save` does), the
hyperparameters read from it must pass the same validation as in ``fit``, the
network they describe must have at most :data:`MAX_PARAMETERS` weights and its
(padded) images at most :data:`MAX_PIXELS` pixels, and the stored tensors must
have exactly the shapes and dtypes of that network, all checked before any
network or tensor is materialised. Paths are never restored from a file
(``checkpoint_path`` is always None after loading).

Files are written atomically (:func:`write_atomically`): to a uniquely named
temporary file in the same folder, flushed to the disk, then renamed over the
target, so the target is always either the old file or the complete new one, even
with several processes writing the same path (the last rename wins).
"""

import contextlib
import errno
import inspect
import json
import math
import numbers
import os
import pickle
import secrets
import warnings
import zipfile
from pathlib import Path

import numpy as np
import torch
from sklearn.base import clone
from skorch.history import History

from . import architectures as architecture_module
from . import noise as noise_module
from ._devices import resolve_device
from ._padding import PaddedNetwork

FORMAT = "skdae.DenoisingAutoencoder"
FORMAT_VERSION = 1

#: Most weights (trainable parameters) a network in a model file may have: 10**8,
#: 400 MB in float32 (the default network has about 27,000).
MAX_PARAMETERS = 10**8

#: Most pixels an image of a model file may have once padded to the
#: architecture's size multiple: 2**22, e.g. 2048x2048.
MAX_PIXELS = 2**22

#: Most image channels a model file may declare.
MAX_CHANNELS = 2**10

# Nesting deeper than this in a model file is refused (the format needs 6 levels).
_MAX_DEPTH = 32

_PAYLOAD_KEYS = {
    "format",
    "format_version",
    "params",
    "optimizer",
    "fitted",
    "history",
    "module_state",
    "optimizer_state",
}
#: Entries a model file may hold beyond those above (older files lack them).
_OPTIONAL_PAYLOAD_KEYS = {"training_state"}
#: The early-stopping state (``EpochGuard.state_dict()``): key -> allowed types.
_TRAINING_STATE = {
    "best_score": (float, int),
    "best_epoch": (int,),
    "misses": (int,),
    "stopped": (bool,),
}

# (kind, module, base class): classes are only ever looked up in these modules
_ALLOWED = (
    ("noise model", noise_module, noise_module.BaseNoise),
    ("architecture", architecture_module, architecture_module.BaseArchitecture),
)
_NOT_SAVED = {"CustomArchitecture"}


class ModelFileError(ValueError):
    """A file given to :meth:`DenoisingAutoencoder.load` is not a valid model file.

    Raised for every kind of malformed file: not a model file at all (a text or
    ``.npy`` file, an empty or truncated file, a pickle), a file holding objects
    other than tensors and plain values, missing or unknown entries, invalid
    hyperparameters, a network larger than the documented size cap, or weights
    that do not fit the network the hyperparameters describe. The message names
    the file and the problem. A subclass of :class:`ValueError`.

    Examples
    --------
    >>> from skdae import DenoisingAutoencoder, ModelFileError
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = path.write_text("not a model")
    >>> try:
    ...     DenoisingAutoencoder.load(path)
    ... except ModelFileError as exc:
    ...     print(str(exc).endswith("is not a skdae model file (not a zip archive "
    ...                             "written by torch.save)."))
    True
    """


# ------------------------------------------------------------------ writing
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


# ----------------------------------------------------------------- encoding
def _encode(value, where):
    """Plain-Python form of a parameter value; raises ValueError if impossible."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):  # e.g. NoiseMixture(weights=np.array(...))
        return _encode(value.tolist(), where)
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, where) for v in value]}
    if isinstance(value, list):
        return [_encode(v, where) for v in value]
    for kind, module, base in _ALLOWED:
        if isinstance(value, base):
            name = type(value).__name__
            if getattr(module, name, None) is not type(value) or name in _NOT_SAVED:
                raise ValueError(
                    f"{where}: only skdae's own {kind}s can be saved, not "
                    f"{type(value).__qualname__}"
                )
            params = value.get_params(deep=False)
            if kind == "noise model" and not isinstance(
                params.get("random_state"), (int, type(None))
            ):
                # a noise model's own random_state is not used in training (the
                # estimator's random_state drives the noise): a generator object
                # cannot be stored and is dropped
                params["random_state"] = None
            return {
                f"__{kind}__": name,
                "params": {k: _encode(v, f"{where}.{k}") for k, v in params.items()},
            }
    if isinstance(value, type):
        raise ValueError(
            f"{where}: cannot store the class {value.__qualname__}; custom networks "
            "cannot be saved in model files (use pickle for those)"
        )
    raise ValueError(f"{where}: cannot store a value of type {type(value).__name__}")


def _plain(obj):
    """JSON round trip: NumPy scalars and the like become plain Python values."""
    return json.loads(
        json.dumps(obj, default=lambda o: o.item() if hasattr(o, "item") else str(o))
    )


def _encode_optimizer(optimizer):
    name = getattr(optimizer, "__name__", None)
    if name is None or getattr(torch.optim, name, None) is not optimizer:
        raise ValueError(
            f"optimizer: only torch.optim optimizers can be saved, not {optimizer!r}"
        )
    return name


def encode_params(estimator):
    """The estimator's parameters as plain values, and the optimizer's name.

    Raises ValueError for a parameter that cannot be stored in a model file, so
    ``fit`` calls it before training when ``checkpoint_path`` is set.
    """
    params = estimator.get_params(deep=False)
    optimizer = _encode_optimizer(params.pop("optimizer"))
    params.pop("callbacks")
    if not isinstance(params["random_state"], (int, type(None))):
        params["random_state"] = None  # the seed actually used is stored
    if not isinstance(params["device"], str):
        params["device"] = str(params["device"])
    params["checkpoint_path"] = None  # a model file never carries a path
    return {k: _encode(v, k) for k, v in params.items()}, optimizer


def save_model(estimator, path):
    """Write a fitted DenoisingAutoencoder to ``path`` (see module docstring)."""
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
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "params": params,
        "optimizer": optimizer,
        "fitted": fitted,
        "history": _plain(list(net.history)),
        "module_state": {k: v.cpu() for k, v in net.module_.state_dict().items()},
        "optimizer_state": _tensors_to_cpu(net.optimizer_.state_dict()),
        "training_state": _tensors_to_cpu(net.guard.state_dict()),
    }
    return write_atomically(path, lambda file: torch.save(payload, file))


def _tensors_to_cpu(obj):
    if isinstance(obj, torch.Tensor):
        return obj.cpu()
    if isinstance(obj, dict):
        return {k: _tensors_to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_tensors_to_cpu(v) for v in obj]
    return obj


# ------------------------------------------------------------------ reading
class _Reader:
    """Validation of one model file; ``fail`` raises ModelFileError naming it."""

    def __init__(self, path):
        self.path = path

    def fail(self, problem):
        raise ModelFileError(f"{self.path} is not a valid skdae model file: {problem}.")

    def damaged(self, exc):
        detail = str(exc).splitlines()[0].strip() if str(exc).strip() else ""
        if "weights_only" in detail or len(detail) > 200:
            detail = ""
        detail = f": {detail}" if detail else ""
        raise ModelFileError(
            f"{self.path} is not a valid skdae model file: it is damaged or "
            f"truncated ({type(exc).__name__}{detail})."
        ) from None

    # ---------------------------------------------------------- the archive
    def read_payload(self):
        path = self.path
        if path.is_dir():
            raise ModelFileError(f"{path} is a directory, not a skdae model file.")
        size = path.stat().st_size  # FileNotFoundError for a missing file
        if size == 0:
            raise ModelFileError(f"{path} is empty, not a skdae model file.")
        try:
            with zipfile.ZipFile(path) as archive:
                entries = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            with open(path, "rb") as file:
                start = file.read(2)
            if start[:1] == b"\x80" and start[1:2] in (
                b"\x02",
                b"\x03",
                b"\x04",
                b"\x05",
            ):
                raise ModelFileError(
                    f"{path} is not a safe skdae model file: it is a pickle, which "
                    "can run code when loaded (refused). Open it with pickle only "
                    "if you trust its source."
                ) from None
            raise ModelFileError(
                f"{path} is not a skdae model file (not a zip archive written by "
                "torch.save)."
            ) from None
        stored = 0
        for entry in entries:
            if entry.compress_type != zipfile.ZIP_STORED:
                self.fail(
                    f"its entry {entry.filename!r} is compressed, which torch.save "
                    "never does (a compressed entry could inflate to any size)"
                )
            stored += entry.file_size
        if stored > size:
            self.fail("its zip directory claims more data than the file holds")
        try:
            # mmap: tensors are mapped, not read, until their shapes are checked
            with warnings.catch_warnings():
                # e.g. "Detected pickle protocol 4": about odd files, not the user's
                warnings.simplefilter("ignore", UserWarning)
                payload = torch.load(
                    path, map_location="cpu", weights_only=True, mmap=True
                )
        except pickle.UnpicklingError as exc:
            if "Weights only load failed" not in str(exc):
                self.damaged(exc)
            lines = str(exc).splitlines()
            detail = next((ln.strip() for ln in lines if "nsupported" in ln), "")
            detail = f" ({detail})" if detail else ""
            raise ModelFileError(
                f"{path} is not a safe skdae model file: it holds objects other "
                f"than tensors and plain values, and was refused{detail}. Files "
                "written by pickle can run code when loaded: open them with pickle "
                "only if you trust their source."
            ) from None
        except (
            RuntimeError,
            EOFError,
            ValueError,
            OSError,
            MemoryError,
            RecursionError,
            TypeError,
            KeyError,
            IndexError,
            AttributeError,
        ) as exc:
            self.damaged(exc)
        self.check_plain(payload, budget=2 * size + 10_000)
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ModelFileError(f"{path} is not a skdae model file.")
        version = payload.get("format_version")
        if isinstance(version, bool) or not isinstance(version, int):
            self.fail(f"its format_version is {_short(version)}, not an integer")
        if version > FORMAT_VERSION:
            raise ModelFileError(
                f"{path} was written by a newer skdae (format version {version}); "
                "upgrade skdae to read it."
            )
        if version < 1:
            self.fail(f"its format_version is {version}")
        missing = _PAYLOAD_KEYS - payload.keys()
        if missing:
            self.fail(f"it lacks the entries {sorted(missing)}")
        unknown = payload.keys() - _PAYLOAD_KEYS - _OPTIONAL_PAYLOAD_KEYS
        if unknown:
            self.fail(f"it has unknown entries {_short(sorted(map(str, unknown)))}")
        return payload

    def check_plain(self, payload, budget):
        """Only plain values and tensors, nested at most _MAX_DEPTH deep.

        ``budget`` bounds the number of values visited: a file can share one list
        between many places, which would make a walk over it exponentially long.
        """
        stack = [(payload, 0)]
        while stack:
            value, depth = stack.pop()
            budget -= 1
            if budget < 0:
                self.fail("it holds more values than its size can explain")
            if depth > _MAX_DEPTH:
                self.fail(f"its values are nested more than {_MAX_DEPTH} levels deep")
            if isinstance(value, dict):
                for key, item in value.items():
                    if not isinstance(key, (str, int)) or isinstance(key, bool):
                        self.fail(f"it holds a dict key of type {type(key).__name__}")
                    stack.append((item, depth + 1))
            elif isinstance(value, (list, tuple)):
                stack.extend((item, depth + 1) for item in value)
            elif isinstance(value, torch.Tensor):
                if value.layout != torch.strided or value.is_quantized:
                    self.fail(f"it holds a {value.layout} tensor")
            elif value is not None and not isinstance(value, (bool, int, float, str)):
                self.fail(f"it holds a value of type {type(value).__name__}")

    def mapping(self, value, where):
        if not isinstance(value, dict):
            self.fail(f"its {where} is a {type(value).__name__}, not a dict")
        return value

    # ---------------------------------------------------- hyperparameters
    def decode(self, value, where):
        if isinstance(value, list):
            return [self.decode(v, where) for v in value]
        if isinstance(value, torch.Tensor):
            self.fail(f"its parameter {where} is a tensor")
        if not isinstance(value, dict):
            return value
        if "__tuple__" in value:
            items = value["__tuple__"]
            if len(value) != 1 or not isinstance(items, list):
                self.fail(f"its parameter {where} is a malformed tuple")
            return tuple(self.decode(v, where) for v in items)
        for kind, module, base in _ALLOWED:
            key = f"__{kind}__"
            if key not in value:
                continue
            name = value[key]
            cls = getattr(module, name, None) if isinstance(name, str) else None
            if (
                not (isinstance(cls, type) and issubclass(cls, base))
                or name in _NOT_SAVED
                or name.startswith(("_", "Base"))
                or inspect.isabstract(cls)
            ):
                self.fail(
                    f"its parameter {where} names an unknown {kind} {_short(name)}"
                )
            if value.keys() != {key, "params"}:
                self.fail(f"its parameter {where} is a malformed {kind}")
            params = self.mapping(value["params"], f"parameter {where}")
            self.check_names(cls, params, f"{where} ({name})")
            decoded = {k: self.decode(v, f"{where}.{k}") for k, v in params.items()}
            try:
                return cls(**decoded)
            except TypeError as exc:
                self.fail(f"its parameter {where} is an invalid {kind} ({exc})")
        self.fail(f"its parameter {where} is a dict, which no parameter can be")

    def check_names(self, cls, params, where):
        unknown = set(params) - set(cls._get_param_names())
        if unknown:
            self.fail(
                f"{where} has unknown parameters {_short(sorted(map(str, unknown)))}"
            )

    def estimator(self, cls, payload):
        params = self.mapping(payload["params"], "params entry")
        self.check_names(cls, params, cls.__name__)
        params = {k: self.decode(v, k) for k, v in params.items()}
        for name in ("optimizer", "callbacks"):
            if name in params:
                self.fail(f"its params entry holds {name}, which is stored apart")
        name = payload["optimizer"]
        optimizer = getattr(torch.optim, name, None) if isinstance(name, str) else None
        if not (
            isinstance(optimizer, type)
            and issubclass(optimizer, torch.optim.Optimizer)
            and optimizer is not torch.optim.Optimizer
        ):
            self.fail(f"it names an unknown optimizer {_short(name)}")
        params["checkpoint_path"] = None  # a file never redirects later writes
        estimator = cls(**params, optimizer=optimizer)
        try:
            estimator._validate_params()
            if estimator.noise is not None:
                estimator.noise._validate_params()
        except (ValueError, TypeError) as exc:
            self.fail(f"invalid hyperparameters: {exc}")
        if not isinstance(estimator.architecture, (str, *_COUNTED)):
            self.fail("its architecture is not one of skdae's")
        try:
            architecture = architecture_module.resolve_architecture(
                estimator.architecture
            )
            if hasattr(type(architecture), "_parameter_constraints"):
                architecture._validate_params()
        except (ValueError, TypeError) as exc:
            self.fail(f"invalid architecture: {exc}")
        return estimator, architecture

    def fitted(self, payload, estimator, architecture):
        fitted = self.mapping(payload["fitted"], "fitted entry")
        expected = {"image_shape_", "n_features_in_", "n_iter_", "device_", "seed"}
        missing = expected - fitted.keys()
        if missing:
            self.fail(f"its fitted entry lacks {sorted(missing)}")
        # files written before colour images existed have no n_channels_: 1
        unknown = fitted.keys() - expected - {"feature_names_in_", "n_channels_"}
        if unknown:
            self.fail(
                f"its fitted entry has unknown keys {_short(sorted(map(str, unknown)))}"
            )
        shape = fitted["image_shape_"]
        if not (
            isinstance(shape, list)
            and len(shape) == 2
            and all(_is_int(v) and v >= 1 for v in shape)
        ):
            self.fail(f"its image_shape_ {_short(shape)} is not two positive integers")
        multiple = _size_multiple(architecture)
        padded = math.prod(-(-side // multiple) * multiple for side in shape)
        if padded > MAX_PIXELS:
            self.fail(
                f"its images of {shape[0]}x{shape[1]} pixels (padded to multiples "
                f"of {multiple}) exceed the cap of {MAX_PIXELS} pixels"
            )
        n_channels = fitted.setdefault("n_channels_", 1)
        if not (_is_int(n_channels) and 1 <= n_channels <= MAX_CHANNELS):
            self.fail(
                f"its n_channels_ {_short(n_channels)} is not an integer in "
                f"[1, {MAX_CHANNELS}]"
            )
        n_features = fitted["n_features_in_"]
        if not _is_int(n_features) or n_features != n_channels * shape[0] * shape[1]:
            self.fail("its n_features_in_ does not match image_shape_ and n_channels_")
        device = fitted["device_"]
        try:
            kind = torch.device(device).type if isinstance(device, str) else None
        except (RuntimeError, ValueError):
            kind = None
        if kind not in ("cpu", "cuda", "mps"):
            self.fail(f"its device_ {_short(device)} is not a device to run on")
        seed = fitted["seed"]
        if not (_is_int(seed) and 0 <= seed < 2**63):
            self.fail(f"its seed {_short(seed)} is not an integer in [0, 2**63)")
        if "feature_names_in_" in fitted:
            names = fitted["feature_names_in_"]
            if not (
                isinstance(names, list)
                and len(names) == n_features
                and all(isinstance(n, str) for n in names)
            ):
                self.fail("its feature_names_in_ are not one string per pixel")
        return fitted

    def history(self, payload):
        history = payload["history"]
        if not isinstance(history, list) or not all(
            isinstance(row, dict) and all(isinstance(k, str) for k in row)
            for row in history
        ):
            self.fail("its history is not a list of dicts")
        for row in history:
            batches = row.get("batches", [])
            if not isinstance(batches, list) or not all(
                isinstance(b, dict) for b in batches
            ):
                self.fail("its history holds malformed batches")
        return History(history)

    # ----------------------------------------------------------- tensors
    def check_training_state(self, state, expected):
        """The early-stopping state: numbers of the right types, best weights
        shaped like the network's (or None)."""
        state = self.mapping(state, "training_state")
        keys = set(_TRAINING_STATE) | {"best_weights"}
        if set(state) != keys:
            self.fail(
                f"its training_state has the entries {_short(sorted(map(str, state)))}"
                f", not {sorted(keys)}"
            )
        for key, types in _TRAINING_STATE.items():
            value = state[key]
            if (
                isinstance(value, bool)
                and bool not in types
                or not isinstance(value, types)
            ):
                self.fail(f"its training_state {key} is {_short(value)}")
        if state["best_weights"] is not None:
            self.check_module_state(state["best_weights"], expected)

    def check_module_state(self, state, expected):
        """Same names, shapes and dtypes as the network built (``expected``)."""
        state = self.mapping(state, "module_state entry")
        missing = expected.keys() - state.keys()
        unknown = state.keys() - expected.keys()
        if missing or unknown:
            self.fail(
                "its weights do not fit the network its hyperparameters describe "
                f"(missing {sorted(missing)[:5]}, unexpected "
                f"{_short(sorted(map(str, unknown))[:5])})"
            )
        for name, tensor in state.items():
            want = expected[name]
            if not isinstance(tensor, torch.Tensor):
                self.fail(f"its weight {name} is not a tensor")
            if tensor.shape != want.shape or tensor.dtype != want.dtype:
                self.fail(
                    f"its weight {name} has shape {tuple(tensor.shape)} and dtype "
                    f"{tensor.dtype}, but the network its hyperparameters describe "
                    f"needs {tuple(want.shape)} and {want.dtype}"
                )

    def check_optimizer_state(self, state, fresh, params):
        """The layout of ``fresh`` (a new optimizer's state dict), tensors that fit."""
        state = self.mapping(state, "optimizer_state entry")
        if state.keys() != {"state", "param_groups"}:
            self.fail("its optimizer_state entry lacks state or param_groups")
        groups = state["param_groups"]
        if not (
            isinstance(groups, list)
            and len(groups) == len(fresh["param_groups"])
            and all(isinstance(g, dict) for g in groups)
        ):
            self.fail("its optimizer state has the wrong number of parameter groups")
        for group, new in zip(groups, fresh["param_groups"], strict=True):
            if group.keys() != new.keys() or not (
                isinstance(group["params"], list)
                and all(_is_int(i) for i in group["params"])
                and group["params"] == new["params"]
            ):
                self.fail("its optimizer state does not fit the optimizer")
            for key, value in group.items():
                if not _same_kind(value, new[key]):
                    self.fail(f"its optimizer setting {key}={_short(value)} is invalid")
        per_param = self.mapping(state["state"], "optimizer state")
        numel = sum(p.numel() for p in params)
        for index, entry in per_param.items():
            if not (_is_int(index) and 0 <= index < len(params)):
                self.fail(f"its optimizer state names a parameter {_short(index)}")
            entry = self.mapping(entry, "optimizer state")
            for key, value in entry.items():
                values = value if isinstance(value, list) else [value]
                for item in values:
                    if isinstance(item, torch.Tensor) and not (
                        item.numel() <= 1
                        or item.shape == params[index].shape
                        or (item.dim() == 1 and item.numel() == numel)
                    ):
                        self.fail(
                            f"its optimizer state {_short(key)} of parameter {index} has "
                            f"the wrong shape {tuple(item.shape)}"
                        )
                    if not isinstance(item, (torch.Tensor, numbers.Real, type(None))):
                        self.fail(f"its optimizer state {_short(key)} is invalid")


_COUNTED = (
    architecture_module.Reference,
    architecture_module.Residual,
    architecture_module.UNet,
)


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


def _short(value):
    """repr of a value read from a file, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text)} characters)"


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _same_kind(value, reference):
    """Whether a stored optimizer setting has the type of a default one."""
    if reference is None or value is None:
        return True
    if isinstance(reference, bool):
        return isinstance(value, bool)
    if isinstance(reference, numbers.Real):
        return isinstance(value, numbers.Real) and not isinstance(value, bool)
    if isinstance(reference, (tuple, list)):
        return (
            isinstance(value, (tuple, list))
            and len(value) == len(reference)
            and all(_same_kind(v, r) for v, r in zip(value, reference, strict=True))
        )
    return isinstance(value, type(reference))


def _size_multiple(architecture):
    if isinstance(architecture, architecture_module.UNet):
        return 2 ** int(architecture.depth)
    return 4 if isinstance(architecture, architecture_module.Reference) else 1


def parameter_count(architecture, n_channels=1):
    """Number of weights of ``architecture.build(n_channels)``, without building it.

    Only for skdae's own architectures; stops counting once past
    :data:`MAX_PARAMETERS` (and then returns a number above it). Raises ValueError
    for sizes that are not positive integers.
    """

    def size(name, value, low):
        if not (_is_int(value) or isinstance(value, np.integer)) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {_short(value)}")
        return int(value)

    if isinstance(architecture, architecture_module.Reference):
        channels = architecture.channels
        if not isinstance(channels, (tuple, list)) or len(channels) != 2:
            raise ValueError(f"channels must be two ints, got {channels!r}")
        c1, c2 = (size("channels", c, 1) for c in channels)
        k = n_channels
        return 13 * c1 * c2 + 13 * k * c1 + 2 * c1 + c2 + k
    depth = size("depth", architecture.depth, 2 if _is_residual(architecture) else 1)
    c = size("channels", architecture.channels, 1)
    if _is_residual(architecture):
        k = n_channels
        return 18 * k * c + c + k + (depth - 2) * (9 * c * c + 2 * c)

    def double_conv(a, b):
        return 9 * a * b + 9 * b * b + 4 * b

    # first stage and the 1x1 head
    total = double_conv(n_channels, c) + c * n_channels + n_channels
    for i in range(depth):
        w, w2 = c * 2**i, c * 2 ** (i + 1)
        total += double_conv(w, w2) + 4 * w2 * w + w + double_conv(2 * w, w)
        if total > MAX_PARAMETERS:
            break
    return total


def _is_residual(architecture):
    return isinstance(architecture, architecture_module.Residual)


def load_model(cls, path, device=None):
    """Read a model file written by :func:`save_model`; never runs code from it."""
    path = Path(path)
    reader = _Reader(path)
    payload = reader.read_payload()
    estimator, architecture = reader.estimator(cls, payload)
    try:
        parameter_count(architecture)  # the sizes are valid
    except ValueError as exc:
        reader.fail(f"invalid architecture: {exc}")
    fitted = reader.fitted(payload, estimator, architecture)
    n_weights = parameter_count(architecture, fitted["n_channels_"])
    if n_weights > MAX_PARAMETERS:
        reader.fail(
            f"its network would have more than {MAX_PARAMETERS} weights "
            f"(architecture {architecture!r})"
        )
    history = reader.history(payload)

    estimator.image_shape_ = tuple(fitted["image_shape_"])
    estimator.n_channels_ = fitted["n_channels_"]
    estimator.n_features_in_ = fitted["n_features_in_"]
    if "feature_names_in_" in fitted:
        estimator.feature_names_in_ = np.asarray(
            fitted["feature_names_in_"], dtype=object
        )
    estimator._seed = fitted["seed"]
    estimator.device_ = _loading_device(device, fitted["device_"])

    # the shapes the network needs, from a network without storage
    net = estimator._build_net()
    with torch.device("meta"):
        expected = PaddedNetwork(
            clone(architecture), fitted["n_channels_"]
        ).state_dict()
    reader.check_module_state(payload["module_state"], expected)
    training_state = payload.get("training_state")
    if training_state is not None:
        reader.check_training_state(training_state, expected)

    net.initialize()
    params = list(net.module_.parameters())
    reader.check_optimizer_state(
        payload["optimizer_state"], net.optimizer_.state_dict(), params
    )
    try:
        net.module_.load_state_dict(payload["module_state"])
        # clone: never keep tensors that map the file
        net.optimizer_.load_state_dict(_cloned(payload["optimizer_state"]))
        if training_state is not None:  # early stopping (EpochGuard)
            net.guard.load_state_dict(_cloned(training_state), device=net.device)
    except (RuntimeError, ValueError, KeyError, TypeError) as exc:
        reader.fail(f"its weights do not fit the network ({exc})")
    net.history = history
    estimator.net_ = net
    estimator._set_fitted_state()
    return estimator


def _cloned(obj):
    if isinstance(obj, torch.Tensor):
        return obj.clone()
    if isinstance(obj, dict):
        return {k: _cloned(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_cloned(v) for v in obj]
    return obj


def _loading_device(requested, saved):
    if requested is not None:
        return resolve_device(requested)
    try:
        device = resolve_device(saved)
        index = torch.device(device).index
        if torch.device(device).type == "cuda" and (index or 0) >= (
            torch.cuda.device_count()
        ):
            raise ValueError(f"no CUDA device {index}")
        return device
    except ValueError:
        warnings.warn(
            f"The model was trained on {saved!r}, which is not available here; "
            "it is loaded on the CPU.",
            UserWarning,
            stacklevel=4,
        )
        return "cpu"
