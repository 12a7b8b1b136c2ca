"""Checks that a user's own noise model follows skdae's contract.

Like :mod:`sklearn.utils.estimator_checks` for scikit-learn estimators: call
:func:`check_noise_model` on an instance of your :class:`~skdae.noise.BaseNoise`
subclass, for instance in your test suite; it raises an :class:`AssertionError`
that names the broken rule, or returns None when the noise model passes.
"""

import pickle
import random
import sys

import joblib
import numpy as np
import torch
from sklearn.base import BaseEstimator, clone
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_set_params,
)

from .._random import torch_generator
from ..noise import BaseNoise, _is_range, _Level

__all__ = ["check_noise_model"]

#: Image batches every check corrupts: flat rows, (n, h, w) and (n, 1, h, w).
_SHAPES = ((5, 64), (5, 8, 8), (5, 1, 8, 8))
_DTYPES = (torch.float32, torch.float64)


def check_noise_model(noise):
    """Check that ``noise`` follows the contract of skdae's noise models.

    The checks run on clones of ``noise``, which is left as it was. They check
    that:

    - it is a :class:`~skdae.noise.BaseNoise` instance with valid parameters,
      whose ``__init__`` only stores its arguments, and that
      ``get_params``/``set_params``, :func:`~sklearn.base.clone` and pickling
      work;
    - ``corrupt(x, generator)`` returns a new, finite :class:`torch.Tensor` with
      the shape, dtype and device of ``x`` (float32 and float64, on the CPU and
      on CUDA if available), for flat ``(n, h * w)``, ``(n, h, w)`` and
      ``(n, 1, h, w)`` batches, without modifying ``x``, the noise model's
      parameters or its attributes;
    - ``corrupt`` draws its randomness only from ``generator``: the same
      generator seed gives the same output, the global NumPy, PyTorch and Python
      random states are left unchanged, and the noise model's own
      ``random_state`` does not change the output;
    - ``fit``, ``transform`` and ``fit_transform`` work on 2-D, 3-D and 4-D
      arrays, keep their shape and float32/float64 dtype, leave the input
      untouched and give the same output on every call for an int
      ``random_state``;
    - every noise level declared with skdae's level constraint accepts a range
      ``(low, high)``, and the range ``(v, v)`` gives exactly the noise of the
      level ``v``.

    Parameters
    ----------
    noise : BaseNoise
        An instance of the noise model to check, with the parameters to check it
        with. Its values are assumed to be images in [0, 1].

    Raises
    ------
    AssertionError
        If the noise model breaks a rule; the message says which.

    See Also
    --------
    skdae.noise.BaseNoise : The base class of noise models.

    Examples
    --------
    >>> import torch
    >>> from skdae.noise import BaseNoise
    >>> from skdae.utils.estimator_checks import check_noise_model
    >>> class UniformNoise(BaseNoise):
    ...     _parameter_constraints = {**BaseNoise._parameter_constraints}
    ...
    ...     def __init__(self, width=0.1, random_state=None):
    ...         self.width = width
    ...         self.random_state = random_state
    ...
    ...     def corrupt(self, x, generator):
    ...         u = torch.rand(x.shape, generator=generator, dtype=x.dtype,
    ...                        device=x.device)
    ...         return (x + self.width * (u - 0.5)).clamp(0, 1)
    >>> check_noise_model(UniformNoise(0.2))  # passes: returns None

    A noise model that draws from the global random state fails:

    >>> class GlobalNoise(UniformNoise):
    ...     def corrupt(self, x, generator):
    ...         return (x + self.width * torch.rand(x.shape, dtype=x.dtype)).clamp(0, 1)
    >>> check_noise_model(GlobalNoise(0.2))
    Traceback (most recent call last):
    ...
    AssertionError: GlobalNoise.corrupt changed the global PyTorch random state: draw all randomness from the generator argument
    """
    name = type(noise).__name__
    if not isinstance(noise, BaseNoise):
        raise AssertionError(
            f"{name} is not a noise model: it must be an instance of a "
            "skdae.noise.BaseNoise subclass"
        )
    try:
        clone(noise)
    except RuntimeError as exc:  # __init__ changed or did not store a parameter
        raise AssertionError(f"{name} cannot be cloned: {exc}") from exc
    for check in _CHECKS:
        check(name, noise)


def _fail(message):
    raise AssertionError(message)


def _images(shape, dtype, device="cpu", seed=0):
    """Images in [0, 1] of ``shape`` as a tensor."""
    generator = torch_generator(seed)
    return torch.rand(shape, generator=generator, dtype=dtype).to(device)


def _parameters_fingerprint(noise):
    """A hash of the parameters' values (nested estimators by their parameters)."""

    def holds_estimator(value):
        if isinstance(value, BaseEstimator):
            return True
        return isinstance(value, (list, tuple)) and any(map(holds_estimator, value))

    params = noise.get_params(deep=True)
    return joblib.hash({k: v for k, v in params.items() if not holds_estimator(v)})


def _check_parameters(name, noise):
    """Valid parameters; scikit-learn's parameter rules; set_params; pickling."""
    noise = clone(noise)
    try:
        noise._validate_params()
    except ValueError as exc:
        _fail(f"{name} has invalid parameters: {exc}")
    check_no_attributes_set_in_init(name, noise)
    check_get_params_invariance(name, noise)
    check_set_params(name, noise)
    params = noise.get_params(deep=False)
    if noise.set_params(**params) is not noise:
        _fail(f"{name}.set_params must return the noise model itself")
    if not _importable(type(noise)):
        return  # a class defined in a function or a doctest: pickle cannot find it
    try:  # estimators holding the noise model are pickled, and so is it
        pickle.loads(pickle.dumps(noise))
    except Exception as exc:
        raise AssertionError(f"{name} cannot be pickled: {exc!r}") from exc


def _importable(cls):
    """Whether pickle can find ``cls`` by its module and qualified name."""
    found = sys.modules.get(cls.__module__)
    for part in cls.__qualname__.split("."):
        found = getattr(found, part, None)
    return found is cls


def _check_copies(name, noise):
    """Clones and unpickled copies corrupt as the original does."""
    noise = clone(noise)
    x = _images((5, 64), torch.float32)
    want = noise.corrupt(x, torch_generator(0))
    copies = {"clone": clone(noise)}
    if _importable(type(noise)):
        copies["a pickle round trip"] = pickle.loads(pickle.dumps(noise))
    for how, copy in copies.items():
        got = copy.corrupt(x, torch_generator(0))
        if not torch.equal(got, want):
            _fail(f"{name} corrupts differently after {how}")


def _check_corrupt_output(name, x, out):
    """``out = corrupt(x, ...)`` is a new finite tensor like ``x``."""
    where = f"{name}.corrupt on a {x.dtype} tensor of shape {tuple(x.shape)}"
    if not isinstance(out, torch.Tensor):
        _fail(f"{where} returned {type(out).__name__}, not a torch.Tensor")
    if out.shape != x.shape or out.dtype != x.dtype or out.device != x.device:
        _fail(
            f"{where} on {x.device} returned a {out.dtype} tensor of shape "
            f"{tuple(out.shape)} on {out.device}: it must keep the shape, dtype "
            "and device of its input"
        )
    if out is x or (
        out.numel()
        and out.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    ):
        _fail(f"{where} returned its input or a view of it: return a new tensor")
    if not bool(torch.isfinite(out).all()):
        _fail(f"{where} returned NaN or infinite values for images in [0, 1]")


def _check_corrupt(name, noise):
    """corrupt's output, input, state and reproducibility on every batch kind."""
    noise = clone(noise)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    for device in devices:
        for dtype in _DTYPES:
            for shape in _SHAPES:
                x = _images(shape, dtype, device)
                before = x.clone()
                attributes = set(vars(noise))
                params = _parameters_fingerprint(noise)
                out = noise.corrupt(x, torch_generator(0, device))
                _check_corrupt_output(name, x, out)
                if not torch.equal(x, before):
                    _fail(f"{name}.corrupt modified its input tensor")
                if set(vars(noise)) != attributes:
                    _fail(
                        f"{name}.corrupt set attributes "
                        f"{sorted(set(vars(noise)) - attributes)}: noise models "
                        "are stateless"
                    )
                if _parameters_fingerprint(noise) != params:
                    _fail(f"{name}.corrupt changed the noise model's parameters")
                again = noise.corrupt(x, torch_generator(0, device))
                if not torch.equal(out, again):
                    _fail(
                        f"{name}.corrupt is not reproducible: two generators with "
                        "the same seed gave different noise"
                    )


def _check_global_random_states(name, noise):
    """corrupt leaves the global NumPy, PyTorch and Python random states alone."""
    noise = clone(noise)
    x = _images((5, 1, 8, 8), torch.float32)
    torch_state = torch.get_rng_state()
    # the legacy global NumPy generator, which np.random.* functions draw from
    numpy_state = np.random.get_state()  # noqa: NPY002
    python_state = random.getstate()
    cuda_states = torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else []
    noise.corrupt(x, torch_generator(0))
    if not torch.equal(torch.get_rng_state(), torch_state):
        _fail_global_state(name, "the global PyTorch random state")
    now = torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else []
    if len(now) != len(cuda_states) or not all(map(torch.equal, now, cuda_states)):
        _fail_global_state(name, "the global CUDA random state")
    numpy_now = np.random.get_state()  # noqa: NPY002
    if not (
        np.array_equal(numpy_now[1], numpy_state[1])
        and numpy_now[2:] == numpy_state[2:]
    ):
        _fail_global_state(name, "NumPy's global random state")
    if random.getstate() != python_state:
        _fail_global_state(name, "Python's global random state")


def _fail_global_state(name, state):
    _fail(
        f"{name}.corrupt changed {state}: draw all randomness from the generator "
        "argument"
    )


def _check_random_state_unused(name, noise):
    """corrupt's output does not depend on the noise model's random_state."""
    noise = clone(noise)
    x = _images((5, 1, 8, 8), torch.float32)
    if "random_state" in noise.get_params(deep=False):
        outs = [
            clone(noise).set_params(random_state=seed).corrupt(x, torch_generator(0))
            for seed in (0, 1)
        ]
        if not torch.equal(*outs):
            _fail(
                f"{name}.corrupt depends on random_state: it must draw from the "
                "generator argument only (transform derives that generator from "
                "random_state)"
            )


def _check_transform(name, noise):
    """fit, transform and fit_transform on 2-D, 3-D and 4-D arrays."""
    noise = clone(noise)
    if "random_state" in noise.get_params(deep=False):
        noise.set_params(random_state=0)
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        for shape in _SHAPES:
            X = rng.random(shape).astype(dtype)
            before = X.copy()
            where = f"{name} on a {np.dtype(dtype).name} array of shape {shape}"
            unfitted = clone(noise).transform(X)
            if clone(noise).fit(X) is None:
                _fail(f"{name}.fit must return the noise model itself")
            fitted = clone(noise).fit(X)
            outs = {
                "transform without fit": unfitted,
                "transform after fit": fitted.transform(X),
                "a second transform": fitted.transform(X),
                "fit_transform": clone(noise).fit_transform(X),
            }
            for how, out in outs.items():
                if not isinstance(out, np.ndarray):
                    _fail(f"{where}: {how} returned {type(out).__name__}")
                if out.shape != X.shape or out.dtype != X.dtype:
                    _fail(
                        f"{where}: {how} returned a {out.dtype} array of shape "
                        f"{out.shape}; it must keep the shape and dtype"
                    )
                if not np.array_equal(out, unfitted):
                    _fail(
                        f"{where}: {how} differs from the first transform with "
                        "random_state=0: an int random_state gives the same noise "
                        "on every call"
                    )
            if not np.array_equal(X, before):
                _fail(f"{where}: transform modified its input")


def _level_parameters(noise):
    """Names of the parameters declared with skdae's noise-level constraint."""
    constraints = getattr(type(noise), "_parameter_constraints", {})
    return [
        param
        for param, options in constraints.items()
        if any(isinstance(option, _Level) for option in options)
    ]


def _check_level_ranges(name, noise):
    """Level parameters take ranges; (v, v) is the level v."""
    noise = clone(noise)
    x = _images((5, 1, 8, 8), torch.float32)
    for param in _level_parameters(noise):
        value = getattr(noise, param)
        level = value[0] if _is_range(value) else value
        fixed = clone(noise).set_params(**{param: level})
        want = fixed.corrupt(x, torch_generator(0))
        for degenerate in ((level, level), [level, level]):
            try:
                got = (
                    clone(noise)
                    .set_params(**{param: degenerate})
                    .corrupt(x, torch_generator(0))
                )
            except Exception as exc:
                raise AssertionError(
                    f"{name}.corrupt fails with the range {param}={degenerate!r}: "
                    f"{exc!r} (read levels through _draw_level)"
                ) from exc
            if not torch.equal(got, want):
                _fail(
                    f"{name}: {param}={degenerate!r} must give exactly the noise "
                    f"of {param}={level!r} (read levels through _draw_level)"
                )
        wide = (level / 2, level)
        (constraint,) = [
            c
            for c in type(noise)._parameter_constraints[param]
            if isinstance(c, _Level)
        ]
        if constraint.is_satisfied_by(wide):
            ranged = clone(noise).set_params(**{param: wide})
            _check_corrupt_output(
                f"{name}({param}={wide!r})",
                x,
                ranged.corrupt(x, torch_generator(0)),
            )


_CHECKS = (
    _check_parameters,
    _check_global_random_states,
    _check_corrupt,
    _check_random_state_unused,
    _check_copies,
    _check_transform,
    _check_level_ranges,
)
