"""NoiseLevelDisplay: a score against the noise level, from a search or a model."""

from collections.abc import Mapping

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from .._pipeline_steps import final_step
from ..autoencoder import DenoisingAutoencoder
from ..metrics import _DenoisingScorer, _image_shape_of, psnr, ssim
from ._base import as_float_array, figure_and_axes, merge_kwargs
from ._search_results import score_curves

_SCORE_LABELS = {
    "psnr": "PSNR (dB)",
    "ssim": "SSIM",
    "neg_mse": "Negative MSE",
    "mse": "MSE",
    "score": "Score",
}


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
        final = final_step(getattr(search, "estimator", None))
        if isinstance(final, DenoisingAutoencoder):
            return _SCORE_LABELS["psnr"]
    return "Score"


def _finite_or_nan(values):
    """Replace infinities (e.g. the PSNR of an exact image) with NaN for plotting."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(values), values, np.nan)


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
        levels = as_float_array(self.levels, "levels")
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

        fig, ax = figure_and_axes(ax)

        line_kw = merge_kwargs({"marker": "o"}, line_kw)
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
                    **merge_kwargs(
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
        curves = score_curves(
            results,
            param_name,
            metric=score_name,
            refit=getattr(search, "refit", None),
        )
        if curves.metric is not None:
            label = _pretty_score_name(curves.metric)
        elif score_name is not None:
            label = _pretty_score_name(score_name)
        else:
            label = _default_score_label(search)
        display = cls(
            curves.levels,
            curves.mean_scores,
            curves.std_scores,
            param_name=param_name,
            score_name=label,
            curve_labels=curves.curve_labels,
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
