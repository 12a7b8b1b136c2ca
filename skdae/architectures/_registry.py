"""The named architectures and the resolution of the ``architecture`` parameter."""

from torch import nn

from ._base import BaseArchitecture
from ._custom import CustomArchitecture
from ._reference import Reference, ReferenceAutoencoder
from ._residual import Residual, _DnCNN
from ._residual_unet import ResidualUNet, _ResidualUNet
from ._unet import UNet, _UNet

#: The architecture classes by ``architecture`` name, the one list of the names
#: there are (the estimator's parameter constraint, error messages and the docs'
#: tests read it).
ARCHITECTURES = {
    "reference": Reference,
    "residual": Residual,
    "unet": UNet,
    "resunet": ResidualUNet,
}

#: skdae's own network classes (exact types, not subclasses): they never ``view``
#: a feature map, so they can run in the channels-last memory format.
OWN_NETWORKS = (ReferenceAutoencoder, _DnCNN, _UNet, _ResidualUNet)


def resolve_architecture(architecture):
    """Turn the ``architecture`` parameter into a :class:`BaseArchitecture`.

    Parameters
    ----------
    architecture : str, BaseArchitecture or type
        A name from :data:`ARCHITECTURES` (``"reference"``, ``"residual"``,
        ``"unet"``, ``"resunet"``), an architecture object (returned as it is) or a
        :class:`torch.nn.Module` subclass (wrapped in a
        :class:`CustomArchitecture`).

    Returns
    -------
    architecture : BaseArchitecture
        The architecture specification.

    Examples
    --------
    >>> from skdae.architectures import resolve_architecture
    >>> resolve_architecture("unet")
    UNet()
    """
    if isinstance(architecture, BaseArchitecture):
        return architecture
    names = ", ".join(repr(name) for name in ARCHITECTURES)
    if isinstance(architecture, str):
        if architecture not in ARCHITECTURES:
            raise ValueError(
                f"architecture must be one of {names}, an architecture object or a "
                f"torch.nn.Module subclass; got {architecture!r}."
            )
        return ARCHITECTURES[architecture]()
    if isinstance(architecture, type) and issubclass(architecture, nn.Module):
        return CustomArchitecture(architecture)
    raise TypeError(
        f"architecture must be a name ({names}), an architecture object from "
        "skdae.architectures or a torch.nn.Module subclass; got "
        f"{architecture!r}."
    )
