"""Build a network and initialise its weights from a per-fit :class:`torch.Generator`.

PyTorch's layers draw their initial weights from the process-wide random generator
when they are constructed, so two threads building networks at once interleave
their draws, and building a network changes the global RNG state. Here the network
is constructed on the ``meta`` device (no memory, no random draws), materialised
on the CPU and initialised layer by layer with PyTorch's own default
distributions drawn from a generator of its own; the global generator is never
touched.

This works for networks made of the layers in :data:`_INITIALIZERS` and
parameter-free modules (activations, pooling, containers), which covers all of
skdae's built-in networks. A network with any other module that holds
parameters or buffers (a custom layer with its own ``reset_parameters``, say) is
built the ordinary way instead, under a lock and inside
:func:`torch.random.fork_rng` with a seed from the same generator: its weights
are reproducible and the global RNG state is restored afterwards, but code in
other threads that draws from the global RNG while such a network is being built
may see different numbers.
"""

import math
import threading

import torch
from torch import nn
from torch.nn import init

from ._devices import rng_devices

_GLOBAL_RNG_LOCK = threading.Lock()


def _fan_in_uniform(module, generator):
    """PyTorch's default for convolutions and linear layers (``a=sqrt(5)``)."""
    init.kaiming_uniform_(module.weight, a=math.sqrt(5), generator=generator)
    if module.bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(module.weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(module.bias, -bound, bound, generator=generator)


def _deterministic(module, generator):
    """Layers whose default initialisation draws nothing (ones, zeros)."""
    module.reset_parameters()


#: Layer types whose default initialisation is reproduced here.
_INITIALIZERS = (
    (nn.modules.conv._ConvNd, _fan_in_uniform),
    (nn.Linear, _fan_in_uniform),
    (nn.modules.batchnorm._NormBase, _deterministic),
    (nn.GroupNorm, _deterministic),
    (nn.LayerNorm, _deterministic),
)


def _initializer(module):
    for kind, initializer in _INITIALIZERS:
        if isinstance(module, kind):
            return initializer
    return None


def _holds_tensors(module):
    return any(True for _ in module.parameters(recurse=False)) or any(
        True for _ in module.buffers(recurse=False)
    )


def can_initialize(module):
    """Whether every module of ``module`` holding tensors is a known layer type."""
    return all(
        _initializer(m) is not None for m in module.modules() if _holds_tensors(m)
    )


def initialize(module, generator):
    """Re-initialise ``module``'s layers in place, drawing from ``generator``.

    Layers are visited in registration order (the order of construction in
    PyTorch's own modules). ``module`` must pass :func:`can_initialize`.
    """
    with torch.no_grad():
        for m in module.modules():
            initializer = _initializer(m)
            if initializer is not None:
                initializer(m, generator)
    return module


def build_initialized(build, generator, device):
    """``build()`` a network on ``device`` with weights drawn from ``generator``.

    ``generator`` is a CPU generator; weights are drawn on the CPU, so a network
    starts from the same weights whatever the device.
    """
    try:
        with torch.device("meta"):
            module = build()
    except Exception:  # a network that computes with tensors while being built
        module = None
    if module is not None and can_initialize(module):
        module = module.to_empty(device="cpu")
        return initialize(module, generator).to(device)
    seed = int(torch.randint(2**62, (), generator=generator))
    with _GLOBAL_RNG_LOCK, torch.random.fork_rng(devices=rng_devices(device)):
        torch.manual_seed(seed)
        return build().to(device)
