"""Reach the estimator that does the work inside a (possibly nested) pipeline."""


def final_step(estimator):
    """The last step of a pipeline (of nested pipelines), or the estimator itself.

    Anything with a non-empty ``steps`` list (a :class:`~sklearn.pipeline.Pipeline`)
    counts as a pipeline; a last step that is itself a pipeline is followed to
    its own last step.

    Parameters
    ----------
    estimator : object
        An estimator or a pipeline.

    Returns
    -------
    step : object
        ``estimator`` itself unless it is a pipeline, else its final step.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import MinMaxScaler, StandardScaler
    >>> from skdae._pipeline_steps import final_step
    >>> scaler = StandardScaler()
    >>> final_step(make_pipeline(MinMaxScaler(), make_pipeline(scaler))) is scaler
    True
    >>> final_step(scaler) is scaler
    True
    """
    steps = getattr(estimator, "steps", None)
    while isinstance(steps, list) and steps:
        estimator = steps[-1][1]
        steps = getattr(estimator, "steps", None)
    return estimator
