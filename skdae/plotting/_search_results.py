"""Reshape a search's ``cv_results_`` into score curves against one parameter."""

import numbers
from typing import NamedTuple

import numpy as np


class ScoreCurves(NamedTuple):
    """Scores of the candidates of a search, one curve per setting of the others.

    Attributes
    ----------
    levels : ndarray of shape (n_levels,)
        The distinct values of the parameter, increasing.
    mean_scores : ndarray of shape (n_curves, n_levels)
        Mean test score of each curve at each level; NaN where no candidate of
        the curve has that level.
    std_scores : ndarray of shape (n_curves, n_levels) or None
        Standard deviation of the test scores; None when ``cv_results_`` has none.
    curve_labels : list of str or None
        ``"name=value, ..."`` of the other parameters that vary, one label per
        curve; None when no other parameter varies (a single curve).
    metric : str or None
        The metric read (``mean_test_<metric>``) for a search with several; None
        for the single ``mean_test_score``.
    """

    levels: np.ndarray
    mean_scores: np.ndarray
    std_scores: np.ndarray | None
    curve_labels: list | None
    metric: str | None


def _format_param_value(value):
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return f"{value:g}"
    return str(value)


def _score_columns(results, metric, refit):
    """Keys of the mean and std test scores to read, and the metric they are of."""
    if "mean_test_score" in results:
        return "mean_test_score", "std_test_score", None
    metrics = sorted(
        k[len("mean_test_") :] for k in results if k.startswith("mean_test_")
    )
    if not metrics:
        raise ValueError("cv_results_ holds no mean_test_* scores.")
    if metric is None:
        if isinstance(refit, str) and refit in metrics:
            metric = refit
        else:
            raise ValueError(
                f"The search scored several metrics {metrics}: pass score_name "
                "to choose the one to plot."
            )
    if metric not in metrics:
        raise ValueError(
            f"score_name={metric!r} is not among the metrics of the search: {metrics}."
        )
    return f"mean_test_{metric}", f"std_test_{metric}", metric


def score_curves(results, param_name, *, metric=None, refit=None):
    """Test scores of a search against ``param_name``, one curve per other setting.

    Candidates that do not set ``param_name`` (a grid given as a list of dicts)
    are left out. The other parameters that vary among the remaining candidates
    split them into curves, labelled with their values; when two candidates
    fall on the same curve and level, the first one wins.

    Parameters
    ----------
    results : dict
        The ``cv_results_`` of a fitted search.
    param_name : str
        The parameter on the x axis, as in the parameter grid; its values must
        be numbers.
    metric : str or None, default=None
        For a search with several metrics, the one to read (``None`` takes
        ``refit``); ignored for a single metric.
    refit : str, bool or None, default=None
        The search's ``refit``.

    Returns
    -------
    curves : ScoreCurves
        Levels, mean and std scores, curve labels and the metric read.

    Examples
    --------
    >>> import numpy as np
    >>> from skdae.plotting._search_results import score_curves
    >>> results = {
    ...     "param_noise__sigma": np.ma.MaskedArray([0.3, 0.1, 0.3, 0.1]),
    ...     "param_dae__lr": np.ma.MaskedArray([0.1, 0.1, 0.01, 0.01]),
    ...     "mean_test_score": np.array([20.0, 25.0, 21.0, 26.0]),
    ...     "std_test_score": np.array([1.0, 2.0, 3.0, 4.0]),
    ... }
    >>> curves = score_curves(results, "noise__sigma")
    >>> curves.levels.tolist(), curves.curve_labels
    ([0.1, 0.3], ['dae__lr=0.1', 'dae__lr=0.01'])
    >>> curves.mean_scores.tolist()
    [[25.0, 20.0], [26.0, 21.0]]
    """
    key = f"param_{param_name}"
    if key not in results:
        searched = sorted(k[len("param_") :] for k in results if k.startswith("param_"))
        raise ValueError(
            f"cv_results_ has no parameter {param_name!r}; the searched "
            f"parameters are {searched}."
        )
    mean_key, std_key, metric = _score_columns(results, metric, refit)

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

    # One curve per combination of the other parameters, in order of appearance.
    curve_of = {}
    labels = []
    curves = np.empty(len(cand_levels), dtype=int)
    for i in range(len(cand_levels)):
        combination = tuple(repr(entries[i]) for _, entries in others)
        if combination not in curve_of:
            curve_of[combination] = len(labels)
            labels.append(
                ", ".join(
                    f"{name}={_format_param_value(entries[i])}"
                    for name, entries in others
                    if entries[i] is not None
                )
                or "(default)"
            )
        curves[i] = curve_of[combination]

    levels = np.unique(cand_levels)
    mean = np.full((len(labels), len(levels)), np.nan)
    std = None if cand_stds is None else np.full_like(mean, np.nan)
    columns = np.searchsorted(levels, cand_levels)
    for i, (r, c) in enumerate(zip(curves, columns)):
        if np.isnan(mean[r, c]):  # first candidate wins on duplicates
            mean[r, c] = cand_means[i]
            if std is not None:
                std[r, c] = cand_stds[i]
    return ScoreCurves(levels, mean, std, labels if others else None, metric)
