"""FLOP rate: training GFLOP/s against the machine's float32 matmul rate.

The reference network's cost is counted from its (transposed) convolutions;
a training step costs about three forward passes (the backward pass computes
the gradients of the inputs and of the weights). The matmul rate is measured
with ``torch.utils.benchmark.Timer`` between the rounds of the training-speed
benchmark, so that both see the same load.
"""

import torch
from torch import nn

from skdae.networks import ReferenceAutoencoder

from .harness import print_table, summary, timer_seconds
from .loops import SEED


def conv_macs(module, image_shape=(28, 28)):
    """Multiply-accumulates of the (transposed) convolutions for one image."""
    total = 0

    def conv_hook(m, inputs, output):
        nonlocal total
        kh, kw = m.kernel_size
        total += output.numel() * (m.in_channels // m.groups) * kh * kw

    def convt_hook(m, inputs, output):
        nonlocal total
        kh, kw = m.kernel_size
        total += inputs[0].numel() * (m.out_channels // m.groups) * kh * kw

    hooks = []
    for m in module.modules():
        if isinstance(m, nn.ConvTranspose2d):
            hooks.append(m.register_forward_hook(convt_hook))
        elif isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
    with torch.no_grad():
        module(torch.zeros(1, 1, *image_shape))
    for h in hooks:
        h.remove()
    return total


def matmul_gflops(device, size=2048, min_run_time=0.2):
    """float32 GFLOP/s of size x size matrix multiplications on ``device``."""
    gen = torch.Generator().manual_seed(SEED)
    a = torch.randn(size, size, generator=gen).to(device)
    b = torch.randn(size, size, generator=gen).to(device)
    out = torch.empty(size, size, device=device)
    seconds = timer_seconds(lambda: torch.mm(a, b, out=out), min_run_time=min_run_time)
    return 2.0 * size**3 / seconds / 1e9


def measure_flop_rate(training, matmul_rates, device):
    """The ``flops`` record of the speed JSON from a ``training`` record."""
    forward = 2 * conv_macs(ReferenceAutoencoder())
    train = 3 * forward
    peak = summary(matmul_rates)
    record = {
        "conv_macs_per_image": forward // 2,
        "forward_flop_per_image": forward,
        "training_flop_per_image": train,
        "matmul_peak_gflops": peak,
        "rows": {},
    }
    rows = []
    for batch, per_batch in training.items():
        if not batch.isdigit():
            continue
        for name, res in per_batch.items():
            gflops = res["images_per_s"]["median"] * train / 1e9
            pct = 100 * gflops / peak["median"]
            record["rows"][f"{batch}/{name}"] = {
                "gflops": gflops,
                "percent_of_peak": pct,
            }
            rows.append([batch, name, f"{gflops:.2f}", f"{pct:.1f} %"])
    print_table(
        f"Training FLOP rate on {device}: {forward / 1e6:.2f} MFLOP forward, "
        f"~{train / 1e6:.1f} MFLOP per training image (convolutions only, backward "
        f"~ 2x forward); float32 matmul rate {peak['median']:.1f} GFLOP/s "
        f"(median of {len(matmul_rates)}, {peak['min']:.1f}-{peak['max']:.1f}), "
        "measured between the training rounds",
        ["batch", "variant", "GFLOP/s", "% of matmul peak"],
        rows,
    )
    return record
