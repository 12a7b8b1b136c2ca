"""skdae: denoising autoencoders as first-class scikit-learn estimators."""

from .autoencoder import DenoisingAutoencoder
from .noise import BaseNoise, GaussianNoise, SaltPepperNoise

__version__ = "0.1.0.dev0"

__all__ = [
    "BaseNoise",
    "DenoisingAutoencoder",
    "GaussianNoise",
    "SaltPepperNoise",
    "__version__",
]
