"""The base class of architecture specifications."""

from abc import ABCMeta, abstractmethod

from sklearn.base import BaseEstimator


class BaseArchitecture(BaseEstimator, metaclass=ABCMeta):
    """Base class of architecture specifications.

    A subclass stores its parameters in ``__init__`` (unchanged, as in every
    scikit-learn estimator), lists their constraints in ``_parameter_constraints``
    and implements :meth:`build`, which starts with ``self._validate_params()``.
    The class is abstract: it cannot be instantiated, nor can a subclass that does
    not implement :meth:`build`.

    Examples
    --------
    >>> from torch import nn
    >>> from skdae.architectures import BaseArchitecture
    >>> class Shallow(BaseArchitecture):
    ...     _parameter_constraints = {}
    ...
    ...     def build(self, n_channels=1):
    ...         self._validate_params()
    ...         return nn.Conv2d(n_channels, n_channels, 3, padding=1)
    >>> Shallow().build()(__import__("torch").zeros(1, 1, 5, 5)).shape
    torch.Size([1, 1, 5, 5])
    """

    _parameter_constraints: dict = {}

    @abstractmethod
    def build(self, n_channels=1):
        """Validate the parameters and return a new, randomly initialised network.

        Parameters
        ----------
        n_channels : int, default=1
            Channels of the images (1 for grayscale, 3 for RGB, 4 for RGBA or
            any other number): the network's input and output channels.

        Returns
        -------
        network : torch.nn.Module
            Maps ``(n, n_channels, h, w)`` float tensors to the same shape; ``h``
            and ``w`` must be multiples of its ``size_multiple`` attribute (1 if
            absent). A network that only works for one image size (one that is
            not fully convolutional) sets ``fully_convolutional = False``.
        """
