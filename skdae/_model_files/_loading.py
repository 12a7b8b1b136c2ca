"""Loading a model file: hyperparameters, fitted state and weights, all checked."""

import math
import warnings
from pathlib import Path

import numpy as np
import torch
from sklearn.base import clone
from skorch.history import History

from .. import architectures as architecture_module
from .._devices import resolve_device
from .._padding import PaddedNetwork
from ._encoding import check_names, decode
from ._format import MAX_CHANNELS, MAX_PARAMETERS, MAX_PIXELS, WEIGHTS_DTYPES
from ._network_size import COUNTED, parameter_count, size_multiple
from ._reader import Reader, is_int, short_repr
from ._weights import (
    check_module_state,
    check_optimizer_state,
    check_training_state,
    map_tensors,
)


def read_estimator(reader, cls, payload):
    """The unfitted estimator and architecture the hyperparameters describe."""
    params = reader.mapping(payload["params"], "params entry")
    check_names(reader, cls, params, cls.__name__)
    params = {k: decode(reader, v, k) for k, v in params.items()}
    for name in ("optimizer", "callbacks"):
        if name in params:
            reader.fail(f"its params entry holds {name}, which is stored apart")
    name = payload["optimizer"]
    optimizer = getattr(torch.optim, name, None) if isinstance(name, str) else None
    if not (
        isinstance(optimizer, type)
        and issubclass(optimizer, torch.optim.Optimizer)
        and optimizer is not torch.optim.Optimizer
    ):
        reader.fail(f"it names an unknown optimizer {short_repr(name)}")
    params["checkpoint_path"] = None  # a file never redirects later writes
    estimator = cls(**params, optimizer=optimizer)
    try:
        estimator._validate_params()
        if estimator.noise is not None:
            estimator.noise._validate_params()
    except (ValueError, TypeError) as exc:
        reader.fail(f"invalid hyperparameters: {exc}")
    if not isinstance(estimator.architecture, (str, *COUNTED)):
        reader.fail("its architecture is not one of skdae's")
    try:
        architecture = architecture_module.resolve_architecture(estimator.architecture)
        if hasattr(type(architecture), "_parameter_constraints"):
            architecture._validate_params()
    except (ValueError, TypeError) as exc:
        reader.fail(f"invalid architecture: {exc}")
    return estimator, architecture


def read_fitted(reader, payload, estimator, architecture):
    """The fitted attributes (image shape, features, device, seed), checked."""
    fitted = reader.mapping(payload["fitted"], "fitted entry")
    expected = {"image_shape_", "n_features_in_", "n_iter_", "device_", "seed"}
    missing = expected - fitted.keys()
    if missing:
        reader.fail(f"its fitted entry lacks {sorted(missing)}")
    # files written before colour images existed have no n_channels_: 1
    unknown = fitted.keys() - expected - {"feature_names_in_", "n_channels_"}
    if unknown:
        reader.fail(
            f"its fitted entry has unknown keys {short_repr(sorted(map(str, unknown)))}"
        )
    shape = fitted["image_shape_"]
    if not (
        isinstance(shape, list)
        and len(shape) == 2
        and all(is_int(v) and v >= 1 for v in shape)
    ):
        reader.fail(
            f"its image_shape_ {short_repr(shape)} is not two positive integers"
        )
    multiple = size_multiple(architecture)
    padded = math.prod(-(-side // multiple) * multiple for side in shape)
    if padded > MAX_PIXELS:
        reader.fail(
            f"its images of {shape[0]}x{shape[1]} pixels (padded to multiples "
            f"of {multiple}) exceed the cap of {MAX_PIXELS} pixels"
        )
    n_channels = fitted.setdefault("n_channels_", 1)
    if not (is_int(n_channels) and 1 <= n_channels <= MAX_CHANNELS):
        reader.fail(
            f"its n_channels_ {short_repr(n_channels)} is not an integer in "
            f"[1, {MAX_CHANNELS}]"
        )
    n_features = fitted["n_features_in_"]
    if not is_int(n_features) or n_features != n_channels * shape[0] * shape[1]:
        reader.fail("its n_features_in_ does not match image_shape_ and n_channels_")
    device = fitted["device_"]
    try:
        kind = torch.device(device).type if isinstance(device, str) else None
    except (RuntimeError, ValueError):
        kind = None
    if kind not in ("cpu", "cuda", "mps"):
        reader.fail(f"its device_ {short_repr(device)} is not a device to run on")
    seed = fitted["seed"]
    if not (is_int(seed) and 0 <= seed < 2**63):
        reader.fail(f"its seed {short_repr(seed)} is not an integer in [0, 2**63)")
    if "feature_names_in_" in fitted:
        names = fitted["feature_names_in_"]
        if not (
            isinstance(names, list)
            and len(names) == n_features
            and all(isinstance(n, str) for n in names)
        ):
            reader.fail("its feature_names_in_ are not one string per pixel")
    return fitted


def read_history(reader, payload):
    """The training history as skorch's History."""
    history = payload["history"]
    if not isinstance(history, list) or not all(
        isinstance(row, dict) and all(isinstance(k, str) for k in row)
        for row in history
    ):
        reader.fail("its history is not a list of dicts")
    for row in history:
        batches = row.get("batches", [])
        if not isinstance(batches, list) or not all(
            isinstance(b, dict) for b in batches
        ):
            reader.fail("its history holds malformed batches")
    return History(history)


def load_model(cls, path, device=None):
    """Read a model file written by :func:`save_model`; never runs code from it."""
    path = Path(path)
    reader = Reader(path)
    payload = reader.read_payload()
    estimator, architecture = read_estimator(reader, cls, payload)
    try:
        parameter_count(architecture)  # the sizes are valid
    except ValueError as exc:
        reader.fail(f"invalid architecture: {exc}")
    fitted = read_fitted(reader, payload, estimator, architecture)
    n_weights = parameter_count(architecture, fitted["n_channels_"])
    if n_weights > MAX_PARAMETERS:
        reader.fail(
            f"its network would have more than {MAX_PARAMETERS} weights "
            f"(architecture {architecture!r})"
        )
    history = read_history(reader, payload)

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
    stored = read_weights_dtype(reader, payload)
    check_module_state(reader, payload["module_state"], expected, stored)
    training_state = payload.get("training_state")
    if training_state is not None:
        check_training_state(reader, training_state, expected, stored)
    if stored != torch.float32:  # float16 weights: float32 again
        payload["module_state"] = _as_float32(payload["module_state"])
        if training_state is not None and training_state["best_weights"] is not None:
            training_state = dict(
                training_state,
                best_weights=_as_float32(training_state["best_weights"]),
            )

    net.initialize()
    params = list(net.module_.parameters())
    check_optimizer_state(
        reader, payload["optimizer_state"], net.optimizer_.state_dict(), params
    )
    try:
        net.module_.load_state_dict(payload["module_state"])
        # clone: never keep tensors that map the file
        net.optimizer_.load_state_dict(
            map_tensors(torch.Tensor.clone, payload["optimizer_state"])
        )
        if training_state is not None:  # early stopping (EpochGuard)
            net.guard.load_state_dict(
                map_tensors(torch.Tensor.clone, training_state), device=net.device
            )
    except (RuntimeError, ValueError, KeyError, TypeError) as exc:
        reader.fail(f"its weights do not fit the network ({exc})")
    net.history = history
    estimator.net_ = net
    estimator._set_fitted_state()
    return estimator


def read_weights_dtype(reader, payload):
    """The dtype of the file's floating-point weights (float32 unless it says)."""
    if "weights_dtype" not in payload:
        return torch.float32
    name = payload["weights_dtype"]
    if not isinstance(name, str) or name not in WEIGHTS_DTYPES:
        reader.fail(
            f"its weights_dtype {short_repr(name)} is not one of "
            f"{sorted(WEIGHTS_DTYPES)}"
        )
    if payload["format_version"] < 2:
        reader.fail("it has a weights_dtype entry, which format version 1 lacks")
    return WEIGHTS_DTYPES[name]


def _as_float32(state):
    return {
        name: tensor.float() if tensor.dtype == torch.float16 else tensor
        for name, tensor in state.items()
    }


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
