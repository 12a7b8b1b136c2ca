"""Visualisations of denoisers, following scikit-learn's Display API.

Each display stores its data in ``__init__``; :meth:`plot` draws it and returns
the display with the matplotlib objects as attributes (``figure_``, ``ax_`` or
``axes_``, ...); the ``from_estimator``, ``from_predictions`` and
``from_cv_results`` class methods compute the data and plot it in one call.

- :class:`DenoisingComparisonDisplay`: noisy, denoised and clean images side by
  side, each denoised image titled with its PSNR.
- :class:`LossCurveDisplay`: training (and validation) loss per epoch.
- :class:`NoiseLevelDisplay`: a score such as PSNR against the noise level, from
  a grid search or for one fitted model.

matplotlib is imported only when a display is plotted, and :mod:`matplotlib.pyplot`
only creates new figures: nothing is shown, so the displays work headless (Agg
backend); call ``plt.show()`` or ``display.figure_.savefig(...)`` yourself.
"""

import numbers
from collections.abc import Mapping

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import check_is_fitted

from ._images import check_image_shape_param, resolve_flat_shape
from .autoencoder import DenoisingAutoencoder
from .metrics import _DenoisingScorer, _image_shape_of, psnr, ssim

__all__ = ["DenoisingComparisonDisplay", "LossCurveDisplay", "NoiseLevelDisplay"]

_ROW_LABELS = ("Noisy", "Denoised", "Clean")
_SCORE_LABELS = {
    "psnr": "PSNR (dB)",
    "ssim": "SSIM",
    "neg_mse": "Negative MSE",
    "mse": "MSE",
    "score": "Score",
}


# --------------------------------------------------------------------- helpers
def _final_step(estimator):
    """The last step of a pipeline, or the estimator itself."""
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and steps:
        return steps[-1][1]
    return estimator


def _merge_kw(defaults, user):
    """``defaults`` updated with the user's keyword arguments (may be None)."""
    return {**defaults, **(user or {})}


def _finite_or_nan(values):
    """Replace infinities (e.g. the PSNR of an exact image) with NaN for plotting."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(values), values, np.nan)


def _as_numeric(X, name):
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got an array of dtype {X.dtype}.")
    return X.astype(np.float64, copy=False)


def _image_triplet(arrays, image_shape):
    """Validate named image arrays; return them as (n, h, w) float arrays.

    Flat arrays are reshaped with ``image_shape``, else with the shape of a 3-D or
    4-D array among them, else as square images.
    """
    image_shape = check_image_shape_param(image_shape)
    checked = {}
    for name, X in arrays.items():
        X = _as_numeric(X, name)
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
    return tuple(images.values())


def _select_indices(n_samples, n_images, indices):
    """Indices of the images to show: ``indices``, or the first ``n_images``."""
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


def _pretty_score_name(name):
    return _SCORE_LABELS.get(name, name)


def _default_score_label(search):
    """Axis label for the single score of a fitted search."""
    scoring = getattr(search, "scoring", None)
    if isinstance(scoring, str):
        return _pretty_score_name(scoring)
    if isinstance(scoring, _DenoisingScorer):
        name = "neg_mse" if scoring.metric == "mse" else scoring.metric
        return _pretty_score_name(name)
    if scoring is None:
        # The estimator's own score: mean PSNR for skdae denoisers.
        final = _final_step(getattr(search, "estimator", None))
        if isinstance(final, DenoisingAutoencoder):
            return _SCORE_LABELS["psnr"]
    return "Score"


def _format_param_value(value):
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return f"{value:g}"
    return str(value)


# ----------------------------------------------------- DenoisingComparisonDisplay
class DenoisingComparisonDisplay:
    """Grid of noisy, denoised and clean images, one column per image.

    The rows are, from top to bottom, the noisy input, the denoised output and the
    clean reference; each noisy and denoised panel is titled with its PSNR (dB)
    against the clean image. It is recommended to create the display with
    :meth:`from_estimator` or :meth:`from_predictions`, which choose the images
    to show. All parameters are stored as attributes.

    Parameters
    ----------
    clean : array-like of shape (n_images, h * w), (n_images, h, w) or (n_images, 1, h, w)
        Clean reference images.
    noisy : array-like of shape (n_images, ...)
        Noisy images, in any of the layouts above.
    denoised : array-like of shape (n_images, ...)
        Denoised images, in any of the layouts above.
    image_shape : (int, int) or None, default=None
        Height and width of the images of flat arrays. ``None`` takes the shape of
        a 3-D or 4-D array among the three, or else assumes square images.

    Attributes
    ----------
    figure_ : matplotlib Figure
        Figure holding the grid.
    axes_ : ndarray of matplotlib Axes, shape (3, n_images)
        Rows: noisy, denoised, clean.
    images_ : ndarray of matplotlib AxesImage, shape (3, n_images)
        The images drawn, laid out as ``axes_``.
    psnr_ : ndarray of shape (n_images,)
        PSNR (dB) of each denoised image against its clean image, from
        :func:`skdae.metrics.psnr` with ``per_image=True``.
    noisy_psnr_ : ndarray of shape (n_images,)
        PSNR (dB) of each noisy image against its clean image.

    See Also
    --------
    DenoisingComparisonDisplay.from_estimator : Denoise images with a fitted
        estimator and plot them.
    DenoisingComparisonDisplay.from_predictions : Plot images denoised already.
    skdae.metrics.psnr : Peak signal-to-noise ratio.

    Examples
    --------
    >>> import numpy as np
    >>> from skdae.plotting import DenoisingComparisonDisplay
    >>> rng = np.random.default_rng(0)
    >>> clean = rng.random((4, 8, 8))
    >>> noisy = np.clip(clean + rng.normal(0, 0.3, clean.shape), 0, 1)
    >>> denoised = (clean + noisy) / 2
    >>> disp = DenoisingComparisonDisplay(clean, noisy, denoised).plot()
    >>> disp.axes_.shape
    (3, 4)
    >>> bool(np.all(disp.psnr_ > disp.noisy_psnr_))
    True
    """

    def __init__(self, clean, noisy, denoised, *, image_shape=None):
        self.clean = clean
        self.noisy = noisy
        self.denoised = denoised
        self.image_shape = image_shape

    def plot(self, *, cmap="gray", axes=None, imshow_kw=None):
        """Plot the grid of images.

        Parameters
        ----------
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of the images.
        axes : array-like of matplotlib Axes of size 3 * n_images, default=None
            Axes to draw on, in row-major order (noisy row, denoised row, clean
            row) or as a (3, n_images) array. ``None`` creates a new figure.
        imshow_kw : dict, default=None
            Extra keyword arguments for :meth:`matplotlib.axes.Axes.imshow`. By
            default all images share the value range [0, 1] (wider if the data
            are), so grey levels compare across panels.

        Returns
        -------
        display : DenoisingComparisonDisplay
            The display, with ``figure_``, ``axes_``, ``images_``, ``psnr_`` and
            ``noisy_psnr_`` set.

        Examples
        --------
        >>> import numpy as np
        >>> from skdae.plotting import DenoisingComparisonDisplay
        >>> clean = np.full((2, 36), 0.5)  # two 6x6 images
        >>> disp = DenoisingComparisonDisplay(clean, clean + 0.1, clean + 0.01)
        >>> disp = disp.plot(cmap="viridis")
        >>> disp.axes_[0, 0].get_title(), disp.axes_[1, 0].get_title()
        ('20.0 dB', '40.0 dB')
        """
        import matplotlib.pyplot as plt

        noisy, denoised, clean = _image_triplet(
            {"noisy": self.noisy, "denoised": self.denoised, "clean": self.clean},
            self.image_shape,
        )
        n_images = len(clean)
        if axes is None:
            fig, axes = plt.subplots(
                3,
                n_images,
                figsize=(1.35 * n_images + 0.9, 4.6),
                squeeze=False,
                layout="constrained",
            )
        else:
            axes = np.asarray(axes, dtype=object)
            if axes.size != 3 * n_images:
                raise ValueError(
                    f"axes must hold 3 x {n_images} = {3 * n_images} Axes (rows: "
                    f"noisy, denoised, clean; one column per image), got {axes.size}."
                )
            axes = axes.reshape(3, n_images)
            fig = axes[0, 0].figure

        self.psnr_ = psnr(clean, denoised, per_image=True)
        self.noisy_psnr_ = psnr(clean, noisy, per_image=True)

        low = min(0.0, *(float(X.min()) for X in (noisy, denoised, clean)))
        high = max(1.0, *(float(X.max()) for X in (noisy, denoised, clean)))
        imshow_kw = _merge_kw(
            {"cmap": cmap, "vmin": low, "vmax": high, "interpolation": "nearest"},
            imshow_kw,
        )
        titles = (self.noisy_psnr_, self.psnr_, None)
        self.images_ = np.empty((3, n_images), dtype=object)
        for row, (images, label, row_psnr) in enumerate(
            zip((noisy, denoised, clean), _ROW_LABELS, titles)
        ):
            for col in range(n_images):
                ax = axes[row, col]
                self.images_[row, col] = ax.imshow(images[col], **imshow_kw)
                ax.set_xticks([])
                ax.set_yticks([])
                if row_psnr is not None:
                    ax.set_title(f"{row_psnr[col]:.1f} dB", fontsize="small")
            axes[row, 0].set_ylabel(label)

        self.figure_ = fig
        self.axes_ = axes
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X_noisy,
        X_clean,
        *,
        n_images=8,
        indices=None,
        image_shape=None,
        cmap="gray",
        axes=None,
    ):
        """Denoise a few images with a fitted estimator and plot them.

        Only the selected images are passed to ``estimator.transform``.

        Parameters
        ----------
        estimator : fitted estimator or Pipeline
            Denoiser with a ``transform`` method, such as a fitted
            :class:`~skdae.DenoisingAutoencoder` or a pipeline ending in one.
        X_noisy : array-like of shape (n_samples, h * w), (n_samples, h, w) or (n_samples, 1, h, w)
            Noisy images, the input of ``estimator.transform``.
        X_clean : array-like of shape (n_samples, ...)
            The matching clean images.
        n_images : int, default=8
            Number of images to show: the first ``n_images`` (all if fewer).
            Ignored when ``indices`` is given.
        indices : array-like of int or None, default=None
            Indices (rows of ``X_noisy``) of the images to show, in order.
        image_shape : (int, int) or None, default=None
            Height and width of flat images. ``None`` uses the estimator's
            ``image_shape_`` (or that of a pipeline's last step) when available,
            else the shape of 3-D/4-D input, else square images.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of the images.
        axes : array-like of matplotlib Axes of size 3 * n_shown, default=None
            Axes to draw on (see :meth:`plot`); ``None`` creates a new figure.

        Returns
        -------
        display : DenoisingComparisonDisplay
            The plotted display.

        See Also
        --------
        DenoisingComparisonDisplay.from_predictions : Plot images denoised already.

        Examples
        --------
        >>> import numpy as np
        >>> from skdae import DenoisingAutoencoder, GaussianNoise
        >>> from skdae.plotting import DenoisingComparisonDisplay
        >>> rng = np.random.default_rng(0)
        >>> X = rng.random((20, 64))  # 8x8 images, flat
        >>> X_noisy = GaussianNoise(0.3, random_state=0).fit_transform(X)
        >>> dae = DenoisingAutoencoder(max_epochs=1, random_state=0).fit(X_noisy, X)
        >>> disp = DenoisingComparisonDisplay.from_estimator(
        ...     dae, X_noisy, X, indices=[0, 5, 7])
        >>> disp.axes_.shape
        (3, 3)
        """
        check_is_fitted(estimator)
        if len(X_noisy) != len(X_clean):
            raise ValueError(
                f"X_noisy and X_clean hold different numbers of images: "
                f"{len(X_noisy)} and {len(X_clean)}."
            )
        selected = _select_indices(len(X_noisy), n_images, indices)
        noisy = _safe_indexing(X_noisy, selected)
        clean = _safe_indexing(X_clean, selected)
        denoised = estimator.transform(noisy)
        if image_shape is None:
            image_shape = _image_shape_of(estimator)
        display = cls(
            clean=np.asarray(clean),
            noisy=np.asarray(noisy),
            denoised=np.asarray(denoised),
            image_shape=image_shape,
        )
        return display.plot(cmap=cmap, axes=axes)

    @classmethod
    def from_predictions(
        cls,
        X_clean,
        X_noisy,
        X_denoised,
        *,
        n_images=8,
        indices=None,
        image_shape=None,
        cmap="gray",
        axes=None,
    ):
        """Plot images that were denoised already.

        Parameters
        ----------
        X_clean : array-like of shape (n_samples, h * w), (n_samples, h, w) or (n_samples, 1, h, w)
            Clean reference images.
        X_noisy : array-like of shape (n_samples, ...)
            Noisy images.
        X_denoised : array-like of shape (n_samples, ...)
            Denoised images.
        n_images : int, default=8
            Number of images to show: the first ``n_images`` (all if fewer).
            Ignored when ``indices`` is given.
        indices : array-like of int or None, default=None
            Indices of the images to show, in order.
        image_shape : (int, int) or None, default=None
            Height and width of flat images; ``None`` takes the shape of a
            3-D/4-D array among the three or else assumes square images.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of the images.
        axes : array-like of matplotlib Axes of size 3 * n_shown, default=None
            Axes to draw on (see :meth:`plot`); ``None`` creates a new figure.

        Returns
        -------
        display : DenoisingComparisonDisplay
            The plotted display.

        See Also
        --------
        DenoisingComparisonDisplay.from_estimator : Denoise with a fitted
            estimator and plot.

        Examples
        --------
        >>> import numpy as np
        >>> from skdae.plotting import DenoisingComparisonDisplay
        >>> rng = np.random.default_rng(0)
        >>> clean = rng.random((10, 6, 9))  # 6x9 images
        >>> noisy = np.clip(clean + rng.normal(0, 0.2, clean.shape), 0, 1)
        >>> disp = DenoisingComparisonDisplay.from_predictions(
        ...     clean, noisy.reshape(10, -1), (clean + noisy) / 2, n_images=4)
        >>> disp.images_[0, 0].get_array().shape
        (6, 9)
        """
        lengths = {len(X_clean), len(X_noisy), len(X_denoised)}
        if len(lengths) > 1:
            raise ValueError(
                "X_clean, X_noisy and X_denoised hold different numbers of images: "
                f"{len(X_clean)}, {len(X_noisy)} and {len(X_denoised)}."
            )
        selected = _select_indices(len(X_clean), n_images, indices)
        display = cls(
            clean=np.asarray(_safe_indexing(X_clean, selected)),
            noisy=np.asarray(_safe_indexing(X_noisy, selected)),
            denoised=np.asarray(_safe_indexing(X_denoised, selected)),
            image_shape=image_shape,
        )
        return display.plot(cmap=cmap, axes=axes)


# -------------------------------------------------------------- LossCurveDisplay
class LossCurveDisplay:
    """Training and validation loss per epoch.

    Draws the training loss and, when given, the validation loss against the
    epoch (1-based), and marks the epoch with the lowest validation loss (the one
    early stopping restores). It is recommended to create the display with
    :meth:`from_estimator`. All parameters are stored as attributes.

    Parameters
    ----------
    train_loss : array-like of shape (n_epochs,)
        Mean training loss of each epoch.
    valid_loss : array-like of shape (n_epochs,) or None, default=None
        Validation loss of each epoch; NaN for epochs without one.
    ylabel : str, default="MSE loss"
        Label of the loss axis.

    Attributes
    ----------
    figure_ : matplotlib Figure
        Figure holding the plot.
    ax_ : matplotlib Axes
        Axes with the curves.
    lines_ : list of matplotlib Line2D
        The training loss line, then the validation loss line if any.
    best_epoch_ : int or None
        Epoch (1-based) of the lowest validation loss; None without validation.
    best_marker_ : matplotlib Line2D or None
        Marker of the best epoch; None without validation.

    See Also
    --------
    LossCurveDisplay.from_estimator : Plot the history of a fitted
        :class:`~skdae.DenoisingAutoencoder`.
    sklearn.model_selection.LearningCurveDisplay : Scores against training set
        size.

    Examples
    --------
    >>> from skdae.plotting import LossCurveDisplay
    >>> disp = LossCurveDisplay([0.09, 0.05, 0.04], [0.08, 0.06, 0.07]).plot()
    >>> disp.best_epoch_
    2
    >>> [line.get_label() for line in disp.lines_]
    ['Training loss', 'Validation loss']
    """

    def __init__(self, train_loss, valid_loss=None, *, ylabel="MSE loss"):
        self.train_loss = train_loss
        self.valid_loss = valid_loss
        self.ylabel = ylabel

    def plot(self, *, ax=None, log_scale=False, line_kw=None):
        """Plot the loss curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a new figure.
        log_scale : bool, default=False
            Use a logarithmic loss axis; needs positive losses (not those of
            ``loss="psnr"``, which are in dB already).
        line_kw : dict, default=None
            Extra keyword arguments for both loss lines
            (:meth:`matplotlib.axes.Axes.plot`).

        Returns
        -------
        display : LossCurveDisplay
            The display, with ``figure_``, ``ax_``, ``lines_``, ``best_epoch_``
            and ``best_marker_`` set.

        Examples
        --------
        >>> from skdae.plotting import LossCurveDisplay
        >>> disp = LossCurveDisplay([0.09, 0.05, 0.04]).plot(log_scale=True)
        >>> disp.ax_.get_yscale()
        'log'
        """
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        train = np.asarray(self.train_loss, dtype=np.float64)
        if train.ndim != 1 or train.size == 0:
            raise ValueError(
                "train_loss must be a non-empty 1-D sequence (one value per "
                f"epoch), got shape {train.shape}."
            )
        valid = None
        if self.valid_loss is not None:
            valid = np.asarray(self.valid_loss, dtype=np.float64)
            if valid.shape != train.shape:
                raise ValueError(
                    "train_loss and valid_loss must have one value per epoch each; "
                    f"got shapes {train.shape} and {valid.shape}."
                )

        if log_scale:
            values = train if valid is None else np.concatenate([train, valid])
            if np.any(values[np.isfinite(values)] <= 0):
                raise ValueError(
                    "log_scale=True needs positive losses, but some are <= 0 (a "
                    "loss='psnr' model records minus the PSNR in dB, already on a "
                    "log scale); plot with log_scale=False."
                )

        if ax is None:
            fig, ax = plt.subplots(layout="constrained")
        else:
            fig = ax.figure

        epochs = np.arange(1, len(train) + 1)
        defaults = {"marker": "o", "markersize": 3} if len(train) <= 50 else {}
        line_kw = _merge_kw(defaults, line_kw)
        self.lines_ = ax.plot(epochs, train, label="Training loss", **line_kw)
        self.best_epoch_ = None
        self.best_marker_ = None
        if valid is not None:
            self.lines_ += ax.plot(epochs, valid, label="Validation loss", **line_kw)
            if np.any(np.isfinite(valid)):
                best = int(np.nanargmin(np.where(np.isfinite(valid), valid, np.nan)))
                self.best_epoch_ = best + 1
                ax.axvline(
                    self.best_epoch_, color="0.6", linestyle=":", linewidth=1, zorder=0
                )
                (self.best_marker_,) = ax.plot(
                    [self.best_epoch_],
                    [valid[best]],
                    linestyle="none",
                    marker="*",
                    markersize=12,
                    color=self.lines_[-1].get_color(),
                    label=f"Best epoch: {self.best_epoch_}",
                )

        if log_scale:
            ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel="Epoch", ylabel=self.ylabel)
        ax.legend()

        self.figure_ = fig
        self.ax_ = ax
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, log_scale=False):
        """Plot the loss curves recorded while fitting an estimator.

        Parameters
        ----------
        estimator : fitted DenoisingAutoencoder or Pipeline
            Estimator with a skorch ``history_`` (``train_loss`` and, when it was
            fitted with ``validation_fraction``, ``valid_loss`` per epoch), or a
            pipeline whose last step has one.
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a new figure.
        log_scale : bool, default=False
            Use a logarithmic loss axis (not for ``loss="psnr"`` models).

        Returns
        -------
        display : LossCurveDisplay
            The plotted display; its axis is labelled after the estimator's
            ``loss``.

        See Also
        --------
        DenoisingComparisonDisplay.from_estimator : Look at denoised images.

        Examples
        --------
        >>> import numpy as np
        >>> from skdae import DenoisingAutoencoder, GaussianNoise
        >>> from skdae.plotting import LossCurveDisplay
        >>> X = np.random.default_rng(0).random((20, 64))
        >>> dae = DenoisingAutoencoder(noise=GaussianNoise(0.3), max_epochs=2,
        ...                            validation_fraction=0.25,
        ...                            random_state=0).fit(X)
        >>> disp = LossCurveDisplay.from_estimator(dae)
        >>> len(disp.lines_)  # training and validation loss
        2
        """
        check_is_fitted(estimator)
        history = None
        for candidate in (estimator, _final_step(estimator)):
            history = getattr(candidate, "history_", None)
            if history is not None:
                break
        if history is None:
            raise ValueError(
                f"{type(estimator).__name__} has no history_ attribute (nor has its "
                "last step): LossCurveDisplay needs an estimator that records its "
                "losses, such as a fitted skdae.DenoisingAutoencoder."
            )
        rows = list(history)
        if not rows or any("train_loss" not in row for row in rows):
            raise ValueError(
                "The estimator's history_ must record a train_loss for every epoch."
            )
        train = [row["train_loss"] for row in rows]
        valid = [row.get("valid_loss", np.nan) for row in rows]
        if not any("valid_loss" in row for row in rows):
            valid = None
        loss = getattr(candidate, "loss", "mse")
        ylabel = "Loss: minus PSNR (dB)" if loss == "psnr" else "MSE loss"
        return cls(train, valid, ylabel=ylabel).plot(ax=ax, log_scale=log_scale)


# ------------------------------------------------------------- NoiseLevelDisplay
class NoiseLevelDisplay:
    """A score (such as PSNR) against the noise level, with a ±1 std band.

    One curve per row of ``mean_scores``: typically one per setting of the other
    hyper-parameters of a grid search (:meth:`from_cv_results`), or the
    robustness curve of one fitted denoiser (:meth:`from_estimator`), with the
    score of the noisy input as a dashed reference. All parameters are stored as
    attributes.

    Parameters
    ----------
    levels : array-like of shape (n_levels,)
        Noise levels (x axis), increasing.
    mean_scores : array-like of shape (n_levels,) or (n_curves, n_levels)
        Mean score at each level, one row per curve; NaN where a curve has no
        value. Infinite scores (the PSNR of an input left intact, at level 0)
        are not drawn.
    std_scores : array-like of the same shape as mean_scores, or None
        Standard deviation of the scores, drawn as a band of ±1 std; None draws
        no band.
    param_name : str
        Name of the noise parameter (x-axis label).
    score_name : str
        Name of the score (y-axis label).
    curve_labels : list of str or None, default=None
        Legend label of each curve; None leaves a single curve unlabelled and
        numbers several.
    reference_scores : array-like of shape (n_levels,) or None, default=None
        Scores drawn as a dashed reference line, e.g. those of the noisy input.
    reference_label : str, default="Noisy input"
        Legend label of the reference line.

    Attributes
    ----------
    figure_ : matplotlib Figure
        Figure holding the plot.
    ax_ : matplotlib Axes
        Axes with the curves.
    lines_ : list of matplotlib Line2D
        One line per curve.
    fill_between_ : list of matplotlib PolyCollection or None
        The ±1 std band of each curve (None entries without ``std_scores``).
    reference_line_ : matplotlib Line2D or None
        The dashed reference line, if any.

    See Also
    --------
    NoiseLevelDisplay.from_cv_results : Plot a grid search over the noise level.
    NoiseLevelDisplay.from_estimator : Robustness curve of one fitted denoiser.
    sklearn.model_selection.ValidationCurveDisplay : Scores against any
        hyper-parameter.

    Examples
    --------
    >>> from skdae.plotting import NoiseLevelDisplay
    >>> disp = NoiseLevelDisplay(
    ...     [0.1, 0.3, 0.5], [24.0, 20.5, 18.0], [0.5, 0.6, 0.8],
    ...     param_name="sigma", score_name="PSNR (dB)",
    ...     reference_scores=[20.0, 11.0, 7.0]).plot()
    >>> disp.lines_[0].get_ydata().tolist()
    [24.0, 20.5, 18.0]
    >>> disp.reference_line_.get_linestyle()
    '--'
    """

    def __init__(
        self,
        levels,
        mean_scores,
        std_scores,
        *,
        param_name,
        score_name,
        curve_labels=None,
        reference_scores=None,
        reference_label="Noisy input",
    ):
        self.levels = levels
        self.mean_scores = mean_scores
        self.std_scores = std_scores
        self.param_name = param_name
        self.score_name = score_name
        self.curve_labels = curve_labels
        self.reference_scores = reference_scores
        self.reference_label = reference_label

    def plot(self, *, ax=None, line_kw=None, fill_between_kw=None):
        """Plot the score against the noise level.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a new figure.
        line_kw : dict, default=None
            Extra keyword arguments for the score lines
            (:meth:`matplotlib.axes.Axes.plot`).
        fill_between_kw : dict, default=None
            Extra keyword arguments for the std bands
            (:meth:`matplotlib.axes.Axes.fill_between`).

        Returns
        -------
        display : NoiseLevelDisplay
            The display, with ``figure_``, ``ax_``, ``lines_``,
            ``fill_between_`` and ``reference_line_`` set.

        Examples
        --------
        >>> from skdae.plotting import NoiseLevelDisplay
        >>> disp = NoiseLevelDisplay(
        ...     [0.1, 0.5], [[25.0, 19.0], [24.0, 20.0]], None,
        ...     param_name="noise__sigma", score_name="PSNR (dB)",
        ...     curve_labels=["lr=0.001", "lr=0.01"]).plot()
        >>> len(disp.lines_)
        2
        """
        import matplotlib.pyplot as plt

        levels = _as_numeric(self.levels, "levels")
        if levels.ndim != 1 or levels.size == 0:
            raise ValueError(
                f"levels must be a non-empty 1-D sequence, got shape {levels.shape}."
            )
        mean = np.asarray(self.mean_scores, dtype=np.float64)
        if mean.ndim == 1:
            mean = mean[np.newaxis]
        if mean.ndim != 2 or mean.shape[1] != levels.size:
            raise ValueError(
                f"mean_scores must have shape ({levels.size},) or (n_curves, "
                f"{levels.size}) for {levels.size} levels; got "
                f"{np.shape(self.mean_scores)}."
            )
        std = None
        if self.std_scores is not None:
            std = np.asarray(self.std_scores, dtype=np.float64)
            if std.size != mean.size:
                raise ValueError(
                    "std_scores must have the shape of mean_scores; got "
                    f"{np.shape(self.std_scores)} and {np.shape(self.mean_scores)}."
                )
            std = std.reshape(mean.shape)
        labels = self.curve_labels
        if labels is not None and len(labels) != len(mean):
            raise ValueError(
                f"curve_labels has {len(labels)} labels for {len(mean)} curves."
            )
        if labels is None:
            labels = [None] if len(mean) == 1 else [f"#{i}" for i in range(len(mean))]
        reference = None
        if self.reference_scores is not None:
            reference = np.asarray(self.reference_scores, dtype=np.float64)
            if reference.shape != levels.shape:
                raise ValueError(
                    f"reference_scores must have one value per level ({levels.size}); "
                    f"got shape {reference.shape}."
                )

        if ax is None:
            fig, ax = plt.subplots(layout="constrained")
        else:
            fig = ax.figure

        line_kw = _merge_kw({"marker": "o"}, line_kw)
        self.lines_ = []
        self.fill_between_ = []
        for i, (scores, label) in enumerate(zip(mean, labels)):
            scores = _finite_or_nan(scores)
            (line,) = ax.plot(levels, scores, label=label, **line_kw)
            self.lines_.append(line)
            band = None
            if std is not None:
                band = ax.fill_between(
                    levels,
                    scores - std[i],
                    scores + std[i],
                    **_merge_kw(
                        {"alpha": 0.2, "color": line.get_color()}, fill_between_kw
                    ),
                )
            self.fill_between_.append(band)
        self.reference_line_ = None
        if reference is not None:
            (self.reference_line_,) = ax.plot(
                levels,
                _finite_or_nan(reference),
                linestyle="--",
                marker=".",
                color="0.4",
                label=self.reference_label,
            )

        ax.set(xlabel=self.param_name, ylabel=self.score_name)
        if any(label is not None for label in labels) or reference is not None:
            ax.legend()

        self.figure_ = fig
        self.ax_ = ax
        return self

    @classmethod
    def from_cv_results(
        cls, search, *, param_name="noise__sigma", score_name=None, ax=None
    ):
        """Plot the cross-validated score of a search against the noise level.

        Reads ``cv_results_``: the ``param_<param_name>`` column gives the levels
        and ``mean_test_score`` / ``std_test_score`` (or ``mean_test_<score_name>``
        for a search with several metrics) the curve and its band. When other
        parameters vary too, one curve is drawn per combination of their values,
        labelled with them; candidates without ``param_name`` are left out.

        Parameters
        ----------
        search : fitted GridSearchCV, RandomizedSearchCV or dict
            A fitted search (or its ``cv_results_`` dict).
        param_name : str, default="noise__sigma"
            The searched noise parameter, as in the parameter grid.
        score_name : str or None, default=None
            For a multi-metric search, the metric to plot (``None`` takes the
            ``refit`` metric when it is a string); for a single metric, only the
            y-axis label (``None`` derives it from ``scoring``).
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a new figure.

        Returns
        -------
        display : NoiseLevelDisplay
            The plotted display.

        See Also
        --------
        NoiseLevelDisplay.from_estimator : Robustness curve of one fitted model.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.model_selection import GridSearchCV
        >>> from sklearn.pipeline import Pipeline
        >>> from skdae import DenoisingAutoencoder, GaussianNoise
        >>> from skdae.plotting import NoiseLevelDisplay
        >>> X = np.random.default_rng(0).random((20, 64))
        >>> pipe = Pipeline([("noise", GaussianNoise(random_state=0)),
        ...                  ("dae", DenoisingAutoencoder(max_epochs=1,
        ...                                               random_state=0))])
        >>> search = GridSearchCV(pipe, {"noise__sigma": [0.1, 0.4]}, cv=2).fit(X)
        >>> disp = NoiseLevelDisplay.from_cv_results(search)
        >>> disp.lines_[0].get_xdata().tolist()
        [0.1, 0.4]
        >>> disp.ax_.get_ylabel()
        'PSNR (dB)'
        """
        if isinstance(search, Mapping):
            results = search
        else:
            results = getattr(search, "cv_results_", None)
            if results is None:
                raise NotFittedError(
                    f"This {type(search).__name__} instance has no cv_results_ yet. "
                    "Call 'fit' before using NoiseLevelDisplay.from_cv_results."
                )
        key = f"param_{param_name}"
        if key not in results:
            searched = sorted(
                k[len("param_") :] for k in results if k.startswith("param_")
            )
            raise ValueError(
                f"cv_results_ has no parameter {param_name!r}; the searched "
                f"parameters are {searched}."
            )

        if "mean_test_score" in results:
            mean_key, std_key = "mean_test_score", "std_test_score"
            label = (
                _pretty_score_name(score_name)
                if score_name is not None
                else _default_score_label(search)
            )
        else:
            metrics = sorted(
                k[len("mean_test_") :] for k in results if k.startswith("mean_test_")
            )
            if not metrics:
                raise ValueError("cv_results_ holds no mean_test_* scores.")
            if score_name is None:
                refit = getattr(search, "refit", None)
                if isinstance(refit, str) and refit in metrics:
                    score_name = refit
                else:
                    raise ValueError(
                        f"The search scored several metrics {metrics}: pass "
                        "score_name to choose the one to plot."
                    )
            if score_name not in metrics:
                raise ValueError(
                    f"score_name={score_name!r} is not among the metrics of the "
                    f"search: {metrics}."
                )
            mean_key, std_key = f"mean_test_{score_name}", f"std_test_{score_name}"
            label = _pretty_score_name(score_name)

        column = results[key]
        keep = ~np.ma.getmaskarray(column)
        raw_levels = np.asarray(np.ma.getdata(column), dtype=object)[keep]
        if raw_levels.size == 0:
            raise ValueError(f"No candidate of the search sets {param_name!r}.")
        try:
            cand_levels = np.asarray(raw_levels.tolist(), dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"The values of {param_name!r} must be numbers to be plotted, got "
                f"{raw_levels.tolist()!r}."
            ) from None
        cand_means = np.asarray(results[mean_key], dtype=np.float64)[keep]
        cand_stds = (
            np.asarray(results[std_key], dtype=np.float64)[keep]
            if std_key in results
            else None
        )

        # The other parameters that vary among the kept candidates.
        others = []
        for other in results:
            if not other.startswith("param_") or other == key:
                continue
            col = results[other]
            mask = np.ma.getmaskarray(col)[keep]
            values = np.asarray(np.ma.getdata(col), dtype=object)[keep]
            entries = [None if m else v for v, m in zip(values.tolist(), mask)]
            if len({repr(v) for v in entries}) > 1:
                others.append((other[len("param_") :], entries))

        levels = np.unique(cand_levels)
        group_keys = []
        group_labels = []
        rows = np.full(len(cand_levels), -1)
        for i in range(len(cand_levels)):
            gkey = tuple(repr(entries[i]) for _, entries in others)
            if gkey not in group_keys:
                group_keys.append(gkey)
                group_labels.append(
                    ", ".join(
                        f"{name}={_format_param_value(entries[i])}"
                        for name, entries in others
                        if entries[i] is not None
                    )
                    or "(default)"
                )
            rows[i] = group_keys.index(gkey)
        mean = np.full((len(group_keys), len(levels)), np.nan)
        std = None if cand_stds is None else np.full_like(mean, np.nan)
        cols = np.searchsorted(levels, cand_levels)
        for i, (r, c) in enumerate(zip(rows, cols)):
            if np.isnan(mean[r, c]):  # first candidate wins on duplicates
                mean[r, c] = cand_means[i]
                if std is not None:
                    std[r, c] = cand_stds[i]

        display = cls(
            levels,
            mean,
            std,
            param_name=param_name,
            score_name=label,
            curve_labels=group_labels if others else None,
        )
        return display.plot(ax=ax)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X_clean,
        *,
        noise,
        levels,
        param_name="sigma",
        scoring="psnr",
        random_state=0,
        ax=None,
    ):
        """Robustness curve of a fitted denoiser across noise levels.

        For each level, ``X_clean`` is corrupted with
        ``clone(noise).set_params(**{param_name: level})``, denoised with
        ``estimator.transform`` and scored image by image against ``X_clean``;
        the curve is the mean over images with a band of ±1 std, and the score
        of the noisy input is drawn as a dashed reference line.

        Parameters
        ----------
        estimator : fitted estimator or Pipeline
            Denoiser with a ``transform`` method.
        X_clean : array-like of shape (n_samples, h * w), (n_samples, h, w) or (n_samples, 1, h, w)
            Clean images, values in [0, 1].
        noise : skdae noise model
            Noise model (e.g. :class:`~skdae.GaussianNoise`), cloned for each
            level; it need not be fitted.
        levels : array-like of shape (n_levels,)
            Values of ``param_name`` to try, increasing.
        param_name : str, default="sigma"
            Parameter of ``noise`` that sets the noise level (``"amount"`` for
            :class:`~skdae.SaltPepperNoise`).
        scoring : {"psnr", "ssim"} or callable, default="psnr"
            Per-image score: :func:`skdae.metrics.psnr` or
            :func:`skdae.metrics.ssim`, or a callable
            ``scoring(y_true, y_pred)`` returning one score per image.
        random_state : int or None, default=0
            Seed given to every cloned noise model (when it has a
            ``random_state`` parameter), so the result is reproducible and
            each level uses the same random draws; None keeps the noise model's
            own ``random_state``.
        ax : matplotlib Axes, default=None
            Axes to draw on; ``None`` creates a new figure.

        Returns
        -------
        display : NoiseLevelDisplay
            The plotted display, with the curve labelled ``"Denoised"`` and the
            noisy-input reference line.

        See Also
        --------
        NoiseLevelDisplay.from_cv_results : Plot a grid search over the noise
            level.

        Examples
        --------
        >>> import numpy as np
        >>> from skdae import DenoisingAutoencoder, GaussianNoise
        >>> from skdae.plotting import NoiseLevelDisplay
        >>> X = np.random.default_rng(0).random((20, 64))
        >>> dae = DenoisingAutoencoder(noise=GaussianNoise(0.3), max_epochs=1,
        ...                            random_state=0).fit(X)
        >>> disp = NoiseLevelDisplay.from_estimator(
        ...     dae, X, noise=GaussianNoise(), levels=[0.1, 0.3, 0.5])
        >>> disp.lines_[0].get_xdata().tolist()
        [0.1, 0.3, 0.5]
        """
        check_is_fitted(estimator)
        params = noise.get_params(deep=False)
        if param_name not in params:
            raise ValueError(
                f"{type(noise).__name__} has no parameter {param_name!r}; its "
                f"parameters are {sorted(params)}."
            )
        levels = np.asarray(levels)
        if levels.ndim != 1 or levels.size == 0 or levels.dtype.kind not in "iuf":
            raise ValueError(
                f"levels must be a non-empty 1-D sequence of numbers, got {levels!r}."
            )

        if scoring == "psnr":
            label = _SCORE_LABELS["psnr"]

            def metric(clean, images):
                return psnr(clean, images, per_image=True)

        elif scoring == "ssim":
            label = _SCORE_LABELS["ssim"]
            image_shape = _image_shape_of(estimator)

            def metric(clean, images):
                return ssim(clean, images, image_shape=image_shape, per_image=True)

        elif callable(scoring):
            label = getattr(scoring, "__name__", "Score")
            metric = scoring
        else:
            raise ValueError(
                f"scoring must be 'psnr', 'ssim' or a callable, got {scoring!r}."
            )

        means, stds, references = [], [], []
        for level in levels.tolist():
            corrupter = clone(noise).set_params(**{param_name: level})
            if random_state is not None and "random_state" in params:
                corrupter.set_params(random_state=random_state)
            noisy = corrupter.fit_transform(X_clean)
            denoised = estimator.transform(noisy)
            clean = np.reshape(
                np.asarray(X_clean, dtype=np.float64), np.shape(denoised)
            )
            scores = np.asarray(metric(clean, denoised), dtype=np.float64)
            reference = np.asarray(
                metric(clean, np.reshape(noisy, np.shape(denoised))), dtype=np.float64
            )
            with np.errstate(invalid="ignore"):  # inf PSNR of exact images
                means.append(float(np.mean(scores)))
                stds.append(float(np.std(scores)))
                references.append(float(np.mean(reference)))

        display = cls(
            levels,
            means,
            stds,
            param_name=param_name,
            score_name=label,
            curve_labels=["Denoised"],
            reference_scores=references,
            reference_label="Noisy input",
        )
        return display.plot(ax=ax)
