"""Conversions between the array layouts users pass and (n, c, h, w) batches."""

import math
import numbers
import warnings

import numpy as np
import scipy.sparse as sp


def check_image_shape_param(image_shape):
    """Validate the ``image_shape`` parameter; return it as a tuple or None."""
    if image_shape is None:
        return None
    msg = (
        "image_shape must be None or a pair (height, width) of positive ints, "
        f"one of which may be -1 to be inferred; got {image_shape!r}."
    )
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 2:
        raise ValueError(msg)
    if not all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in image_shape
    ):
        raise ValueError(msg)
    h, w = (int(v) for v in image_shape)
    if (h == -1 and w == -1) or any(v == 0 or v < -1 for v in (h, w)):
        raise ValueError(msg)
    return h, w


def resolve_flat_shape(n_features, image_shape):
    """Image (height, width) for flat rows of ``n_features`` pixels."""
    if image_shape is None:
        side = math.isqrt(n_features)
        if side * side != n_features:
            raise ValueError(
                f"Cannot infer a square image from {n_features} features per "
                f"sample ({n_features} is not a perfect square). Pass "
                "image_shape=(height, width), or image_shape=(1, -1) to treat each "
                "sample as a one-pixel-high image (any tabular data)."
            )
        return side, side
    h, w = image_shape
    if h == -1 or w == -1:
        known = w if h == -1 else h
        if n_features % known:
            raise ValueError(
                f"image_shape={image_shape!r} does not divide {n_features} features "
                "per sample."
            )
        return (n_features // known, known) if h == -1 else (known, n_features // known)
    if h * w != n_features:
        raise ValueError(
            f"image_shape={image_shape!r} has {h * w} pixels but X has "
            f"{n_features} features per sample."
        )
    return h, w


#: Channel counts that the ``channel_axis="auto"`` rule recognises.
AUTO_CHANNELS = (1, 3, 4)


def resolve_channel_axis(shape, channel_axis, name="X"):
    """The axis of a batch of ``shape`` that holds the channels, or None (gray).

    The rule of ``channel_axis="auto"``: 2-D (flat) and 3-D ``(n, h, w)``
    arrays are grayscale; a 4-D array is channels-first ``(n, c, h, w)`` when
    ``shape[1]`` is 1, 3 or 4, otherwise channels-last ``(n, h, w, c)`` when
    ``shape[3]`` is. ``None`` is grayscale: flat, ``(n, h, w)`` or
    ``(n, 1, h, w)``. An int names the axis of the 4-D batch (1 to 3, or -3 to
    -1). Returns 1, 2 or 3 for a 4-D array, None otherwise.
    """
    ndim = len(shape)
    if ndim not in (2, 3, 4):
        raise ValueError(
            f"{name} must be 2-D (n_samples, height * width), 3-D (n_samples, "
            "height, width) or 4-D (n_samples, channels, height, width) or "
            f"(n_samples, height, width, channels); got {ndim} dimensions with "
            f"shape {tuple(shape)}."
        )
    valid = channel_axis in (None, "auto") or (
        isinstance(channel_axis, numbers.Integral)
        and not isinstance(channel_axis, bool)
        and channel_axis in (-3, -2, -1, 1, 2, 3)
    )
    if not valid:
        raise ValueError(
            f"channel_axis must be 'auto', None or an int naming an axis of the "
            f"4-D batch (1, 2, 3, -1, -2 or -3); got {channel_axis!r}."
        )
    if channel_axis == "auto":
        if ndim < 4:
            return None
        if shape[1] in AUTO_CHANNELS:
            return 1
        if shape[3] in AUTO_CHANNELS:
            return 3
        raise ValueError(
            f"Cannot tell which axis of {name} (shape {tuple(shape)}) holds the "
            f"channels: neither axis 1 nor axis 3 has 1, 3 or 4 entries. Pass "
            "channel_axis=1 for (n, channels, height, width) or channel_axis=-1 "
            "for (n, height, width, channels)."
        )
    if channel_axis is None:
        if ndim == 4:
            if shape[1] != 1:
                raise ValueError(
                    f"channel_axis=None reads {name} as grayscale, but its shape "
                    f"{tuple(shape)} is 4-D without a single channel on axis 1. "
                    "Pass channel_axis='auto' or the axis that holds the channels."
                )
            return 1
        return None
    if ndim < 4:
        raise ValueError(
            f"channel_axis={channel_axis} needs 4-D {name} (n_samples and three "
            f"image axes, one of which holds the channels); got shape "
            f"{tuple(shape)}. Pass channel_axis='auto' or None for grayscale."
        )
    return int(channel_axis) % 4


def to_batch(X, image_shape, channel_axis="auto"):
    """View validated ``X`` (2, 3 or 4 dimensions) as an (n, c, h, w) array.

    Returns the view and the (height, width) of the images. No data is copied
    (a channels-last array gives a view with moved axes). :func:`from_batch`
    brings an output back to the layout of ``X``.
    """
    axis = resolve_channel_axis(X.shape, channel_axis)
    if X.ndim == 2:
        h, w = resolve_flat_shape(X.shape[1], image_shape)
        batch = X.reshape(X.shape[0], 1, h, w)
    elif X.ndim == 3:
        h, w = X.shape[1:]
        batch = X.reshape(X.shape[0], 1, h, w)
    else:
        batch = np.moveaxis(X, axis, 1) if axis != 1 else X
        h, w = batch.shape[2:]
    if X.ndim > 2 and image_shape is not None:
        expected = resolve_flat_shape(h * w, image_shape)
        if expected != (h, w):
            raise ValueError(f"X holds {h}x{w} images but image_shape={image_shape!r}.")
    return batch, (h, w)


def from_batch(out, like, channel_axis="auto"):
    """``out``, an (n, c, h, w) array, in the layout of ``like`` (shape and axes).

    ``like`` is the array (or its shape) that :func:`to_batch` was given.
    """
    shape = tuple(getattr(like, "shape", like))
    axis = resolve_channel_axis(shape, channel_axis)
    if axis is None or axis == 1:
        return out.reshape(shape)
    return np.ascontiguousarray(np.moveaxis(out, 1, axis))


def is_image_list(X):
    """Whether ``X`` is a list (or tuple) of images rather than one array-like.

    A list whose elements are arrays, tensors or DataFrames of at least two
    dimensions holds one image per element, of any sizes. Nested lists of
    numbers remain a plain array-like, as scikit-learn reads them.
    """
    if not isinstance(X, (list, tuple)) or not len(X):
        return False
    return all((getattr(image, "ndim", 0) or 0) >= 2 for image in X)


def check_same_images(shape, fitted_shape, name):
    """Raise if images of ``shape`` differ from those seen in fit."""
    if tuple(shape) != tuple(fitted_shape):
        raise ValueError(
            f"{name} holds {shape[0]}x{shape[1]} images but {fitted_shape[0]}x"
            f"{fitted_shape[1]} images were expected (the size the estimator was "
            "fitted on)."
        )


#: Largest magnitude accepted: beyond the square root of float32's largest value,
#: the squares and sums of squares the network computes (its loss) overflow.
_FLOAT32_SAFE = float(np.sqrt(np.finfo(np.float32).max))


def check_has_pixels(X, name="X"):
    """Raise a ValueError if ``X`` (any array-like) has images of zero pixels.

    Run before :func:`~sklearn.utils.check_array`, whose error for a DataFrame
    without columns names no problem.
    """
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) >= 2 and 0 in tuple(shape)[1:]:
        raise ValueError(
            f"{name} has 0 feature(s) (shape={tuple(shape)}) while a minimum of 1 "
            "is required: its images are empty (0 pixels)."
        )


def check_float32_range(X, name="X"):
    """Raise if ``X`` holds values too large for the network's float32 arithmetic."""
    if not X.size:
        return
    largest = max(float(X.max()), -float(X.min()))
    if largest > _FLOAT32_SAFE:
        raise ValueError(
            f"{name} holds values up to {largest:.3g} in magnitude, too large for "
            "the network's float32 arithmetic (|x| must stay below "
            f"{_FLOAT32_SAFE:.3g}, beyond which squares overflow). Images are "
            "expected in [0, 1]."
        )


def _scale_hint(low, high):
    """Advice for values that look like images on a 0..``high`` scale."""
    if low >= 0 and high > 2:
        return (
            f" Images in 0..{high:.4g} should be divided by {high:.4g} (X / X.max())."
        )
    return ""


def warn_if_not_unit_range(images, name, *, consequence, tol=1e-3, stacklevel=3):
    """Warn if ``images`` (a NumPy array) stray outside [0, 1].

    The hint says what to divide by, read from the data's own maximum.
    """
    if not images.size:
        return
    low, high = float(images.min()), float(images.max())
    if low < -tol or high > 1 + tol:
        warnings.warn(
            f"{name} span [{low:.3g}, {high:.3g}], outside [0, 1]; {consequence}"
            f"{_scale_hint(low, high)}",
            UserWarning,
            stacklevel=stacklevel,
        )


def warn_if_not_noisy_unit_range(images, name, *, tol=1e-3, stacklevel=3):
    """Warn if ``images`` cannot be noisy versions of images in [0, 1].

    Noise that is not clipped takes pixels outside [0, 1], but it has (nearly)
    zero mean: images whose mean lies outside [0, 1] are on another scale (0..255,
    or 0..16 as ``load_digits`` gives), which a model trained on [0, 1] cannot
    denoise. ``images`` is an array or a list of arrays (taken as a whole).
    """
    parts = images if isinstance(images, list) else [images]
    size = sum(part.size for part in parts)
    if not size:
        return
    mean = sum(float(part.sum(dtype=np.float64)) for part in parts) / size
    if -tol <= mean <= 1 + tol:
        return
    low = min(float(part.min()) for part in parts if part.size)
    high = max(float(part.max()) for part in parts if part.size)
    warnings.warn(
        f"{name} span [{low:.3g}, {high:.3g}] with mean {mean:.3g}: these are not "
        "images in [0, 1], nor noisy versions of them, and the model was trained "
        f"on images in [0, 1]: its output will not be a denoised image."
        f"{_scale_hint(low, high)}",
        UserWarning,
        stacklevel=stacklevel,
    )


def holds_images(y):
    """Whether ``y`` is meant as target images: not None, not 1-D class labels.

    Sparse matrices count as images (and are then refused by validation).
    """
    if y is None:
        return False
    if sp.issparse(y):
        return True
    return np.asarray(y).ndim >= 2
