"""The reference convolutional autoencoder: the network and its specification."""

from torch import nn

from .._param_validation import PositiveIntPair
from ._base import BaseArchitecture


class ReferenceAutoencoder(nn.Module):
    """The reference convolutional denoising autoencoder.

    Encoder: Conv 1→32 3x3 (padding 1) + ReLU + MaxPool 2, Conv 32→64 3x3
    (padding 1) + ReLU + MaxPool 2. Decoder: ConvTranspose 64→32 2x2 stride 2 +
    ReLU, ConvTranspose 32→1 2x2 stride 2 + Sigmoid. An ``(n, 1, h, w)`` input with
    ``h`` and ``w`` divisible by 4 gives an ``(n, 64, h/4, w/4)`` code and an
    output of the input's shape with values in (0, 1).

    Parameters
    ----------
    channels : tuple of two ints, default=(32, 64)
        Output channels of the first and second convolution.
    n_channels : int, default=1
        Channels of the images (input and output).

    Examples
    --------
    >>> import torch
    >>> from skdae.networks import ReferenceAutoencoder
    >>> net = ReferenceAutoencoder()
    >>> net.encode(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 64, 7, 7])
    >>> net(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 1, 28, 28])
    """

    #: Height and width of the input must be multiples of this.
    size_multiple = 4

    def __init__(self, channels=(32, 64), n_channels=1):
        super().__init__()
        c1, c2 = channels
        self.encoder = nn.Sequential(
            nn.Conv2d(n_channels, c1, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(c2, c1, kernel_size=2, stride=2),
            nn.ReLU(),
            nn.ConvTranspose2d(c1, n_channels, kernel_size=2, stride=2),
            nn.Sigmoid(),
        )

    def encode(self, x):
        """Latent code of ``x``: ``(n, channels[1], h/4, w/4)``."""
        return self.encoder(x)

    def decode(self, z):
        """Images reconstructed from the latent code ``z``."""
        return self.decoder(z)

    def forward(self, x):
        return self.decoder(self.encoder(x))


class Reference(BaseArchitecture):
    """The reference convolutional autoencoder (see :class:`~skdae.networks.ReferenceAutoencoder`).

    Two conv + max-pool stages (1→32→64 channels), two transposed-conv stages back
    to one channel, sigmoid output. Its latent code (``encode``) has
    ``channels[1]`` maps of a quarter of the image size.

    Parameters
    ----------
    channels : tuple of two ints, default=(32, 64)
        Channels of the first and second convolution.

    Examples
    --------
    >>> from skdae.architectures import Reference
    >>> Reference().build()(__import__("torch").zeros(1, 1, 8, 8)).shape
    torch.Size([1, 1, 8, 8])
    """

    _parameter_constraints: dict = {"channels": [PositiveIntPair()]}

    def __init__(self, channels=(32, 64)):
        self.channels = channels

    def build(self, n_channels=1):
        """Validate the parameters and return a new reference autoencoder.

        Parameters
        ----------
        n_channels : int, default=1
            Channels of the images: the network's input and output channels.

        Returns
        -------
        network : torch.nn.Module
            A :class:`~skdae.networks.ReferenceAutoencoder`
            (``size_multiple = 4``).
        """
        self._validate_params()
        return ReferenceAutoencoder(
            channels=tuple(int(c) for c in self.channels), n_channels=int(n_channels)
        )
