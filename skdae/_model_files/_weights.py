"""Stored tensors: checks that they fit the network before any is read, and
mapping a function over the tensors nested in dicts and lists."""

import numbers

import torch

from ._format import TRAINING_STATE
from ._reader import is_int, short_repr


def check_training_state(reader, state, expected, stored=torch.float32):
    """The early-stopping state: numbers of the right types, best weights
    shaped like the network's (or None), stored as ``stored``."""
    state = reader.mapping(state, "training_state")
    keys = set(TRAINING_STATE) | {"best_weights"}
    if set(state) != keys:
        reader.fail(
            f"its training_state has the entries {short_repr(sorted(map(str, state)))}"
            f", not {sorted(keys)}"
        )
    for key, types in TRAINING_STATE.items():
        value = state[key]
        if (
            isinstance(value, bool)
            and bool not in types
            or not isinstance(value, types)
        ):
            reader.fail(f"its training_state {key} is {short_repr(value)}")
    if state["best_weights"] is not None:
        check_module_state(reader, state["best_weights"], expected, stored)


def check_module_state(reader, state, expected, stored=torch.float32):
    """Same names, shapes and dtypes as the network built (``expected``).

    ``stored`` is the dtype the file declares for its floating-point weights
    (its ``weights_dtype``): each float32 weight of the network must be stored
    exactly as ``stored``, every other tensor (integer buffers) as it is.
    """
    state = reader.mapping(state, "module_state entry")
    missing = expected.keys() - state.keys()
    unknown = state.keys() - expected.keys()
    if missing or unknown:
        reader.fail(
            "its weights do not fit the network its hyperparameters describe "
            f"(missing {sorted(missing)[:5]}, unexpected "
            f"{short_repr(sorted(map(str, unknown))[:5])})"
        )
    for name, tensor in state.items():
        want = expected[name]
        dtype = stored if want.dtype == torch.float32 else want.dtype
        if not isinstance(tensor, torch.Tensor):
            reader.fail(f"its weight {name} is not a tensor")
        if tensor.shape != want.shape or tensor.dtype != dtype:
            declared = "" if dtype == want.dtype else " (its weights_dtype)"
            reader.fail(
                f"its weight {name} has shape {tuple(tensor.shape)} and dtype "
                f"{tensor.dtype}, but the network its hyperparameters describe "
                f"needs {tuple(want.shape)} and {dtype}{declared}"
            )


def check_optimizer_state(reader, state, fresh, params):
    """The layout of ``fresh`` (a new optimizer's state dict), tensors that fit."""
    state = reader.mapping(state, "optimizer_state entry")
    if state.keys() != {"state", "param_groups"}:
        reader.fail("its optimizer_state entry lacks state or param_groups")
    groups = state["param_groups"]
    if not (
        isinstance(groups, list)
        and len(groups) == len(fresh["param_groups"])
        and all(isinstance(g, dict) for g in groups)
    ):
        reader.fail("its optimizer state has the wrong number of parameter groups")
    for group, new in zip(groups, fresh["param_groups"], strict=True):
        if group.keys() != new.keys() or not (
            isinstance(group["params"], list)
            and all(is_int(i) for i in group["params"])
            and group["params"] == new["params"]
        ):
            reader.fail("its optimizer state does not fit the optimizer")
        for key, value in group.items():
            if not _same_kind(value, new[key]):
                reader.fail(
                    f"its optimizer setting {key}={short_repr(value)} is invalid"
                )
    per_param = reader.mapping(state["state"], "optimizer state")
    numel = sum(p.numel() for p in params)
    for index, entry in per_param.items():
        if not (is_int(index) and 0 <= index < len(params)):
            reader.fail(f"its optimizer state names a parameter {short_repr(index)}")
        entry = reader.mapping(entry, "optimizer state")
        for key, value in entry.items():
            values = value if isinstance(value, list) else [value]
            for item in values:
                if isinstance(item, torch.Tensor) and not (
                    item.numel() <= 1
                    or item.shape == params[index].shape
                    or (item.dim() == 1 and item.numel() == numel)
                ):
                    reader.fail(
                        f"its optimizer state {short_repr(key)} of parameter {index} has "
                        f"the wrong shape {tuple(item.shape)}"
                    )
                if not isinstance(item, (torch.Tensor, numbers.Real, type(None))):
                    reader.fail(f"its optimizer state {short_repr(key)} is invalid")


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


def map_tensors(function, obj):
    """``obj`` with ``function`` applied to every tensor in its dicts and lists."""
    if isinstance(obj, torch.Tensor):
        return function(obj)
    if isinstance(obj, dict):
        return {k: map_tensors(function, v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [map_tensors(function, v) for v in obj]
    return obj
