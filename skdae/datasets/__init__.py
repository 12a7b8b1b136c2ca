"""Loaders for MNIST-format image data sets and for image files.

:func:`load_images` reads PNG, JPEG, TIFF and BMP files (a folder, a glob or a
list of files) as float arrays in [0, 1]. The other loaders read MNIST,
Fashion-MNIST, KMNIST and EMNIST.

The loaders read the standard IDX files (gzip-compressed ``.gz`` or uncompressed)
from local folders; nothing is downloaded unless ``download=True`` is passed, and
then only through torchvision, into the data home. Like scikit-learn's loaders of
split data sets, they take ``subset="train"|"test"|"all"`` and return a Bunch
with ``data`` and ``target``, or ``(data, target)`` with ``return_X_y=True``.

Where the files are looked for
------------------------------
Candidate base folders, in this order:

1. the ``data_home`` argument, when given;
2. the ``SKDAE_DATA_HOME`` environment variable, when set;
3. ``~/skdae_data``;
4. the Debian package folder ``/usr/share/datasets/<debian-name>`` (for example
   ``apt-get install dataset-fashion-mnist`` installs the four gzip-compressed
   Fashion-MNIST files directly in ``/usr/share/datasets/fashion-mnist``).

Inside each of the first three base folders the files are looked for in the base
itself, in ``<base>/<name>`` (``mnist``, ``fashion-mnist``, ``kmnist``, ``emnist``)
and in torchvision's layout ``<base>/<TorchvisionName>/raw`` (``MNIST``,
``FashionMNIST``, ``KMNIST``, ``EMNIST``). The first folder that holds all four
files wins. When a file is present both uncompressed and as ``.gz``, the
uncompressed one is read (torchvision's ``raw`` folders hold both).
"""

from ._base import DatasetNotFoundError
from ._image_files import load_images
from ._mnist import (
    EMNIST_SPLITS,
    load_emnist,
    load_fashion_mnist,
    load_kmnist,
    load_mnist,
)

__all__ = [
    "EMNIST_SPLITS",
    "DatasetNotFoundError",
    "load_emnist",
    "load_fashion_mnist",
    "load_images",
    "load_kmnist",
    "load_mnist",
]
