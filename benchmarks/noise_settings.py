"""The noise settings the quality benchmarks train and evaluate on.

Each key names one noise model of :mod:`skdae.noise` with its parameters;
:func:`make_noise` builds it. Keys are what the JSON records and tables use.
"""

from skdae.noise import (
    GaussianNoise,
    MaskingNoise,
    PoissonNoise,
    SaltPepperNoise,
    SpeckleNoise,
)

#: key -> (label, noise class, parameters)
NOISES = {
    "gauss-0.1": ("Gaussian 0.1 (clipped)", GaussianNoise, {"sigma": 0.1}),
    "gauss-0.3": ("Gaussian 0.3 (clipped)", GaussianNoise, {"sigma": 0.3}),
    "gauss-0.5": ("Gaussian 0.5 (clipped)", GaussianNoise, {"sigma": 0.5}),
    "sp-0.05": ("salt & pepper 0.05", SaltPepperNoise, {"amount": 0.05}),
    "sp-0.1": ("salt & pepper 0.1", SaltPepperNoise, {"amount": 0.1}),
    "sp-0.2": ("salt & pepper 0.2", SaltPepperNoise, {"amount": 0.2}),
    "gauss-25": (
        "Gaussian 25/255 (unclipped)",
        GaussianNoise,
        {"sigma": 25 / 255, "clip": False},
    ),
    "blind-gauss": (
        "Gaussian sigma ~ U[0.1, 0.5] (clipped, blind)",
        GaussianNoise,
        {"sigma": (0.1, 0.5)},
    ),
    "speckle-0.5": ("speckle 0.5", SpeckleNoise, {"sigma": 0.5}),
    "poisson-10": ("Poisson peak 10", PoissonNoise, {"peak": 10.0}),
    "masking-0.5": ("masking 0.5", MaskingNoise, {"amount": 0.5}),
}


def make_noise(key, random_state=None):
    """The noise model of setting ``key``, seeded with ``random_state``."""
    _, cls, params = NOISES[key]
    return cls(**params, random_state=random_state)


def label(key):
    """The human-readable name of setting ``key``."""
    return NOISES[key][0]
