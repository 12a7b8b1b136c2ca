"""DenoisingComparisonDisplay: named rows of images, scored against a clean row."""

from collections.abc import Mapping

import numpy as np
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import check_is_fitted

from ..metrics import _image_shape_of, psnr, ssim
from ._image_grid import check_image_rows, plot_image_grid, select_indices

_SCORINGS = {
    "psnr": (psnr, "{:.1f} dB"),
    "ssim": (ssim, "SSIM {:.2f}"),
}


class DenoisingComparisonDisplay:
    """Grid of images in named rows, one column per image.

    Each row holds one version of the same images, in the order of ``rows``:
    typically the noisy input, the output of one or more denoisers and the clean
    images. When ``reference`` names the row of clean images, every other image
    is titled with its score (PSNR or SSIM) against the clean image of its
    column. It is recommended to create the display with :meth:`from_estimator`
    or :meth:`from_predictions`, which choose the images to show. All parameters
    are stored as attributes.

    Parameters
    ----------
    rows : dict of str to array-like of shape (n_images, h * w), (n_images, h, w) or (n_images, 1, h, w)
        Label of each row (its y-axis label) to its images, from top to bottom.
        All rows hold the same number of images of the same size.
    reference : str or None, default=None
        Label of the row of clean reference images, left untitled; the images
        of the other rows are scored against it. ``None`` scores nothing.
    image_shape : (int, int) or None, default=None
        Height and width of the images of flat arrays. ``None`` takes the shape of
        a 3-D or 4-D array among the rows, or else assumes square images.

    Attributes
    ----------
    figure_ : matplotlib Figure
        Figure holding the grid.
    axes_ : ndarray of matplotlib Axes, shape (n_rows, n_images)
        One row of Axes per entry of ``rows``, in order.
    images_ : ndarray of matplotlib AxesImage, shape (n_rows, n_images)
        The images drawn, laid out as ``axes_``.
    scores_ : dict of str to ndarray of shape (n_images,)
        Score of each image against its reference image (per image, from
        :func:`skdae.metrics.psnr` or :func:`skdae.metrics.ssim`), for every row
        but the reference; empty when ``reference`` or ``scoring`` is None.

    See Also
    --------
    DenoisingComparisonDisplay.from_estimator : Denoise images with a fitted
        estimator and plot them.
    DenoisingComparisonDisplay.from_predictions : Plot images denoised already.
    skdae.metrics.psnr : Peak signal-to-noise ratio.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.ndimage import median_filter
    >>> from skdae.plotting import DenoisingComparisonDisplay
    >>> rng = np.random.default_rng(0)
    >>> clean = rng.random((4, 8, 8))
    >>> noisy = np.clip(clean + rng.normal(0, 0.3, clean.shape), 0, 1)
    >>> rows = {"Noisy": noisy,
    ...         "Median": median_filter(noisy, size=(1, 3, 3)),
    ...         "Average": (clean + noisy) / 2,
    ...         "Clean": clean}
    >>> disp = DenoisingComparisonDisplay(rows, reference="Clean").plot()
    >>> disp.axes_.shape
    (4, 4)
    >>> list(disp.scores_)
    ['Noisy', 'Median', 'Average']
    >>> bool(np.all(disp.scores_["Average"] > disp.scores_["Noisy"]))
    True
    """

    def __init__(self, rows, *, reference=None, image_shape=None):
        self.rows = rows
        self.reference = reference
        self.image_shape = image_shape

    def plot(self, *, scoring="psnr", cmap="gray", axes=None, imshow_kw=None):
        """Plot the grid of images.

        Parameters
        ----------
        scoring : {"psnr", "ssim"} or None, default="psnr"
            Score that titles each image of the rows other than ``reference``:
            its PSNR (``"21.3 dB"``) or SSIM (``"SSIM 0.85"``) against the
            reference image of its column. ``None`` draws no titles. Ignored
            without a ``reference``.
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of the images.
        axes : array-like of matplotlib Axes of size n_rows * n_images, default=None
            Axes to draw on, in row-major order (the rows in the order of
            ``rows``) or as an (n_rows, n_images) array. ``None`` creates a new
            figure.
        imshow_kw : dict, default=None
            Extra keyword arguments for :meth:`matplotlib.axes.Axes.imshow`. By
            default all images share the value range [0, 1] (wider if the data
            are), so grey levels compare across panels.

        Returns
        -------
        display : DenoisingComparisonDisplay
            The display, with ``figure_``, ``axes_``, ``images_`` and ``scores_``
            set.

        Examples
        --------
        >>> import numpy as np
        >>> from skdae.plotting import DenoisingComparisonDisplay
        >>> clean = np.full((2, 36), 0.5)  # two 6x6 images
        >>> disp = DenoisingComparisonDisplay(
        ...     {"Clean": clean, "Off by 0.1": clean + 0.1,
        ...      "Off by 0.01": clean + 0.01}, reference="Clean")
        >>> disp = disp.plot(cmap="viridis")
        >>> disp.axes_[1, 0].get_title(), disp.axes_[2, 0].get_title()
        ('20.0 dB', '40.0 dB')
        """
        rows = check_image_rows(self.rows, self.image_shape)
        if self.reference is not None and (
            not isinstance(self.reference, str) or self.reference not in rows
        ):
            raise ValueError(
                f"reference={self.reference!r} is not one of the row labels "
                f"{list(rows)}."
            )
        if scoring is not None and (
            not isinstance(scoring, str) or scoring not in _SCORINGS
        ):
            raise ValueError(
                f"scoring must be 'psnr', 'ssim' or None, got {scoring!r}."
            )

        self.scores_ = {}
        titles = {}
        if self.reference is not None and scoring is not None:
            metric, title_format = _SCORINGS[scoring]
            clean = rows[self.reference]
            for label, images in rows.items():
                if label != self.reference:
                    self.scores_[label] = metric(clean, images, per_image=True)
                    titles[label] = [
                        title_format.format(v) for v in self.scores_[label]
                    ]

        self.figure_, self.axes_, self.images_ = plot_image_grid(
            rows, titles=titles, axes=axes, cmap=cmap, imshow_kw=imshow_kw
        )
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
        scoring="psnr",
        cmap="gray",
        axes=None,
    ):
        """Denoise a few images with a fitted estimator and plot them.

        The rows are, from top to bottom, ``"Noisy"`` (the input), ``"Denoised"``
        and ``"Clean"`` (the reference). Only the selected images are passed to
        ``estimator.transform``.

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
        scoring : {"psnr", "ssim"} or None, default="psnr"
            Score that titles the noisy and denoised images (see :meth:`plot`).
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
        >>> list(disp.scores_)
        ['Noisy', 'Denoised']
        """
        check_is_fitted(estimator)
        if len(X_noisy) != len(X_clean):
            raise ValueError(
                f"X_noisy and X_clean hold different numbers of images: "
                f"{len(X_noisy)} and {len(X_clean)}."
            )
        selected = select_indices(len(X_noisy), n_images, indices)
        noisy = _safe_indexing(X_noisy, selected)
        rows = {
            "Noisy": np.asarray(noisy),
            "Denoised": np.asarray(estimator.transform(noisy)),
            "Clean": np.asarray(_safe_indexing(X_clean, selected)),
        }
        if image_shape is None:
            image_shape = _image_shape_of(estimator)
        display = cls(rows, reference="Clean", image_shape=image_shape)
        return display.plot(scoring=scoring, cmap=cmap, axes=axes)

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
        scoring="psnr",
        cmap="gray",
        axes=None,
    ):
        """Plot images that were denoised already, by one or several denoisers.

        The rows are, from top to bottom, ``"Noisy"``, the denoised images (one
        row ``"Denoised"``, or one row per entry of a dict ``X_denoised``) and
        ``"Clean"``, the reference that the other rows are scored against.

        Parameters
        ----------
        X_clean : array-like of shape (n_samples, h * w), (n_samples, h, w) or (n_samples, 1, h, w)
            Clean reference images.
        X_noisy : array-like of shape (n_samples, ...)
            Noisy images.
        X_denoised : array-like of shape (n_samples, ...) or dict of str to array-like
            Denoised images, or a dict mapping the name of each denoiser (its
            row label) to its denoised images, to compare several.
        n_images : int, default=8
            Number of images to show: the first ``n_images`` (all if fewer).
            Ignored when ``indices`` is given.
        indices : array-like of int or None, default=None
            Indices of the images to show, in order.
        image_shape : (int, int) or None, default=None
            Height and width of flat images; ``None`` takes the shape of a
            3-D/4-D array among the arrays or else assumes square images.
        scoring : {"psnr", "ssim"} or None, default="psnr"
            Score that titles the noisy and denoised images (see :meth:`plot`).
        cmap : str or matplotlib Colormap, default="gray"
            Colormap of the images.
        axes : array-like of matplotlib Axes of size n_rows * n_shown, default=None
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

        Several denoisers, one row each:

        >>> disp = DenoisingComparisonDisplay.from_predictions(
        ...     clean, noisy, {"average": (clean + noisy) / 2, "none": noisy},
        ...     n_images=3)
        >>> [ax.get_ylabel() for ax in disp.axes_[:, 0]]
        ['Noisy', 'average', 'none', 'Clean']
        """
        named = {"X_clean": X_clean, "X_noisy": X_noisy}
        if isinstance(X_denoised, Mapping):
            denoised = dict(X_denoised)
            if not denoised:
                raise ValueError("X_denoised is an empty dict: no denoised images.")
            taken = {"Noisy", "Clean"} & set(denoised)
            if taken:
                raise ValueError(
                    f"X_denoised cannot use the row labels {sorted(taken)}: they "
                    "name the noisy and clean rows."
                )
            named.update({f"X_denoised[{k!r}]": X for k, X in denoised.items()})
        else:
            denoised = {"Denoised": X_denoised}
            named["X_denoised"] = X_denoised
        if len({len(X) for X in named.values()}) > 1:
            detail = ", ".join(f"{name}: {len(X)}" for name, X in named.items())
            raise ValueError(
                "X_clean, X_noisy and X_denoised hold different numbers of images "
                f"({detail})."
            )
        selected = select_indices(len(X_clean), n_images, indices)
        rows = {"Noisy": X_noisy, **denoised, "Clean": X_clean}
        rows = {
            label: np.asarray(_safe_indexing(X, selected)) for label, X in rows.items()
        }
        display = cls(rows, reference="Clean", image_shape=image_shape)
        return display.plot(scoring=scoring, cmap=cmap, axes=axes)
