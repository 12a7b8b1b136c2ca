"""PyTorch networks used by :class:`~skdae.DenoisingAutoencoder`."""

from torch import nn

__all__ = ["ReferenceAutoencoder"]


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

    def __init__(self, channels=(32, 64)):
        super().__init__()
        c1, c2 = channels
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c1, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(c2, c1, kernel_size=2, stride=2),
            nn.ReLU(),
            nn.ConvTranspose2d(c1, 1, kernel_size=2, stride=2),
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
