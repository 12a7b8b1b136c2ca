"""Run a network on images of any size by padding to the size it needs."""

import torch.nn.functional as F
from torch import nn


class PaddedNetwork(nn.Module):
    """Wrap ``architecture.build()`` so it accepts any image size.

    Inputs are padded at the bottom and right (replicating the border pixels) to
    the next multiple of ``network.size_multiple`` and outputs are cropped back,
    so the loss is computed on the original pixels only. The network is built
    for images of ``n_channels`` channels.
    """

    def __init__(self, architecture, n_channels=1):
        super().__init__()
        self.network = architecture.build(n_channels=n_channels)
        self.multiple = int(getattr(self.network, "size_multiple", 1))

    @property
    def fully_convolutional(self):
        """Whether the network denoises images of any size (its own declaration)."""
        return bool(getattr(self.network, "fully_convolutional", True))

    def _pad(self, x):
        h, w = x.shape[-2:]
        pad_h, pad_w = -h % self.multiple, -w % self.multiple
        if pad_h or pad_w:
            x = F.pad(x, (0, pad_w, 0, pad_h), mode="replicate")
        return x

    def forward(self, x):
        h, w = x.shape[-2:]
        return self.network(self._pad(x))[..., :h, :w]

    def has(self, method):
        """Whether the wrapped network offers ``encode``/``decode``."""
        return callable(getattr(self.network, method, None))

    def encode(self, x):
        return self.network.encode(self._pad(x))

    def decode(self, z, image_shape):
        h, w = image_shape
        return self.network.decode(z)[..., :h, :w]
