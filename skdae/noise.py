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

Noise levels (``sigma``, ``amount``, ``peak``) are either a number or a range
``(low, high)``: with a range, every image gets its own level drawn uniformly in
``[low, high]``, so one denoiser can be trained for a whole span of noise levels
(blind denoising). :class:`NoiseMixture` and :class:`NoiseSequence` combine noise
models.
"""

import math
import numbers
from abc import ABCMeta, abstractmethod

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval, InvalidParameterError
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.validation import validate_data

from ._images import (
    check_has_pixels,
    check_image_shape_param,
    resolve_flat_shape,
    warn_if_not_unit_range,
)
from ._param_validation import ImageShape
from ._random import draw_seed, torch_generator
from ._tensors import as_array_like, tensor_copy

__all__ = [
    "BaseNoise",
    "GaussianNoise",
    "MaskingNoise",
    "NoiseMixture",
    "NoiseSequence",
    "PoissonNoise",
    "SaltPepperNoise",
    "SpeckleNoise",
]


def _is_range(value):
    """Whether a level parameter is a ``(low, high)`` range, not a number."""
    return isinstance(value, (tuple, list))


class _Level(Interval):
    """Constraint for a noise level: a finite number in the interval, or a pair.

    A pair ``(low, high)`` (tuple or list) of finite numbers in the interval with
    ``low <= high`` asks for one level per image, drawn uniformly in the range.
    """

    def _number_ok(self, val):
        return (
            isinstance(val, numbers.Real)
            and not isinstance(val, bool)
            and math.isfinite(val)
            and super().is_satisfied_by(val)
        )

    def is_satisfied_by(self, val):
        if _is_range(val):
            return (
                len(val) == 2
                and all(self._number_ok(v) for v in val)
                and val[0] <= val[1]
            )
        return self._number_ok(val)

    def __str__(self):
        interval = super().__str__().replace("a float", "a finite float", 1)
        return f"{interval}, or a pair (low, high) of such floats with low <= high"


class BaseNoise(
    OneToOneFeatureMixin, TransformerMixin, BaseEstimator, metaclass=ABCMeta
):
    """Base class for skdae noise models.

    A subclass declares its parameters in ``__init__`` (stored unchanged, as in
    every scikit-learn estimator), lists their constraints in
    ``_parameter_constraints`` and implements :meth:`corrupt`, which works on
    :class:`torch.Tensor` objects so that the very same code corrupts NumPy arrays
    in :meth:`transform` and training batches on any device inside
    :class:`~skdae.DenoisingAutoencoder`.

    A noise level parameter may be a number or a range ``(low, high)``: the
    subclass declares it with a level constraint and reads it in :meth:`corrupt`
    through :meth:`_draw_level`, which returns one level per image.

    Colour images: skdae's noise models are elementwise. Every value of every
    channel gets its own independent draw, and a level range gives one level
    per image, shared by all its channels; the same holds for the batches of
    random patches of ``DenoisingAutoencoder(patch_size=...)``.

    The class is abstract: it cannot be instantiated, nor can a subclass that does
    not implement :meth:`corrupt`. Test your subclass against the whole contract
    with :func:`~skdae.utils.estimator_checks.check_noise_model`.
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

    @staticmethod
    def _draw_level(value, x, generator):
        """One noise level per image of ``x``, as a broadcastable tensor.

        Parameters
        ----------
        value : float or (float, float)
            A fixed level, or a range ``(low, high)`` in which each image's level
            is drawn uniformly (this draw uses ``generator``; a fixed level draws
            nothing).
        x : torch.Tensor of shape (n, ...)
            The images; the first axis indexes them.
        generator : torch.Generator
            Source of randomness, on the same device as ``x``.

        Returns
        -------
        torch.Tensor of shape (n, 1, ..., 1)
            As many dimensions as ``x``; dtype of ``x`` (float32 if ``x`` is not a
            floating-point tensor) on the device of ``x``.
        """
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        dtype = x.dtype if x.is_floating_point() else torch.float32
        if _is_range(value):
            low, high = float(value[0]), float(value[1])
            if low != high:
                u = torch.rand(shape, generator=generator, dtype=dtype, device=x.device)
                return u * (high - low) + low
            value = low
        return torch.full(shape, float(value), dtype=dtype, device=x.device)

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
        self._check_images(X, reset=True)
        return self

    def transform(self, X):
        """Return a corrupted copy of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Images, values expected in [0, 1] (a warning says when they are
            not). Not modified.

        Returns
        -------
        X_noisy : ndarray of the same shape as X
            float32 input stays float32; any other input becomes float64.
        """
        self._validate_params()
        X = self._check_images(X, reset=False)
        warn_if_not_unit_range(
            X,
            "The images given to the noise model",
            consequence=f"{type(self).__name__} models noise on images in [0, 1] "
            "(and most noise models clip their output to that range).",
            stacklevel=4,  # helper, transform, set_output's wrapper, the caller
        )
        x = tensor_copy(X)  # a copy: corrupt (maybe a user's) may write to it
        generator = torch_generator(draw_seed(self.random_state))
        return self.corrupt(x, generator).numpy()

    def _check_images(self, X, *, reset):
        """``X`` as a float array with pixels; records or checks its features."""
        X = as_array_like(X)
        check_has_pixels(X)
        X = validate_data(
            self, X, reset=reset, allow_nd=True, dtype=(np.float64, np.float32)
        )
        check_has_pixels(X)  # again: lists have no shape before conversion
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


def _clip(out, clip):
    return out.clamp_(0.0, 1.0) if clip else out


def _standard_normal(x, generator):
    """N(0, 1) noise of the shape, dtype and device of ``x``."""
    return torch.randn(x.shape, generator=generator, dtype=x.dtype, device=x.device)


class GaussianNoise(BaseNoise):
    """Additive Gaussian noise: ``x + sigma * N(0, 1)``, clipped to [0, 1].

    This is the corruption of the reference recipe (``sigma=0.5``, clipped).
    In colour images each channel of each pixel gets its own independent draw
    (noise of standard deviation ``sigma`` in every channel, as in the standard
    colour-denoising benchmarks).

    Parameters
    ----------
    sigma : float or (float, float), default=0.5
        Standard deviation of the noise, in units of the data range. Must be
        non-negative and finite. A range ``(low, high)`` draws one standard
        deviation per image, uniformly in ``[low, high]``.
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
    SpeckleNoise : Multiplicative Gaussian noise.
    PoissonNoise : Shot noise.
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

    One noise level per image, drawn in a range (blind denoising):

    >>> X = np.full((1000, 400), 0.5)
    >>> noise = GaussianNoise(sigma=(0.0, 0.4), clip=False, random_state=0)
    >>> stds = (noise.fit_transform(X) - X).std(axis=1)
    >>> bool(stds.min() < 0.02 and stds.max() > 0.38)
    True
    """

    _parameter_constraints: dict = {
        **BaseNoise._parameter_constraints,
        "sigma": [_Level(numbers.Real, 0, None, closed="left")],
        "clip": ["boolean"],
    }

    def __init__(self, sigma=0.5, *, clip=True, random_state=None):
        self.sigma = sigma
        self.clip = clip
        self.random_state = random_state

    def corrupt(self, x, generator):
        sigma = self._draw_level(self.sigma, x, generator)
        noise = _standard_normal(x, generator)
        return _clip(x + sigma * noise, self.clip)


class SaltPepperNoise(BaseNoise):
    """Impulse noise: a fraction of pixels set to 1 (salt) or 0 (pepper).

    Each pixel is independently replaced with probability ``amount``; a replaced
    pixel becomes 1 with probability ``salt_vs_pepper`` and 0 otherwise. In
    colour images the channels are independent too: each channel value of each
    pixel is replaced on its own (so a hit pixel usually changes colour rather
    than turning white or black), and ``amount`` is the fraction of channel
    values replaced.

    Parameters
    ----------
    amount : float or (float, float), default=0.1
        Fraction of pixels replaced, in [0, 1]. A range ``(low, high)`` draws one
        fraction per image, uniformly in ``[low, high]``.
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
    MaskingNoise : Pixels or blocks set to a fixed value.

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
        "amount": [_Level(numbers.Real, 0, 1, closed="both")],
        "salt_vs_pepper": [Interval(numbers.Real, 0, 1, closed="both")],
    }

    def __init__(self, amount=0.1, *, salt_vs_pepper=0.5, random_state=None):
        self.amount = amount
        self.salt_vs_pepper = salt_vs_pepper
        self.random_state = random_state

    def corrupt(self, x, generator):
        amount = self._draw_level(self.amount, x, generator)
        hit = torch.rand(x.shape, generator=generator, device=x.device)
        salt = torch.rand(x.shape, generator=generator, device=x.device)
        impulse = (salt < float(self.salt_vs_pepper)).to(x.dtype)
        return torch.where(hit < amount, impulse, x)


class SpeckleNoise(BaseNoise):
    """Multiplicative Gaussian noise: ``x + x * sigma * N(0, 1)``, clipped to [0, 1].

    The noise is proportional to the intensity, as in :func:`skimage.util.random_noise`
    with ``mode="speckle"`` (whose ``var`` is ``sigma ** 2``): black pixels stay
    black and the noise standard deviation at intensity ``x`` is ``sigma * x``.
    In colour images each channel value gets its own independent draw.

    Parameters
    ----------
    sigma : float or (float, float), default=0.2
        Relative standard deviation of the noise. Must be non-negative and finite.
        A range ``(low, high)`` draws one value per image, uniformly in
        ``[low, high]``.
    clip : bool, default=True
        Clip the noisy images to [0, 1], so they remain valid images.
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
    PoissonNoise : Shot noise, also brighter where the image is brighter.

    Examples
    --------
    >>> import numpy as np
    >>> from skdae import SpeckleNoise
    >>> X = np.repeat([[0.0, 0.25, 0.5]], 10000, axis=0)
    >>> X_noisy = SpeckleNoise(sigma=0.2, random_state=0).fit_transform(X)
    >>> (X_noisy - X).std(axis=0).round(2).tolist()  # sigma * x
    [0.0, 0.05, 0.1]
    """

    _parameter_constraints: dict = {
        **BaseNoise._parameter_constraints,
        "sigma": [_Level(numbers.Real, 0, None, closed="left")],
        "clip": ["boolean"],
    }

    def __init__(self, sigma=0.2, *, clip=True, random_state=None):
        self.sigma = sigma
        self.clip = clip
        self.random_state = random_state

    def corrupt(self, x, generator):
        sigma = self._draw_level(self.sigma, x, generator)
        noise = _standard_normal(x, generator)
        return _clip(x + x * sigma * noise, self.clip)


class PoissonNoise(BaseNoise):
    """Shot noise: ``Poisson(x * peak) / peak``, clipped to [0, 1].

    Models photon counting: a pixel of intensity ``x`` records a Poisson number of
    photons with mean ``x * peak``, rescaled back to intensities. The noisy pixel
    has mean ``x`` and variance ``x / peak``, so bright pixels are noisier in
    absolute terms but cleaner relative to their intensity. Negative inputs are
    treated as 0. In colour images each channel value is an independent count.

    Parameters
    ----------
    peak : float or (float, float), default=30.0
        Expected number of photons at intensity 1; must be positive and finite.
        The lower, the noisier. A range ``(low, high)`` draws one peak per image,
        uniformly in ``[low, high]``.
    clip : bool, default=True
        Clip the noisy images to [0, 1], so they remain valid images (without
        clipping, values above 1 occur near intensity 1).
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
    SpeckleNoise : Multiplicative Gaussian noise.

    Examples
    --------
    >>> import numpy as np
    >>> from skdae import PoissonNoise
    >>> X = np.full((100, 100), 0.5)
    >>> X_noisy = PoissonNoise(peak=10, random_state=0).fit_transform(X)
    >>> sorted(np.unique(X_noisy).tolist())[:4]  # multiples of 1 / peak
    [0.0, 0.1, 0.2, 0.3]
    >>> round(float(X_noisy.mean()), 1), round(float(X_noisy.var()), 2)  # x, x/peak
    (0.5, 0.05)
    """

    _parameter_constraints: dict = {
        **BaseNoise._parameter_constraints,
        "peak": [_Level(numbers.Real, 0, None, closed="neither")],
        "clip": ["boolean"],
    }

    def __init__(self, peak=30.0, *, clip=True, random_state=None):
        self.peak = peak
        self.clip = clip
        self.random_state = random_state

    def corrupt(self, x, generator):
        peak = self._draw_level(self.peak, x, generator)
        # torch.poisson needs float32 or float64; compute in one, return x's dtype
        work = x.dtype if x.dtype in (torch.float32, torch.float64) else torch.float32
        peak = peak.to(work)
        rate = (x.to(work) * peak).clamp_(min=0.0)
        out = torch.poisson(rate, generator=generator) / peak
        return _clip(out, self.clip).to(x.dtype)


class MaskingNoise(BaseNoise):
    """Masking noise: pixels, or square blocks of pixels, set to ``fill``.

    With ``block_size=1`` every pixel is independently replaced by ``fill`` with
    probability ``amount`` (dropout of pixels, the masking noise of Vincent et
    al.). With ``block_size=k > 1`` the masked pixels come in ``k x k`` squares:
    square blocks are dropped at random positions (each of the
    ``(height + k - 1) * (width + k - 1)`` possible positions of a block that
    overlaps the image independently, with the probability that makes the next
    sentence true), blocks may overlap and are cut off at the image border. Each
    pixel is then masked with probability exactly ``amount``, as with
    ``block_size=1``: ``amount`` is the expected fraction of each image that is
    covered, whatever the block size. Only the number of masked pixels varies
    more from image to image with large blocks.

    Parameters
    ----------
    amount : float or (float, float), default=0.25
        Probability that a pixel is masked, i.e. expected fraction of each image
        masked, in [0, 1]. A range ``(low, high)`` draws one value per image,
        uniformly in ``[low, high]``.
    block_size : int, default=1
        Side, in pixels, of the square blocks that are masked; 1 masks single
        pixels.
    fill : float, default=0.0
        Value of the masked pixels.
    image_shape : (int, int) or None, default=None
        ``(height, width)`` of the images when ``transform`` receives flat rows
        (2-D ``X``) and ``block_size > 1``; one of the two may be -1 to be
        inferred. ``None`` infers square images. Not used for ``block_size=1``
        or for 3-D ``(n, height, width)`` and 4-D ``(n, channels, height,
        width)`` input, whose last two axes are the image (all channels of an
        image share its blocks).
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
    SaltPepperNoise : Pixels set to 0 or 1.

    Examples
    --------
    >>> import numpy as np
    >>> from skdae import MaskingNoise
    >>> X = np.full((200, 64), 0.5)  # 200 images of 8x8 pixels
    >>> noise = MaskingNoise(amount=0.3, block_size=3, random_state=2)
    >>> X_noisy = noise.fit_transform(X)
    >>> round(float((X_noisy == 0).mean()), 1)
    0.3
    >>> print((X_noisy[0].reshape(8, 8) == 0).astype(int))  # cut off at the border
    [[0 0 0 0 0 1 1 1]
     [0 0 0 0 0 1 1 1]
     [0 0 0 0 0 1 1 1]
     [0 0 0 0 0 0 0 0]
     [0 0 0 0 0 0 0 0]
     [0 0 0 0 0 0 1 1]
     [0 0 0 0 0 0 1 1]
     [0 0 0 0 0 0 1 1]]
    """

    _parameter_constraints: dict = {
        **BaseNoise._parameter_constraints,
        "amount": [_Level(numbers.Real, 0, 1, closed="both")],
        "block_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "fill": [Interval(numbers.Real, None, None, closed="neither")],
        "image_shape": [None, ImageShape()],
    }

    def __init__(
        self,
        amount=0.25,
        *,
        block_size=1,
        fill=0.0,
        image_shape=None,
        random_state=None,
    ):
        self.amount = amount
        self.block_size = block_size
        self.fill = fill
        self.image_shape = image_shape
        self.random_state = random_state

    def corrupt(self, x, generator):
        amount = self._draw_level(self.amount, x, generator)
        k = int(self.block_size)
        if k == 1:
            hit = torch.rand(x.shape, generator=generator, device=x.device)
            return x.masked_fill(hit < amount, float(self.fill))
        n = x.shape[0]
        if x.ndim == 2:
            h, w = resolve_flat_shape(
                x.shape[1], check_image_shape_param(self.image_shape)
            )
        elif x.ndim >= 3:
            h, w = x.shape[-2:]
        else:
            raise ValueError(
                "MaskingNoise with block_size > 1 needs images: flat rows "
                f"(n, height * width) or (n, ..., height, width); got shape "
                f"{tuple(x.shape)}."
            )
        # A pixel stays visible only if none of the k*k block positions covering
        # it is drawn: 1 - (1 - p) ** (k * k) = amount gives the position
        # probability p.
        amount = amount.reshape(n, 1, 1, 1).to(torch.float32)
        p = 1.0 - (1.0 - amount).pow(1.0 / (k * k))
        corners = torch.rand(
            (n, 1, h + k - 1, w + k - 1), generator=generator, device=x.device
        )
        blocks = (corners < p).to(torch.float32)
        mask = F.max_pool2d(blocks, k, stride=1) > 0  # (n, 1, h, w)
        if x.ndim == 2:
            mask = mask.reshape(x.shape)
        else:  # (n, 1, ..., 1, h, w): channels share the blocks
            mask = mask.reshape((n,) + (1,) * (x.ndim - 3) + (h, w))
        return x.masked_fill(mask, float(self.fill))


class _BaseNoiseComposition(BaseNoise, _BaseComposition):
    """Noise model built of named noise models, like the steps of a Pipeline.

    ``noises`` is a list of ``(name, noise)`` pairs; the parameters of the parts
    are reachable as ``<name>__<parameter>`` through ``get_params`` and
    ``set_params``, and a part can be replaced as a whole with ``<name>=noise``.
    """

    _parameter_constraints: dict = {
        **BaseNoise._parameter_constraints,
        "noises": [list],
    }

    @abstractmethod
    def __init__(self):
        pass

    def get_params(self, deep=True):
        """Get the parameters of this noise model and, with deep, of its parts.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parts (as ``<name>``) and their parameters (as
            ``<name>__<parameter>``).

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return self._get_params("noises", deep=deep)

    def set_params(self, **params):
        """Set the parameters of this noise model or of its parts.

        Parameters
        ----------
        **params : dict
            Parameters of this noise model, parts by name (``<name>=noise``) and
            parameters of parts (``<name>__<parameter>=value``).

        Returns
        -------
        self : object
            The noise model.
        """
        self._set_params("noises", **params)
        return self

    def _validate_params(self):
        super()._validate_params()
        noises = self.noises
        kind = type(self).__name__
        if not noises:
            raise InvalidParameterError(
                f"The 'noises' parameter of {kind} must be a non-empty list of "
                "(name, noise) pairs."
            )
        for item in noises:
            if not (
                isinstance(item, tuple)
                and len(item) == 2
                and isinstance(item[0], str)
                and isinstance(item[1], BaseNoise)
            ):
                raise InvalidParameterError(
                    f"The 'noises' parameter of {kind} must be a list of (name, "
                    "noise) pairs of a str and a skdae noise model instance; got "
                    f"the item {item!r}."
                )
        names = [name for name, _ in noises]
        try:
            self._validate_names(names)
        except ValueError as exc:
            raise InvalidParameterError(
                f"Invalid names in the 'noises' parameter of {kind}: {exc}"
            ) from None
        for _, noise in noises:
            noise._validate_params()


class NoiseMixture(_BaseNoiseComposition):
    """Each image corrupted by one noise model, picked at random per image.

    Trains a denoiser for several kinds of corruption at once: every image of a
    batch gets one of the ``noises``, chosen independently with probabilities
    ``weights``.

    Parameters
    ----------
    noises : list of (str, noise model) tuples
        The noise models to pick from, with unique names (as the steps of a
        :class:`~sklearn.pipeline.Pipeline`). Their parameters are reachable as
        ``<name>__<parameter>``, e.g. ``gaussian__sigma``. Their own
        ``random_state`` is not used: the mixture's ``random_state`` controls all
        the noise.
    weights : array-like of shape (n_noises,) or None, default=None
        Relative probabilities of the noise models: non-negative, finite, with a
        positive sum (normalised internally). ``None`` picks them with equal
        probability.
    random_state : int, RandomState instance or None, default=None
        Controls the choice of noise model and the noise, as in
        :class:`GaussianNoise`.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :meth:`fit` (only set if fit was called).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :meth:`fit`, for DataFrame input.

    See Also
    --------
    NoiseSequence : Apply several noise models one after the other.

    Notes
    -----
    Every noise model corrupts the whole batch and each image keeps the result of
    its own pick, which is fast on GPUs; a mixture of ``m`` models costs about as
    much as applying all ``m``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdae import GaussianNoise, NoiseMixture, SaltPepperNoise
    >>> noise = NoiseMixture(
    ...     [("gaussian", GaussianNoise(0.1)), ("impulse", SaltPepperNoise(0.2))],
    ...     weights=[0.7, 0.3],
    ...     random_state=0,
    ... )
    >>> X = np.full((1000, 100), 0.5)
    >>> X_noisy = noise.fit_transform(X)
    >>> impulse = np.isin(X_noisy, [0.0, 1.0]).any(axis=1)  # salt-and-pepper images
    >>> round(float(impulse.mean()), 1)
    0.3
    >>> noise.set_params(gaussian__sigma=0.3).get_params()["gaussian__sigma"]
    0.3
    """

    _parameter_constraints: dict = {
        **_BaseNoiseComposition._parameter_constraints,
        "weights": [None, "array-like"],
    }

    def __init__(self, noises, *, weights=None, random_state=None):
        self.noises = noises
        self.weights = weights
        self.random_state = random_state

    def _validate_params(self):
        super()._validate_params()
        self._probabilities()

    def _probabilities(self):
        """The normalised ``weights`` as a float64 NumPy array."""
        n_noises = len(self.noises)
        if self.weights is None:
            return np.full(n_noises, 1.0 / n_noises)
        msg = (
            "The 'weights' parameter of NoiseMixture must be None or an array-like "
            f"of {n_noises} non-negative finite numbers (one per noise model) with "
            f"a positive sum; got {self.weights!r}."
        )
        try:
            weights = np.asarray(self.weights, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidParameterError(msg) from None
        if (
            weights.shape != (n_noises,)
            or not np.all(np.isfinite(weights))
            or np.any(weights < 0)
            or not weights.sum() > 0
        ):
            raise InvalidParameterError(msg)
        return weights / weights.sum()

    def corrupt(self, x, generator):
        n = x.shape[0]
        # inner boundaries of the cumulative probabilities: image i takes the
        # noise model whose interval [cdf[k - 1], cdf[k]) holds its draw u[i]
        cdf = np.cumsum(self._probabilities())[:-1]
        bounds = torch.as_tensor(cdf, dtype=torch.float64, device=x.device)
        u = torch.rand(n, generator=generator, dtype=torch.float64, device=x.device)
        choice = torch.bucketize(u, bounds, right=True)
        choice = choice.reshape((n,) + (1,) * (x.ndim - 1))
        out = None
        for k, (_, noise) in enumerate(self.noises):
            noisy = noise.corrupt(x, generator)
            out = noisy if out is None else torch.where(choice == k, noisy, out)
        return out


class NoiseSequence(_BaseNoiseComposition):
    """Noise models applied one after the other to every image.

    For example Gaussian noise followed by salt-and-pepper noise, or camera
    sensor noise: shot noise then read noise (:class:`PoissonNoise` then
    :class:`GaussianNoise`).

    Parameters
    ----------
    noises : list of (str, noise model) tuples
        The noise models, applied in this order, with unique names (as the steps
        of a :class:`~sklearn.pipeline.Pipeline`). Their parameters are reachable
        as ``<name>__<parameter>``, e.g. ``gaussian__sigma``. Their own
        ``random_state`` is not used: the sequence's ``random_state`` controls all
        the noise.
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
    NoiseMixture : Pick one noise model per image.

    Examples
    --------
    >>> import numpy as np
    >>> from skdae import GaussianNoise, NoiseSequence, SaltPepperNoise
    >>> noise = NoiseSequence(
    ...     [("gaussian", GaussianNoise(0.05)), ("impulse", SaltPepperNoise(0.1))],
    ...     random_state=0,
    ... )
    >>> X = np.full((100, 100), 0.5)
    >>> X_noisy = noise.fit_transform(X)
    >>> round(float(np.isin(X_noisy, [0.0, 1.0]).mean()), 2)  # impulses
    0.1
    >>> round(float(X_noisy[~np.isin(X_noisy, [0.0, 1.0])].std()), 2)  # Gaussian
    0.05
    """

    def __init__(self, noises, *, random_state=None):
        self.noises = noises
        self.random_state = random_state

    def corrupt(self, x, generator):
        out = x
        for _, noise in self.noises:
            out = noise.corrupt(out, generator)
        return out if out is not x else x.clone()
