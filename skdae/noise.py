"""Noise models: scikit-learn transformers that corrupt images.

Every noise model is *stateless*: ``fit`` only validates its parameters and
records ``n_features_in_``; ``transform`` returns a new, corrupted array and never
writes to its input. Noise is drawn afresh on every call to ``transform`` when
``random_state`` is ``None``; an int ``random_state`` gives the same noise for the
same input shape on every call.

Inside a :class:`~sklearn.pipeline.Pipeline` a noise model corrupts the data that
flows through it **both** at fit time (``fit_transform``) and at prediction or
scoring time (``transform``). Use it as a pipeline step to measure how a denoiser
copes with a given corruption (a robustness sweep). To corrupt training batches
only, pass the noise model as the ``noise`` parameter of
:class:`~skdae.DenoisingAutoencoder` instead, and corrupt test data in the scorer
(:func:`skdae.metrics.make_denoising_scorer`).
"""

import numbers
from abc import abstractmethod

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import validate_data

from ._random import draw_seed, torch_generator
from ._tensors import as_tensor

__all__ = ["BaseNoise", "GaussianNoise", "SaltPepperNoise"]


class BaseNoise(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Base class for skdae noise models.

    A subclass declares its parameters in ``__init__`` (stored unchanged, as in
    every scikit-learn estimator), lists their constraints in
    ``_parameter_constraints`` and implements :meth:`corrupt`, which works on
    :class:`torch.Tensor` objects so that the very same code corrupts NumPy arrays
    in :meth:`transform` and training batches on any device inside
    :class:`~skdae.DenoisingAutoencoder`.
    """

    _parameter_constraints: dict = {"random_state": ["random_state"]}

    @abstractmethod
    def corrupt(self, x, generator):
        """Return a corrupted copy of the tensor ``x``.

        Parameters
        ----------
        x : torch.Tensor
            Images of any shape, values expected in [0, 1]. Never modified.
        generator : torch.Generator
            Source of randomness, on the same device as ``x``.

        Returns
        -------
        torch.Tensor
            A new tensor with the same shape, dtype and device as ``x``.
        """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Validate the parameters and record the number of features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Images, flat or with image dimensions.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The noise model.
        """
        validate_data(
            self, X, reset=True, allow_nd=True, dtype=(np.float64, np.float32)
        )
        return self

    def transform(self, X):
        """Return a corrupted copy of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Images, values expected in [0, 1]. Not modified.

        Returns
        -------
        X_noisy : ndarray of the same shape as X
            float32 input stays float32; any other input becomes float64.
        """
        self._validate_params()
        X = validate_data(
            self,
            X,
            reset=False,
            allow_nd=True,
            dtype=(np.float64, np.float32),
        )
        x = as_tensor(X)
        generator = torch_generator(draw_seed(self.random_state))
        return self.corrupt(x, generator).numpy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class GaussianNoise(BaseNoise):
    """Additive Gaussian noise: ``x + sigma * N(0, 1)``, clipped to [0, 1].

    This is the corruption of the reference recipe (``sigma=0.5``, clipped).

    Parameters
    ----------
    sigma : float, default=0.5
        Standard deviation of the noise, in units of the data range. Must be
        non-negative and finite.
    clip : bool, default=True
        Clip the noisy images to [0, 1], so they remain valid images.
    random_state : int, RandomState instance or None, default=None
        Controls the noise. ``None`` draws new noise on every call to
        ``transform``; an int gives identical noise on every call for inputs of the
        same shape.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :meth:`fit` (only set if fit was called).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :meth:`fit`, for DataFrame input.

    See Also
    --------
    SaltPepperNoise : Impulse noise.
    DenoisingAutoencoder : Learns to remove the noise.

    Examples
    --------
    >>> import numpy as np
    >>> from skdae import GaussianNoise
    >>> X = np.full((2, 4), 0.5)
    >>> X_noisy = GaussianNoise(sigma=0.1, random_state=0).fit_transform(X)
    >>> X_noisy.shape
    (2, 4)
    >>> bool(np.all((X_noisy >= 0) & (X_noisy <= 1)))
    True
    >>> bool(np.array_equal(X, np.full((2, 4), 0.5)))  # input untouched
    True
    """

    _parameter_constraints: dict = {
        **BaseNoise._parameter_constraints,
        "sigma": [Interval(numbers.Real, 0, None, closed="left")],
        "clip": ["boolean"],
    }

    def __init__(self, sigma=0.5, *, clip=True, random_state=None):
        self.sigma = sigma
        self.clip = clip
        self.random_state = random_state

    def corrupt(self, x, generator):
        noise = torch.randn(
            x.shape, generator=generator, dtype=x.dtype, device=x.device
        )
        out = torch.add(x, noise, alpha=float(self.sigma))
        if self.clip:
            out.clamp_(0.0, 1.0)
        return out


class SaltPepperNoise(BaseNoise):
    """Impulse noise: a fraction of pixels set to 1 (salt) or 0 (pepper).

    Each pixel is independently replaced with probability ``amount``; a replaced
    pixel becomes 1 with probability ``salt_vs_pepper`` and 0 otherwise.

    Parameters
    ----------
    amount : float, default=0.1
        Fraction of pixels replaced, in [0, 1].
    salt_vs_pepper : float, default=0.5
        Fraction of replaced pixels that become salt (1), in [0, 1].
    random_state : int, RandomState instance or None, default=None
        Controls the noise, as in :class:`GaussianNoise`.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :meth:`fit` (only set if fit was called).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :meth:`fit`, for DataFrame input.

    See Also
    --------
    GaussianNoise : Additive Gaussian noise.

    Examples
    --------
    >>> import numpy as np
    >>> from skdae import SaltPepperNoise
    >>> X = np.full((100, 100), 0.5)
    >>> X_noisy = SaltPepperNoise(amount=0.2, random_state=0).fit_transform(X)
    >>> changed = X_noisy != 0.5
    >>> round(float(changed.mean()), 1)
    0.2
    >>> sorted(set(np.unique(X_noisy[changed]).tolist()))
    [0.0, 1.0]
    """

    _parameter_constraints: dict = {
        **BaseNoise._parameter_constraints,
        "amount": [Interval(numbers.Real, 0, 1, closed="both")],
        "salt_vs_pepper": [Interval(numbers.Real, 0, 1, closed="both")],
    }

    def __init__(self, amount=0.1, *, salt_vs_pepper=0.5, random_state=None):
        self.amount = amount
        self.salt_vs_pepper = salt_vs_pepper
        self.random_state = random_state

    def corrupt(self, x, generator):
        hit = torch.rand(x.shape, generator=generator, device=x.device)
        salt = torch.rand(x.shape, generator=generator, device=x.device)
        impulse = (salt < float(self.salt_vs_pepper)).to(x.dtype)
        return torch.where(hit < float(self.amount), impulse, x)
