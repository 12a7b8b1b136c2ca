"""Safe model files: weights and hyperparameters, loadable without pickle.

A model file is written with :func:`torch.save` and holds only tensors and plain
Python values (dicts, lists, strings, numbers, booleans, None). It is read back with
``torch.load(..., weights_only=True)``, whose restricted unpickler refuses any other
object, so opening a model file from someone else cannot run code. Classes are
stored by name and resolved against allow-lists: skdae's noise models and
:mod:`torch.optim` optimizers.
"""

import json
import pickle
import warnings
from pathlib import Path

import numpy as np
import torch
from skorch.history import History

from . import architectures as architecture_module
from . import noise as noise_module
from ._devices import resolve_device

FORMAT = "skdae.DenoisingAutoencoder"
FORMAT_VERSION = 1


# (kind, module, base class): classes are only ever looked up in these modules
_ALLOWED = (
    ("noise model", noise_module, noise_module.BaseNoise),
    ("architecture", architecture_module, architecture_module.BaseArchitecture),
)
_NOT_SAVED = {"CustomArchitecture"}


def _encode(value, where):
    """Plain-Python form of a parameter value; raises ValueError if impossible."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
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


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if "__tuple__" in value:
            return tuple(_decode(v) for v in value["__tuple__"])
        for kind, module, base in _ALLOWED:
            name = value.get(f"__{kind}__")
            if name is None:
                continue
            cls = getattr(module, name, None)
            if not (isinstance(cls, type) and issubclass(cls, base)):
                raise ValueError(f"unknown {kind} {name!r}")
            return cls(**{k: _decode(v) for k, v in value["params"].items()})
    return value


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


def _decode_optimizer(name):
    optimizer = getattr(torch.optim, name, None)
    if not (
        isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer)
    ):
        raise ValueError(f"unknown optimizer {name!r}")
    return optimizer


def save_model(estimator, path):
    """Write a fitted DenoisingAutoencoder to ``path`` (see module docstring)."""
    params = estimator.get_params(deep=False)
    optimizer = _encode_optimizer(params.pop("optimizer"))
    if params.pop("callbacks"):
        warnings.warn(
            "callbacks are not saved in model files; the loaded model has none.",
            UserWarning,
            stacklevel=3,
        )
    if not isinstance(params["random_state"], (int, type(None))):
        params["random_state"] = None  # the seed actually used is stored below
    if not isinstance(params["device"], str):
        params["device"] = str(params["device"])
    if params["checkpoint_path"] is not None:
        params["checkpoint_path"] = str(params["checkpoint_path"])
    net = estimator.net_
    fitted = {
        "image_shape_": list(estimator.image_shape_),
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
        "params": {k: _encode(v, k) for k, v in params.items()},
        "optimizer": optimizer,
        "fitted": fitted,
        "history": _plain(list(net.history)),
        "module_state": {k: v.cpu() for k, v in net.module_.state_dict().items()},
        "optimizer_state": _tensors_to_cpu(net.optimizer_.state_dict()),
        "training_state": _tensors_to_cpu(net.guard.state_dict()),
    }
    path = Path(path)
    torch.save(payload, path)
    return path


def _tensors_to_cpu(obj):
    if isinstance(obj, torch.Tensor):
        return obj.cpu()
    if isinstance(obj, dict):
        return {k: _tensors_to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_tensors_to_cpu(v) for v in obj]
    return obj


def load_model(cls, path, device=None):
    """Read a model file written by :func:`save_model`; never runs code from it."""
    path = Path(path)
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as exc:
        raise ValueError(
            f"{path} is not a safe skdae model file (refused to load it: it holds "
            "objects other than weights and plain values, or is damaged). Files "
            "written by pickle.dump can run code when loaded: open them with "
            f"pickle only if you trust their source. Details: {exc}"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{path} is not a skdae model file.")
    if payload.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"{path} was written by a newer skdae (format version "
            f"{payload['format_version']}); upgrade skdae to read it."
        )

    params = {k: _decode(v) for k, v in payload["params"].items()}
    estimator = cls(**params, optimizer=_decode_optimizer(payload["optimizer"]))
    fitted = payload["fitted"]
    estimator.image_shape_ = tuple(fitted["image_shape_"])
    estimator.n_features_in_ = fitted["n_features_in_"]
    if "feature_names_in_" in fitted:
        estimator.feature_names_in_ = np.asarray(
            fitted["feature_names_in_"], dtype=object
        )
    estimator._seed = fitted["seed"]
    estimator.device_ = _loading_device(device, fitted["device_"])

    net = estimator._build_net()
    net.initialize()
    net.module_.load_state_dict(payload["module_state"])
    net.optimizer_.load_state_dict(payload["optimizer_state"])
    if payload.get("training_state") is not None:  # early stopping (EpochGuard)
        net.guard.load_state_dict(payload["training_state"], device=net.device)
    net.history = History(payload["history"])
    estimator.net_ = net
    estimator._set_fitted_state()
    return estimator


def _loading_device(requested, saved):
    if requested is not None:
        return resolve_device(requested)
    try:
        return resolve_device(saved)
    except ValueError:
        warnings.warn(
            f"The model was trained on {saved!r}, which is not available here; "
            "it is loaded on the CPU.",
            UserWarning,
            stacklevel=4,
        )
        return "cpu"
