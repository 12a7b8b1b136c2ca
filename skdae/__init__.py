"""skdae: denoising autoencoders as first-class scikit-learn estimators.

The public names are imported on first use (PEP 562), so that ``import skdae``,
and with it the ``skdae`` command's ``--help`` and ``--version``, do not import
PyTorch.
"""

import importlib

__version__ = "0.1.0.dev0"

# public name -> the submodule defining it
_SUBMODULES = {
    "config_context": "._config",
    "get_config": "._config",
    "set_config": "._config",
    "DenoisingAutoencoder": ".autoencoder",
    "ModelFileError": "._model_files",
    "BaseNoise": ".noise",
    "GaussianNoise": ".noise",
    "MaskingNoise": ".noise",
    "NoiseMixture": ".noise",
    "NoiseSequence": ".noise",
    "PoissonNoise": ".noise",
    "SaltPepperNoise": ".noise",
    "SpeckleNoise": ".noise",
    "transform_to": "._transform_to",
}

__all__ = sorted([*_SUBMODULES, "__version__"])


def __getattr__(name):
    if name in _SUBMODULES:
        value = getattr(importlib.import_module(_SUBMODULES[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
