"""A grid of images, one row per named set of images and one column per image.

Checks and reshapes named image arrays into rows of (n_images, height, width)
images, chooses which images to show, and draws them with a shared grey scale.
:class:`~skdae.plotting.DenoisingComparisonDisplay` adds the scores on top.
"""

import numbers
from collections.abc import Mapping

import numpy as np

from .._images import check_image_shape_param, resolve_flat_shape
from ._base import as_float_array, merge_kwargs


def check_image_rows(rows, image_shape=None):
    """Validate named image arrays; return them as (n_images, h, w) float arrays.

    Parameters
    ----------
    rows : mapping of str to array-like
        Label of each row to its images: flat (n_images, h * w), 3-D
        (n_images, h, w) or single-channel 4-D (n_images, 1, h, w).
    image_shape : (int, int) or None, default=None
        Height and width of the images of flat arrays. ``None`` takes the shape
        of a 3-D or 4-D array among them, or else assumes square images.

    Returns
    -------
    rows : dict of str to ndarray of shape (n_images, h, w)
        The same labels, in the same order.

    Examples
    --------
    >>> import numpy as np
    >>> from skdae.plotting._image_grid import check_image_rows
    >>> rows = check_image_rows({"a": np.zeros((2, 12)), "b": np.ones((2, 3, 4))})
    >>> {label: images.shape for label, images in rows.items()}
    {'a': (2, 3, 4), 'b': (2, 3, 4)}
    """
    if not isinstance(rows, Mapping) or not rows:
        raise ValueError(
            "rows must be a non-empty dict mapping each row's label to its images, "
            f"got {type(rows).__name__}."
        )
    bad_labels = [label for label in rows if not isinstance(label, str)]
    if bad_labels:
        raise ValueError(f"The row labels must be str, got {bad_labels!r}.")
    image_shape = check_image_shape_param(image_shape)

    checked = {}
    for name, X in rows.items():
        X = as_float_array(X, name)
        if X.ndim == 4 and X.shape[1] != 1:
            raise ValueError(
                f"{name} must be (n_images, 1, height, width) when 4-D (a single "
                f"channel); got shape {X.shape}."
            )
        if X.ndim not in (2, 3, 4):
            raise ValueError(
                f"{name} must be 2-D (n_images, height * width), 3-D (n_images, "
                f"height, width) or 4-D (n_images, 1, height, width); got shape "
                f"{X.shape}."
            )
        checked[name] = X

    lengths = {name: len(X) for name, X in checked.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{name}: {n}" for name, n in lengths.items())
        raise ValueError(
            f"The image arrays hold different numbers of images ({detail})."
        )
    if not next(iter(lengths.values())):
        raise ValueError("No images to plot: the image arrays are empty.")

    if image_shape is None:
        for X in checked.values():
            if X.ndim > 2:
                image_shape = X.shape[-2:]
                break

    images = {}
    for name, X in checked.items():
        if X.ndim == 2:
            try:
                h, w = resolve_flat_shape(X.shape[1], image_shape)
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
            images[name] = X.reshape(len(X), h, w)
        else:
            images[name] = X.reshape(len(X), *X.shape[-2:])

    shapes = {name: X.shape[1:] for name, X in images.items()}
    if len(set(shapes.values())) > 1:
        detail = ", ".join(f"{name}: {h}x{w}" for name, (h, w) in shapes.items())
        raise ValueError(f"The image arrays hold images of different sizes ({detail}).")
    return images


def select_indices(n_samples, n_images, indices):
    """Indices of the images to show: ``indices``, or the first ``n_images``.

    Examples
    --------
    >>> from skdae.plotting._image_grid import select_indices
    >>> select_indices(10, 3, None).tolist(), select_indices(10, 3, [7, 2]).tolist()
    ([0, 1, 2], [7, 2])
    """
    if n_samples == 0:
        raise ValueError("No images to plot: the image arrays are empty.")
    if indices is None:
        if (
            not isinstance(n_images, numbers.Integral)
            or isinstance(n_images, bool)
            or n_images < 1
        ):
            raise ValueError(f"n_images must be a positive int, got {n_images!r}.")
        return np.arange(min(int(n_images), n_samples))
    indices = np.asarray(indices)
    if indices.ndim != 1 or indices.size == 0 or indices.dtype.kind not in "iu":
        raise ValueError(
            f"indices must be a non-empty 1-D sequence of ints, got {indices!r}."
        )
    if indices.min() < 0 or indices.max() >= n_samples:
        raise ValueError(
            f"indices must lie in [0, {n_samples - 1}] (there are {n_samples} "
            f"images); got {indices.tolist()}."
        )
    return indices


def plot_image_grid(rows, *, titles=None, axes=None, cmap="gray", imshow_kw=None):
    """Draw checked image rows as a grid, one row of Axes per label.

    Parameters
    ----------
    rows : dict of str to ndarray of shape (n_images, h, w)
        Output of :func:`check_image_rows`; each label becomes the y-axis label
        of its row.
    titles : dict of str to list of str, default=None
        Title of each image of the rows it names (other rows get none).
    axes : array-like of matplotlib Axes of size n_rows * n_images, default=None
        Axes to draw on, in row-major order or as an (n_rows, n_images) array.
        ``None`` creates a new figure.
    cmap : str or matplotlib Colormap, default="gray"
        Colormap of the images.
    imshow_kw : dict, default=None
        Extra keyword arguments for :meth:`matplotlib.axes.Axes.imshow`. By
        default all images share the value range [0, 1] (wider if the data are),
        so grey levels compare across panels.

    Returns
    -------
    figure : matplotlib Figure
    axes : ndarray of matplotlib Axes of shape (n_rows, n_images)
    images : ndarray of matplotlib AxesImage of shape (n_rows, n_images)
    """
    import matplotlib.pyplot as plt

    labels = list(rows)
    n_rows, n_images = len(rows), len(rows[labels[0]])
    if axes is None:
        fig, axes = plt.subplots(
            n_rows,
            n_images,
            figsize=(1.35 * n_images + 0.9, 1.5 * n_rows + 0.1),
            squeeze=False,
            layout="constrained",
        )
    else:
        axes = np.asarray(axes, dtype=object)
        if axes.size != n_rows * n_images:
            raise ValueError(
                f"axes must hold {n_rows} x {n_images} = {n_rows * n_images} Axes "
                f"(rows: {', '.join(labels)}; one column per image), got {axes.size}."
            )
        axes = axes.reshape(n_rows, n_images)
        fig = axes[0, 0].figure

    low = min(0.0, *(float(X.min()) for X in rows.values()))
    high = max(1.0, *(float(X.max()) for X in rows.values()))
    imshow_kw = merge_kwargs(
        {"cmap": cmap, "vmin": low, "vmax": high, "interpolation": "nearest"},
        imshow_kw,
    )
    titles = titles or {}
    images = np.empty((n_rows, n_images), dtype=object)
    for row, (label, row_images) in enumerate(rows.items()):
        for col in range(n_images):
            ax = axes[row, col]
            images[row, col] = ax.imshow(row_images[col], **imshow_kw)
            ax.set_xticks([])
            ax.set_yticks([])
            if label in titles:
                ax.set_title(titles[label][col], fontsize="small")
        axes[row, 0].set_ylabel(label)
    return fig, axes, images
