"""Plain helper functions shared by the test modules (fixtures are in conftest.py)."""

import inspect

import numpy as np
from sklearn.base import clone

from skdae import noise as noise_module


def make_blob_images(n, height=12, width=12, seed=0):
    """``n`` smooth images (one or two Gaussian blobs) in [0, 1], flat float64."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    images = np.zeros((n, height, width))
    for image in images:
        for _ in range(rng.integers(1, 3)):
            cy, cx = rng.uniform(0, height), rng.uniform(0, width)
            s = rng.uniform(1.5, 3.0)
            image += np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * s**2))
    images /= images.max(axis=(1, 2), keepdims=True)
    return images.reshape(n, -1)


def _concrete_noise(cls):
    """Whether ``cls`` is a noise model class that implements ``corrupt``."""
    return (
        isinstance(cls, type)
        and issubclass(cls, noise_module.BaseNoise)
        and not getattr(cls.corrupt, "__isabstractmethod__", False)
        and not inspect.isabstract(cls)
    )


def public_noise_models(random_state=None):
    """Every public noise model that builds with its defaults, and variants.

    Found in ``skdae.noise.__all__``, so a new noise model is tested without
    being listed here: each class that builds without arguments, each
    composite class (one taking ``noises``) over all of those, and each model
    with a ``block_size`` once more with ``block_size=3``. Returns a dict
    name -> unfitted noise model, all with ``random_state``.
    """
    models = {}
    for name in noise_module.__all__:
        cls = getattr(noise_module, name)
        if _concrete_noise(cls):
            try:
                models[name] = cls()
            except TypeError:
                continue
    parts = [(name.lower(), model) for name, model in models.items()]
    for name in noise_module.__all__:
        cls = getattr(noise_module, name)
        if name not in models and _concrete_noise(cls):
            if "noises" in inspect.signature(cls).parameters:
                models[f"{name}(all)"] = cls([(n, clone(m)) for n, m in parts])
    for name, model in list(models.items()):
        if "block_size" in model.get_params(deep=False):
            models[f"{name}(block_size=3)"] = clone(model).set_params(block_size=3)
    for model in models.values():
        model.set_params(random_state=random_state)
    return models
