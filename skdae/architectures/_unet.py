"""A small U-Net: the network and its specification."""

import numbers

import torch
from sklearn.utils._param_validation import Interval
from torch import nn

from ._base import BaseArchitecture


def _double_conv(c_in, c_out):
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class _UNet(nn.Module):
    """``depth`` down and up stages with skip connections; ``x - noise``."""

    def __init__(self, depth, channels, n_channels=1):
        super().__init__()
        self.size_multiple = 2**depth
        widths = [channels * 2**i for i in range(depth + 1)]
        self.down = nn.ModuleList(
            [_double_conv(n_channels, widths[0])]
            + [_double_conv(widths[i], widths[i + 1]) for i in range(depth)]
        )
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList(
            [
                nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2)
                for i in range(depth)
            ]
        )
        self.merge = nn.ModuleList(
            [_double_conv(2 * widths[i], widths[i]) for i in range(depth)]
        )
        self.head = nn.Conv2d(widths[0], n_channels, 1)
        nn.init.zeros_(self.head.weight)  # residual output starts as the identity
        nn.init.zeros_(self.head.bias)

    def _encode_all(self, x):
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else self.pool(x))
            skips.append(x)
        return skips

    def encode(self, x):
        return self._encode_all(x)[-1]

    def forward(self, x):
        skips = self._encode_all(x)
        y = skips[-1]
        for i in reversed(range(len(self.up))):
            y = self.merge[i](torch.cat([self.up[i](y), skips[i]], dim=1))
        return x - self.head(y)


class UNet(BaseArchitecture):
    """A small U-Net with skip connections and a residual output.

    ``depth`` down-sampling stages (two Conv 3x3 + BatchNorm + ReLU, then MaxPool
    2), doubling the channels each time, and as many up-sampling stages
    (ConvTranspose 2x2 stride 2, concatenation with the matching encoder maps, two
    Conv 3x3 + BatchNorm + ReLU); a 1x1 convolution predicts the noise, which is
    subtracted from the input. The output layer starts at zero, so training starts
    from the identity map. ``encode`` returns the bottleneck maps
    (``channels * 2**depth`` maps of ``1 / 2**depth`` the image size); ``decode``
    is not available because the decoder needs the skip connections.

    Parameters
    ----------
    depth : int, default=2
        Number of down-sampling stages; images are padded to multiples of
        ``2**depth``.
    channels : int, default=32
        Channels of the first stage.

    Examples
    --------
    >>> import torch
    >>> from skdae.architectures import UNet
    >>> UNet(depth=2, channels=8).build()(torch.zeros(1, 1, 12, 16)).shape
    torch.Size([1, 1, 12, 16])
    """

    _parameter_constraints: dict = {
        "depth": [Interval(numbers.Integral, 1, None, closed="left")],
        "channels": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(self, depth=2, channels=32):
        self.depth = depth
        self.channels = channels

    def build(self, n_channels=1):
        """Validate the parameters and return a new U-Net.

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
        return _UNet(int(self.depth), int(self.channels), int(n_channels))
