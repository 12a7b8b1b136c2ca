"""DnCNN-style residual denoiser: the network and its specification."""

import numbers

from sklearn.utils._param_validation import Interval
from torch import nn

from ._base import BaseArchitecture


class _DnCNN(nn.Module):
    """Conv + ReLU, ``depth - 2`` Conv + BatchNorm + ReLU, Conv; ``x - noise``."""

    size_multiple = 1

    def __init__(self, depth, channels, n_channels=1):
        super().__init__()
        layers = [nn.Conv2d(n_channels, channels, 3, padding=1), nn.ReLU(inplace=True)]
        for _ in range(depth - 2):
            layers += [
                nn.Conv2d(channels, channels, 3, padding=1, bias=False),
                nn.BatchNorm2d(channels),
                nn.ReLU(inplace=True),
            ]
        layers.append(nn.Conv2d(channels, n_channels, 3, padding=1))
        self.body = nn.Sequential(*layers)
        # start as the identity map: the predicted noise is zero
        nn.init.zeros_(self.body[-1].weight)
        nn.init.zeros_(self.body[-1].bias)

    def forward(self, x):
        return x - self.body(x)


class Residual(BaseArchitecture):
    """DnCNN-style residual denoiser (Zhang et al., 2017).

    A first Conv 3x3 + ReLU, ``depth - 2`` blocks of Conv 3x3 + BatchNorm + ReLU
    and a last Conv 3x3 that predicts the noise, which is subtracted from the
    input. The last layer starts at zero, so training starts from the identity map
    (no dead start). There is no bottleneck: :meth:`~skdae.DenoisingAutoencoder.encode`
    and ``decode`` raise an error for this architecture.

    Parameters
    ----------
    depth : int, default=8
        Number of convolution layers (at least 2). DnCNN uses 17; 8 is a good
        trade-off on a CPU.
    channels : int, default=32
        Feature maps per hidden layer (DnCNN uses 64).

    Examples
    --------
    >>> import torch
    >>> from skdae.architectures import Residual
    >>> net = Residual(depth=4, channels=8).build()
    >>> x = torch.rand(2, 1, 9, 7)
    >>> bool(torch.equal(net(x), x))  # starts as the identity
    True
    """

    _parameter_constraints: dict = {
        "depth": [Interval(numbers.Integral, 2, None, closed="left")],
        "channels": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(self, depth=8, channels=32):
        self.depth = depth
        self.channels = channels

    def build(self, n_channels=1):
        """Validate the parameters and return a new DnCNN-style network.

        Parameters
        ----------
        n_channels : int, default=1
            Channels of the images: the network's input and output channels.

        Returns
        -------
        network : torch.nn.Module
            Starts as the identity map; any image size (``size_multiple = 1``).
        """
        self._validate_params()
        return _DnCNN(int(self.depth), int(self.channels), int(n_channels))
