"""A user's own torch.nn.Module class as the network."""

import inspect

from torch import nn

from .._param_validation import SubclassOf
from ._base import BaseArchitecture


class CustomArchitecture(BaseArchitecture):
    """Your own :class:`torch.nn.Module` class as the network.

    ``module(**module_kwargs)`` must map ``(n, c, h, w)`` float tensors to the
    same shape. Define ``encode(x)`` and ``decode(z)`` methods on it to use
    :meth:`~skdae.DenoisingAutoencoder.encode`/``decode``, and a
    ``size_multiple`` attribute if it needs image sides divisible by a number.

    Channels: if ``module.__init__`` accepts an ``n_channels`` keyword, it is
    passed the number of channels of the images (1 for grayscale, 3 for RGB);
    otherwise the module is taken to be a grayscale
    network and colour images are refused with an error that says so.

    Image size: skdae's estimator denoises images of any size with a fully
    convolutional network. A network that only works for the size it was
    trained on (one with a fully connected layer, say) declares so with a class
    attribute ``fully_convolutional = False``; ``transform`` then requires the
    size seen in ``fit``.

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

    def build(self, n_channels=1):
        """Validate the parameters and return ``module(**module_kwargs)``.

        Parameters
        ----------
        n_channels : int, default=1
            Channels of the images, passed as the keyword ``n_channels`` when
            ``module`` accepts it.

        Returns
        -------
        network : torch.nn.Module
            A new instance of ``module``.

        Raises
        ------
        ValueError
            If ``n_channels`` is not 1 and ``module`` takes no ``n_channels``
            keyword.
        """
        self._validate_params()
        kwargs = dict(self.module_kwargs or {})
        if _accepts_n_channels(self.module):
            kwargs.setdefault("n_channels", int(n_channels))
        elif n_channels != 1:
            raise ValueError(
                f"The images have {n_channels} channels but {self.module.__name__} "
                "takes no n_channels keyword argument, so it is taken to be a "
                "grayscale (1-channel) network. Add an n_channels parameter to "
                "its __init__ and build its first and last layers with it."
            )
        return self.module(**kwargs)


def _accepts_n_channels(module):
    """Whether ``module.__init__`` takes an ``n_channels`` keyword argument."""
    try:
        parameters = inspect.signature(module).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(
        p.name == "n_channels" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        for p in parameters
    )
