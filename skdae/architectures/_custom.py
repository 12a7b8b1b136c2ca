"""A user's own torch.nn.Module class as the network."""

from torch import nn

from .._param_validation import SubclassOf
from ._base import BaseArchitecture


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

    _parameter_constraints: dict = {
        "module": [SubclassOf(nn.Module)],
        "module_kwargs": [None, dict],
    }

    def __init__(self, module, module_kwargs=None):
        self.module = module
        self.module_kwargs = module_kwargs

    def build(self):
        """Validate the parameters and return ``module(**module_kwargs)``.

        Returns
        -------
        network : torch.nn.Module
            A new instance of ``module``.
        """
        self._validate_params()
        return self.module(**(self.module_kwargs or {}))
