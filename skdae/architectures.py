"""Network architectures for :class:`~skdae.DenoisingAutoencoder`.

An architecture is a small specification object with scikit-learn parameters
(``get_params``/``set_params``), so its size can be tuned by
:class:`~sklearn.model_selection.GridSearchCV` as ``architecture__depth`` etc.;
``build()`` returns a fresh :class:`torch.nn.Module`. Every built module maps
``(n, 1, h, w)`` images to ``(n, 1, h, w)`` images; ``h`` and ``w`` must be
multiples of ``size_multiple`` (the estimator pads and crops for you).

- :class:`Reference` is the reference autoencoder (the default).
- :class:`Residual` is a DnCNN-style network that predicts the noise and subtracts
  it from its input (residual learning, batch norm, configurable depth).
- :class:`UNet` is a small U-Net with skip connections, also residual.
- :class:`CustomArchitecture` wraps your own :class:`torch.nn.Module` class.
"""

import numbers
from abc import abstractmethod

import torch
from sklearn.base import BaseEstimator
from torch import nn

from .networks import ReferenceAutoencoder

__all__ = [
    "BaseArchitecture",
    "Reference",
    "Residual",
    "UNet",
    "CustomArchitecture",
    "resolve_architecture",
]


class BaseArchitecture(BaseEstimator):
    """Base class of architecture specifications."""

    @abstractmethod
    def build(self):
        """Return a new :class:`torch.nn.Module` (randomly initialised)."""


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

    def __init__(self, channels=(32, 64)):
        self.channels = channels

    def build(self):
        return ReferenceAutoencoder(channels=tuple(self.channels))


class _DnCNN(nn.Module):
    size_multiple = 1

    def __init__(self, depth, channels):
        super().__init__()
        layers = [nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(inplace=True)]
        for _ in range(depth - 2):
            layers += [
                nn.Conv2d(channels, channels, 3, padding=1, bias=False),
                nn.BatchNorm2d(channels),
                nn.ReLU(inplace=True),
            ]
        layers.append(nn.Conv2d(channels, 1, 3, padding=1))
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

    def __init__(self, depth=8, channels=32):
        self.depth = depth
        self.channels = channels

    def build(self):
        _check_int("depth", self.depth, 2)
        _check_int("channels", self.channels, 1)
        return _DnCNN(int(self.depth), int(self.channels))


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
    def __init__(self, depth, channels):
        super().__init__()
        self.size_multiple = 2**depth
        widths = [channels * 2**i for i in range(depth + 1)]
        self.down = nn.ModuleList(
            [_double_conv(1, widths[0])]
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
        self.head = nn.Conv2d(widths[0], 1, 1)
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

    def __init__(self, depth=2, channels=32):
        self.depth = depth
        self.channels = channels

    def build(self):
        _check_int("depth", self.depth, 1)
        _check_int("channels", self.channels, 1)
        return _UNet(int(self.depth), int(self.channels))


class CustomArchitecture(BaseArchitecture):
    """Your own :class:`torch.nn.Module` class as the network.

    ``module(**module_kwargs)`` must map ``(n, 1, h, w)`` float tensors to the
    same shape. Define ``encode(x)`` and ``decode(z)`` methods on it to use
    :meth:`~skdae.DenoisingAutoencoder.encode`/``decode``, and a
    ``size_multiple`` attribute if it needs image sides divisible by a number.

    Parameters
    ----------
    module : type
        A :class:`torch.nn.Module` subclass (the class, not an instance).
    module_kwargs : dict or None, default=None
        Keyword arguments for ``module``.

    Examples
    --------
    >>> from torch import nn
    >>> from skdae.architectures import CustomArchitecture
    >>> class Tiny(nn.Module):
    ...     def __init__(self, width=4):
    ...         super().__init__()
    ...         self.net = nn.Sequential(nn.Conv2d(1, width, 3, padding=1),
    ...                                  nn.ReLU(), nn.Conv2d(width, 1, 3, padding=1))
    ...     def forward(self, x):
    ...         return x - self.net(x)
    >>> arch = CustomArchitecture(Tiny, {"width": 8})
    >>> arch.build().net[0].out_channels
    8
    """

    def __init__(self, module, module_kwargs=None):
        self.module = module
        self.module_kwargs = module_kwargs

    def build(self):
        if not (isinstance(self.module, type) and issubclass(self.module, nn.Module)):
            raise TypeError(
                "CustomArchitecture(module=...) needs a torch.nn.Module subclass, got "
                f"{self.module!r}."
            )
        return self.module(**(self.module_kwargs or {}))


_NAMED = {"reference": Reference, "residual": Residual, "unet": UNet}


def resolve_architecture(architecture):
    """Turn the ``architecture`` parameter into a :class:`BaseArchitecture`."""
    if isinstance(architecture, BaseArchitecture):
        return architecture
    if isinstance(architecture, str):
        if architecture not in _NAMED:
            raise ValueError(
                f"architecture must be one of {sorted(_NAMED)}, an architecture "
                f"object or a torch.nn.Module subclass; got {architecture!r}."
            )
        return _NAMED[architecture]()
    if isinstance(architecture, type) and issubclass(architecture, nn.Module):
        return CustomArchitecture(architecture)
    raise TypeError(
        "architecture must be a name ('reference', 'residual', 'unet'), an "
        "architecture object from skdae.architectures or a torch.nn.Module "
        f"subclass; got {architecture!r}."
    )


def _check_int(name, value, low):
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or value < low
    ):
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}.")
