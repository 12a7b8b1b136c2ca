"""The loops the speed benchmarks compare: a plain PyTorch loop and skdae.

The plain loop is what a careful PyTorch user would write for the reference
recipe: the same module, Adam(lr=1e-3), MSE, batch size, a fresh permutation
every epoch, the data as one tensor on the device, each batch corrupted afresh
with ``clamp(x + 0.5 * randn, 0, 1)``. skdae runs the same recipe through
``DenoisingAutoencoder.fit``, with its fast paths (channels-last on the CPU,
CUDA graphs) switched by the documented :func:`skdae.config_context`.
"""

import numpy as np
import torch
from torch import nn

import skdae
from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.networks import ReferenceAutoencoder

SIGMA = 0.5
LR = 1e-3
SEED = 0


def _side(X):
    return int(round(X.shape[1] ** 0.5))


def plain_fit(X, batch_size, device, *, epochs=1, channels_last=False, amp=False):
    """Train the reference network with a plain PyTorch loop; return the module.

    ``X`` is the flat NumPy array: moving it to the device is part of the
    timed work, as in ``fit``. ``channels_last`` puts the network in the
    channels-last memory format (which a typical user does not do); ``amp``
    runs the forward pass under bf16 autocast.
    """
    device = torch.device(device)
    torch.manual_seed(SEED)
    module = ReferenceAutoencoder().to(device)
    if channels_last:
        module = module.to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(module.parameters(), lr=LR)
    criterion = nn.MSELoss()
    side = _side(X)
    data = torch.from_numpy(X).reshape(-1, 1, side, side).to(device)
    generator = torch.Generator(device=device)
    generator.manual_seed(SEED)
    n = len(data)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator, device=device)
        for start in range(0, n, batch_size):
            clean = data[order[start : start + batch_size]]
            noise = torch.randn(clean.shape, generator=generator, device=device)
            noisy = (clean + SIGMA * noise).clamp_(0.0, 1.0)
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
                loss = criterion(module(noisy), clean)
            loss.backward()
            optimizer.step()
    return module


def plain_transform(module, X, batch_size, device, *, amp=False):
    """Denoise ``X`` (flat NumPy) with a plain ``inference_mode`` loop."""
    device = torch.device(device)
    side = _side(X)
    inputs = torch.from_numpy(X).reshape(-1, 1, side, side)
    out = np.empty_like(X)
    outputs = torch.from_numpy(out).reshape(-1, 1, side, side)
    module.eval()
    with torch.inference_mode():
        for start in range(0, len(inputs), batch_size):
            chunk = inputs[start : start + batch_size].to(device)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
                result = module(chunk)
            outputs[start : start + batch_size].copy_(result.float().clamp_(0, 1))
    return out


def plain_module_like(dae, device, *, channels_last=False):
    """A fresh ReferenceAutoencoder holding the weights of a fitted ``dae``."""
    module = ReferenceAutoencoder()
    module.load_state_dict(dae.net_.module_.network.state_dict())
    module = module.to(device).eval()
    if channels_last:
        module = module.to(memory_format=torch.channels_last)
    return module


def skdae_estimator(batch_size, device, *, epochs=1):
    """The reference recipe as a DenoisingAutoencoder (unfitted)."""
    return DenoisingAutoencoder(
        noise=GaussianNoise(SIGMA),
        batch_size=batch_size,
        max_epochs=epochs,
        lr=LR,
        device=device,
        random_state=SEED,
    )


def skdae_fit(X, batch_size, device, *, epochs=1, channels_last=True, cuda_graphs=True):
    """Fit the reference recipe with skdae, its fast paths on or off."""
    with skdae.config_context(channels_last=channels_last, cuda_graphs=cuda_graphs):
        return skdae_estimator(batch_size, device, epochs=epochs).fit(X)


#: training variant -> (what it is, function(X, batch_size, device))
TRAINING_VARIANTS = {
    "plain": ("the plain PyTorch loop", plain_fit),
    "plain+CL": (
        "the plain loop with the network in channels-last format",
        lambda X, b, d: plain_fit(X, b, d, channels_last=True),
    ),
    "plain-bf16": (
        "the plain loop under bf16 autocast",
        lambda X, b, d: plain_fit(X, b, d, amp=True),
    ),
    "skdae": ("DenoisingAutoencoder.fit as shipped", skdae_fit),
    "skdae-NCHW": (
        "skdae with channels-last switched off",
        lambda X, b, d: skdae_fit(X, b, d, channels_last=False),
    ),
    "skdae-eager": (
        "skdae with CUDA-graph replay switched off",
        lambda X, b, d: skdae_fit(X, b, d, cuda_graphs=False),
    ),
}


def training_run(name, X, batch_size, device):
    """A zero-argument callable that trains variant ``name`` on ``X`` once."""
    if name not in TRAINING_VARIANTS:
        raise ValueError(
            f"unknown training variant {name!r}; know {list(TRAINING_VARIANTS)}"
        )
    _, fit = TRAINING_VARIANTS[name]
    return lambda: fit(X, batch_size, device)
