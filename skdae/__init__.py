"""skdae: denoising autoencoders as first-class scikit-learn estimators."""

from ._config import config_context, get_config, set_config
from ._persistence import ModelFileError
from .autoencoder import DenoisingAutoencoder
from .noise import (
    BaseNoise,
    GaussianNoise,
    MaskingNoise,
    NoiseMixture,
    NoiseSequence,
    PoissonNoise,
    SaltPepperNoise,
    SpeckleNoise,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "BaseNoise",
    "DenoisingAutoencoder",
    "GaussianNoise",
    "MaskingNoise",
    "ModelFileError",
    "NoiseMixture",
    "NoiseSequence",
    "PoissonNoise",
    "SaltPepperNoise",
    "SpeckleNoise",
    "__version__",
    "config_context",
    "get_config",
    "set_config",
]
