"""Pretrained denoisers shipped inside the package, loaded offline.

skdae ships trained denoisers as safe model files (no pickle) inside the
installed package, so that a photograph can be denoised without training
anything and without a network connection:

>>> from skdae import pretrained
>>> sorted(pretrained.available())
['color', 'gray', 'mnist']
>>> dae = pretrained.load("gray")  # a fitted DenoisingAutoencoder, on the CPU

The loaded model is an ordinary fitted :class:`~skdae.DenoisingAutoencoder`:
it denoises (``transform``), scores, saves, and keeps training on one's own
images (``partial_fit``, or ``fit`` with ``warm_start=True``), which is how a
shipped model is fine-tuned.

Each model has a model card, :func:`model_card`: what it denoises, its
architecture and size, training data and recipe, device and training time, the
command that trains it again, and its benchmark table. The cards live in one
JSON file per model beside the model file (``skdae/pretrained/models/``); the
documentation and :func:`available` read them from there.
"""

from ._catalogue import available, load, model_card

__all__ = ["available", "load", "model_card"]
