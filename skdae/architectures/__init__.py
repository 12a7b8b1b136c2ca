"""Network architectures for :class:`~skdae.DenoisingAutoencoder`.

An architecture is a small specification object with scikit-learn parameters
(``get_params``/``set_params``), so its size can be tuned by
:class:`~sklearn.model_selection.GridSearchCV` as ``architecture__depth`` etc.;
``build()`` validates them and returns a fresh :class:`torch.nn.Module`. Every
built module maps ``(n, 1, h, w)`` images to ``(n, 1, h, w)`` images; ``h`` and
``w`` must be multiples of ``size_multiple`` (the estimator pads and crops for
you).

- :class:`Reference` is the reference autoencoder (the default).
- :class:`Residual` is a DnCNN-style network that predicts the noise and subtracts
  it from its input (residual learning, batch norm, configurable depth).
- :class:`UNet` is a small U-Net with skip connections, also residual.
- :class:`ResidualUNet` is a multi-scale U-Net of residual blocks (DRUNet-style,
  bias-free): the most capable per FLOP; the shipped photograph denoisers use it.
- :class:`CustomArchitecture` wraps your own :class:`torch.nn.Module` class.

Each architecture lives in its own private module together with its network;
``ARCHITECTURES`` maps the names the estimator accepts to the classes.
"""

from ._base import BaseArchitecture
from ._custom import CustomArchitecture
from ._reference import Reference
from ._registry import ARCHITECTURES, resolve_architecture
from ._residual import Residual
from ._residual_unet import ResidualUNet
from ._unet import UNet

# The networks lived in this module before it became a package: pickles of fitted
# models name them here, so keep the old addresses resolvable.
from ._residual import _DnCNN  # noqa: E402, F401  isort: skip
from ._unet import _UNet  # noqa: E402, F401  isort: skip

__all__ = [
    "ARCHITECTURES",
    "BaseArchitecture",
    "CustomArchitecture",
    "Reference",
    "Residual",
    "ResidualUNet",
    "UNet",
    "resolve_architecture",
]
