"""LossCurveDisplay: training and validation loss per epoch of a fitted model."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._pipeline_steps import final_step
from ._base import figure_and_axes, merge_kwargs


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

        fig, ax = figure_and_axes(ax)

        epochs = np.arange(1, len(train) + 1)
        defaults = {"marker": "o", "markersize": 3} if len(train) <= 50 else {}
        line_kw = merge_kwargs(defaults, line_kw)
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
        for candidate in (estimator, final_step(estimator)):
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
