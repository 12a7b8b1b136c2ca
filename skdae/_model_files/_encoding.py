"""Parameters as plain values and back.

A parameter value is stored as a plain Python value; skdae's own noise models and
architectures are stored by class name and parameters, tuples as
``{"__tuple__": [...]}``. Decoding looks classes up only in the allow-list
(:data:`_ALLOWED`) and fails through the :class:`~._reader.Reader` of the file.
"""

import inspect
import json

import numpy as np
import torch

from .. import architectures as architecture_module
from .. import noise as noise_module
from ._reader import short_repr

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


def plain(obj):
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


def decode(reader, value, where):
    """The value stored as ``value``; ``reader`` fails for anything not allowed."""
    if isinstance(value, list):
        return [decode(reader, v, where) for v in value]
    if isinstance(value, torch.Tensor):
        reader.fail(f"its parameter {where} is a tensor")
    if not isinstance(value, dict):
        return value
    if "__tuple__" in value:
        items = value["__tuple__"]
        if len(value) != 1 or not isinstance(items, list):
            reader.fail(f"its parameter {where} is a malformed tuple")
        return tuple(decode(reader, v, where) for v in items)
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
            reader.fail(
                f"its parameter {where} names an unknown {kind} {short_repr(name)}"
            )
        if value.keys() != {key, "params"}:
            reader.fail(f"its parameter {where} is a malformed {kind}")
        params = reader.mapping(value["params"], f"parameter {where}")
        check_names(reader, cls, params, f"{where} ({name})")
        decoded = {k: decode(reader, v, f"{where}.{k}") for k, v in params.items()}
        try:
            return cls(**decoded)
        except TypeError as exc:
            reader.fail(f"its parameter {where} is an invalid {kind} ({exc})")
    reader.fail(f"its parameter {where} is a dict, which no parameter can be")


def check_names(reader, cls, params, where):
    """Fail unless every name in ``params`` is a parameter of ``cls``."""
    unknown = set(params) - set(cls._get_param_names())
    if unknown:
        reader.fail(
            f"{where} has unknown parameters {short_repr(sorted(map(str, unknown)))}"
        )
