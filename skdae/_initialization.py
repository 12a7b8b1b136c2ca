"""Build a network whose initial weights are drawn from a per-fit generator.

PyTorch's layers draw their initial weights from the process-wide random generator
when they are constructed, so two threads building networks at once interleave
their draws, and building a network changes the global RNG state. Here the network
is built on the CPU inside a :class:`~torch.overrides.TorchFunctionMode` (which is
thread-local) that hands a generator of the fit's own to every random draw made
without one: ``tensor.uniform_()`` inside :func:`torch.nn.init.kaiming_uniform_`,
``torch.randn(...)`` in a custom layer's constructor, and the like. The network
gets exactly the weights PyTorch's own initialisation would give after
``torch.manual_seed(seed)`` (custom initialisation in the constructors included),
and the global generator is never touched.

A draw made by a function that takes no ``generator`` (or from C++ code that does
not go through Python) still uses the global generator; neither PyTorch's layers
nor :mod:`torch.nn.init` make such draws.
"""

import functools
import inspect

import torch
from torch.overrides import TorchFunctionMode

_RANDOM_METHODS = (
    "uniform_",
    "normal_",
    "bernoulli_",
    "bernoulli",
    "random_",
    "exponential_",
    "geometric_",
    "log_normal_",
    "cauchy_",
    "multinomial",
)

#: Random functions and tensor methods that accept ``generator=`` (a tensor
#: method reaches a torch function mode as the method of ``torch._C.TensorBase``).
_RANDOM_FUNCTIONS = frozenset(
    [
        torch.rand,
        torch.randn,
        torch.randint,
        torch.randperm,
        torch.normal,
        torch.bernoulli,
        torch.multinomial,
        torch.poisson,
        *(getattr(torch._C.TensorBase, name) for name in _RANDOM_METHODS),
        *(getattr(torch.Tensor, name) for name in _RANDOM_METHODS),
    ]
)


@functools.cache
def _takes_generator(func):
    """Whether ``func`` draws at random and takes ``generator=``.

    Python functions such as :func:`torch.nn.init.kaiming_uniform_` reach the mode
    as a whole (the mode is off while it runs them), so they get the generator
    themselves.
    """
    if func in _RANDOM_FUNCTIONS:
        return True
    try:
        return "generator" in inspect.signature(func).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return False


def _draws(func):
    try:
        return _takes_generator(func)
    except TypeError:  # not hashable: no function of torch's
        return False


class _DrawFrom(TorchFunctionMode):
    """Give ``generator`` to every random draw made without one."""

    def __init__(self, generator):
        super().__init__()
        self.generator = generator

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if kwargs.get("generator") is None and _draws(func):
            kwargs = {**kwargs, "generator": self.generator}
        return func(*args, **kwargs)


def build_initialized(build, generator, device):
    """``build()`` a network on the CPU drawing from ``generator``; move it to ``device``.

    ``generator`` is a CPU generator; weights are drawn on the CPU, so a network
    starts from the same weights whatever the device.
    """
    with torch.device("cpu"), _DrawFrom(generator):
        module = build()
    return module.to(device)
