"""What the displays share: numeric input checks, keyword-argument defaults and
the axes to draw on."""

import numpy as np


def merge_kwargs(defaults, user):
    """``defaults`` updated with the user's keyword arguments (which may be None)."""
    return {**defaults, **(user or {})}


def as_float_array(X, name):
    """``X`` as a float64 array; a ValueError naming ``name`` if it is not numeric."""
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got an array of dtype {X.dtype}.")
    return X.astype(np.float64, copy=False)


def figure_and_axes(ax):
    """``(figure, ax)``: ``ax`` and its figure, or a new figure's axes if ``ax`` is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        return plt.subplots(layout="constrained")
    return ax.figure, ax
