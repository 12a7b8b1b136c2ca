"""The size of skdae's own networks, computed without building them."""

import numpy as np

from .. import architectures as architecture_module
from ._format import MAX_PARAMETERS
from ._reader import is_int, short_repr

COUNTED = (
    architecture_module.Reference,
    architecture_module.Residual,
    architecture_module.UNet,
    architecture_module.ResidualUNet,
)


def size_multiple(architecture):
    if isinstance(
        architecture, (architecture_module.UNet, architecture_module.ResidualUNet)
    ):
        return 2 ** int(architecture.depth)
    return 4 if isinstance(architecture, architecture_module.Reference) else 1


def parameter_count(architecture, n_channels=1):
    """Number of weights of ``architecture.build(n_channels)``, without building it.

    Only for skdae's own architectures; stops counting once past
    :data:`MAX_PARAMETERS` (and then returns a number above it). Raises ValueError
    for sizes that are not positive integers.
    """

    def size(name, value, low):
        if not (is_int(value) or isinstance(value, np.integer)) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {short_repr(value)}")
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
    if isinstance(architecture, architecture_module.ResidualUNet):
        return _residual_unet_count(depth, c, architecture.blocks, n_channels, size)

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


def _residual_unet_count(depth, c, blocks, n_channels, size):
    blocks = size("blocks", blocks, 1)
    total = 18 * n_channels * c  # bias-free 3x3 head and tail
    for i in range(depth + 1):
        w = c * 2**i
        stages = 1 if i == depth else 2  # the body; encoder and decoder stages
        total += stages * blocks * 18 * w * w
        if i < depth:
            total += 2 * 4 * w * (2 * w)  # the 2x2 down and up convolutions
        if total > MAX_PARAMETERS:
            break
    return total


def _is_residual(architecture):
    return isinstance(architecture, architecture_module.Residual)
