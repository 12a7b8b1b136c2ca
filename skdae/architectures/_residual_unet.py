"""A multi-scale U-Net of residual blocks (DRUNet-style): network and specification."""

import numbers

from sklearn.utils._param_validation import Interval
from torch import nn

from ._base import BaseArchitecture


class _ResidualBlock(nn.Module):
    """``x + Conv(ReLU(Conv(x)))``, 3x3 convolutions without bias."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)

    def forward(self, x):
        return x + self.conv2(self.relu(self.conv1(x)))


def _stage(channels, blocks):
    return nn.Sequential(*[_ResidualBlock(channels) for _ in range(blocks)])


class _ResidualUNet(nn.Module):
    """Head, ``depth`` down stages, a body, ``depth`` up stages, tail; ``x - noise``.

    Every convolution is bias-free and there is no normalisation layer: a
    bias-free network is homogeneous in its input (Mohan et al., 2020), which
    helps one network serve a wide range of noise levels.
    """

    def __init__(self, depth, channels, blocks, n_channels=1):
        super().__init__()
        self.size_multiple = 2**depth
        widths = [channels * 2**i for i in range(depth + 1)]
        self.head = nn.Conv2d(n_channels, widths[0], 3, padding=1, bias=False)
        self.down = nn.ModuleList(
            [
                nn.Sequential(
                    _stage(widths[i], blocks),
                    nn.Conv2d(widths[i], widths[i + 1], 2, stride=2, bias=False),
                )
                for i in range(depth)
            ]
        )
        self.body = _stage(widths[depth], blocks)
        self.up = nn.ModuleList(
            [
                nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2, bias=False)
                for i in range(depth)
            ]
        )
        self.merge = nn.ModuleList([_stage(widths[i], blocks) for i in range(depth)])
        self.tail = nn.Conv2d(widths[0], n_channels, 3, padding=1, bias=False)
        nn.init.zeros_(self.tail.weight)  # the predicted noise starts at zero

    def _encode_all(self, x):
        skips = [self.head(x)]
        for stage in self.down:
            skips.append(stage(skips[-1]))
        return skips

    def encode(self, x):
        return self.body(self._encode_all(x)[-1])

    def forward(self, x):
        skips = self._encode_all(x)
        y = self.body(skips[-1])
        for i in reversed(range(len(self.up))):
            y = self.merge[i](self.up[i](y) + skips[i])
        return x - self.tail(y + skips[0])


class ResidualUNet(BaseArchitecture):
    """A multi-scale U-Net of residual blocks, after DRUNet (Zhang et al., 2021).

    A Conv 3x3 head, then ``depth`` stages that each apply ``blocks`` residual
    blocks (Conv 3x3 + ReLU + Conv 3x3, plus the input) and halve the size with a
    2x2 stride-2 convolution that doubles the channels; ``blocks`` residual blocks
    at the coarsest scale; ``depth`` stages that double the size with a 2x2
    stride-2 transposed convolution, add the matching encoder maps and apply
    ``blocks`` residual blocks; a Conv 3x3 tail predicts the noise, which is
    subtracted from the input. No convolution has a bias and there is no batch
    normalisation, as in DRUNet: a bias-free network generalises across noise
    levels. The tail starts at zero, so training starts from the identity map.

    Most of the work happens at the coarse scales, where a 3x3 convolution
    costs a quarter as much per input pixel per stage, so the network sees a
    large neighbourhood (about 16 ``2**depth`` pixels across with the defaults)
    for far fewer operations than a plain stack of full-resolution layers: it
    learns more per FLOP, which matters when training on a CPU.
    ``encode`` returns the coarsest maps (``channels * 2**depth`` maps of
    ``1 / 2**depth`` the image size); ``decode`` is not available because the
    decoder needs the skip connections.

    Parameters
    ----------
    depth : int, default=2
        Number of down-sampling stages; images are padded to multiples of
        ``2**depth``. DRUNet uses 3.
    channels : int, default=32
        Channels at full resolution, doubled at each stage (DRUNet: 64).
    blocks : int, default=2
        Residual blocks per stage (DRUNet: 4).

    Examples
    --------
    >>> import torch
    >>> from skdae.architectures import ResidualUNet
    >>> net = ResidualUNet(depth=2, channels=8, blocks=1).build()
    >>> x = torch.rand(1, 1, 12, 16)
    >>> bool(torch.equal(net(x), x))  # starts as the identity
    True
    >>> net.size_multiple
    4
    """

    _parameter_constraints: dict = {
        "depth": [Interval(numbers.Integral, 1, None, closed="left")],
        "channels": [Interval(numbers.Integral, 1, None, closed="left")],
        "blocks": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(self, depth=2, channels=32, blocks=2):
        self.depth = depth
        self.channels = channels
        self.blocks = blocks

    def build(self, n_channels=1):
        """Validate the parameters and return a new residual U-Net.

        Parameters
        ----------
        n_channels : int, default=1
            Channels of the images: the network's input and output channels.

        Returns
        -------
        network : torch.nn.Module
            Starts as the identity map; ``size_multiple = 2**depth``.
        """
        self._validate_params()
        return _ResidualUNet(
            int(self.depth), int(self.channels), int(self.blocks), int(n_channels)
        )
