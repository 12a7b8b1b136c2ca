"""The MNIST-family loaders: MNIST, Fashion-MNIST, KMNIST and EMNIST.

Each data set is four IDX files, a training and a test split of 28x28 images and
their labels; the loaders follow scikit-learn's convention for split data sets
(:func:`~sklearn.datasets.fetch_20newsgroups`): ``subset`` chooses the split and
``return_X_y=True`` gives ``(X, y)`` of that subset.
"""

import string
from dataclasses import dataclass, field
from os import PathLike

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

from ._base import _locate
from ._idx import IMAGES_MAGIC, LABELS_MAGIC, read_idx

_IMAGE_SHAPE = (28, 28)

_MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

_EMNIST_SPLITS = {
    # split: (class names, description)
    "byclass": (
        sorted(string.digits + string.ascii_letters),
        "814,255 characters, 62 unbalanced classes (digits, upper- and lower-case "
        "letters)",
    ),
    "bymerge": (
        sorted(set(string.digits + string.ascii_letters) - set("cijklmopsuvwxyz")),
        "814,255 characters, 47 unbalanced classes (letters whose upper and lower "
        "case look alike are merged)",
    ),
    "balanced": (
        sorted(set(string.digits + string.ascii_letters) - set("cijklmopsuvwxyz")),
        "131,600 characters, 47 balanced classes (letters whose upper and lower "
        "case look alike are merged)",
    ),
    "letters": (
        ["N/A", *string.ascii_lowercase],
        "145,600 characters, 26 balanced classes (letters, upper and lower case "
        "merged); the labels run from 1 to 26 as in the files, so target_names[0] "
        "is the unused 'N/A'",
    ),
    "digits": (list(string.digits), "280,000 characters, 10 balanced classes"),
    "mnist": (list(string.digits), "70,000 characters, 10 balanced classes"),
}


@dataclass(frozen=True)
class _Spec:
    """What differs between the MNIST-format data sets."""

    title: str
    name: str  # folder name under a data home
    torchvision_name: str  # torchvision class name, also its folder name
    debian_name: str  # folder name under /usr/share/datasets
    target_names: list
    description: str
    file_names: dict = field(default_factory=lambda: dict(_MNIST_FILES))
    transpose: bool = False
    torchvision_kwargs: dict = field(default_factory=dict)


_MNIST = _Spec(
    title="MNIST",
    name="mnist",
    torchvision_name="MNIST",
    debian_name="mnist",
    target_names=list(string.digits),
    description=(
        "The MNIST database of handwritten digits (Yann LeCun, Corinna Cortes and "
        "Christopher J.C. Burges): 28x28 grey-level images of the digits 0 to 9; "
        "officially 60,000 training and 10,000 test images. License: CC BY-SA 3.0."
    ),
)

_FASHION_MNIST = _Spec(
    title="Fashion-MNIST",
    name="fashion-mnist",
    torchvision_name="FashionMNIST",
    debian_name="fashion-mnist",
    target_names=[
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ],
    description=(
        "Fashion-MNIST (Han Xiao, Kashif Rasul and Roland Vollgraf, Zalando "
        "Research, 2017): 28x28 grey-level images of Zalando articles in 10 "
        "clothing classes, a drop-in replacement for MNIST; officially 60,000 "
        "training and 10,000 test images. License: MIT."
    ),
)

_KMNIST = _Spec(
    title="Kuzushiji-MNIST (KMNIST)",
    name="kmnist",
    torchvision_name="KMNIST",
    debian_name="kmnist",
    # Romanised hiragana, as torchvision names them.
    target_names=["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"],
    description=(
        "Kuzushiji-MNIST (Tarin Clanuwat et al., 2018): 28x28 grey-level images of "
        "10 cursive Japanese (Kuzushiji) hiragana characters; officially 60,000 "
        "training and 10,000 test images. License: CC BY-SA 4.0."
    ),
)


def _emnist_spec(split):
    target_names, about = _EMNIST_SPLITS[split]
    return _Spec(
        title=f"EMNIST ({split})",
        name="emnist",
        torchvision_name="EMNIST",
        debian_name="emnist",
        target_names=list(target_names),
        description=(
            "EMNIST (Gregory Cohen, Saeed Afshar, Jonathan Tapson and Andre van "
            "Schaik, 2017): handwritten characters of NIST Special Database 19 "
            f"converted to the MNIST format. Split {split!r}: {about}. The images "
            "are stored transposed in the files and are transposed back here so "
            "that characters are upright."
        ),
        file_names={
            key: f"emnist-{split}-{part}"
            for key, part in (
                ("train_images", "train-images-idx3-ubyte"),
                ("train_labels", "train-labels-idx1-ubyte"),
                ("test_images", "test-images-idx3-ubyte"),
                ("test_labels", "test-labels-idx1-ubyte"),
            )
        },
        transpose=True,
        torchvision_kwargs={"split": split},
    )


_SUBSETS = {"train": ("train",), "test": ("test",), "all": ("train", "test")}


def _read_split(spec, files, part):
    """The uint8 images (upright) and int64 labels of one split."""
    images_path, labels_path = files[f"{part}_images"], files[f"{part}_labels"]
    images = read_idx(images_path, magic=IMAGES_MAGIC, item_shape=_IMAGE_SHAPE)
    labels = read_idx(labels_path, magic=LABELS_MAGIC)
    if len(images) != len(labels):
        raise ValueError(
            f"{images_path} holds {len(images)} images but {labels_path} holds "
            f"{len(labels)} labels; the two files do not belong together."
        )
    n_classes = len(spec.target_names)
    if labels.max() >= n_classes:
        raise ValueError(
            f"{labels_path}: label {int(labels.max())} is out of range for the "
            f"{n_classes} classes of {spec.title}; the file is corrupt or belongs "
            "to another data set."
        )
    if spec.transpose:
        images = images.transpose(0, 2, 1)
    return images, labels.astype(np.int64)


def _check_dtype(dtype):
    msg = f"dtype must be a floating-point dtype; got {dtype!r}."
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(msg) from exc
    if dtype.kind != "f":
        raise ValueError(msg)
    return dtype


def _load(spec, *, subset, data_home, download, return_X_y, as_images, dtype):
    dtype = _check_dtype(dtype)
    files = _locate(spec, data_home, download)
    parts = [_read_split(spec, files, part) for part in _SUBSETS[subset]]
    counts = [len(labels) for _, labels in parts]
    # One conversion to float into the final array (C order, undoing EMNIST's
    # transpose), then an in-place scaling.
    images = np.empty((sum(counts), *_IMAGE_SHAPE), dtype=dtype)
    start = 0
    for (uint8_images, _), count in zip(parts, counts):
        images[start : start + count] = uint8_images
        start += count
    images /= 255
    target = np.concatenate([labels for _, labels in parts])
    data = images if as_images else images.reshape(len(images), -1)
    if return_X_y:
        return data, target

    read = {
        key: str(path)
        for key, path in files.items()
        if key.split("_")[0] in _SUBSETS[subset]
    }
    split_counts = " and ".join(
        f"{count} {part}" for part, count in zip(_SUBSETS[subset], counts)
    )
    folder = files[f"{_SUBSETS[subset][0]}_images"].parent
    descr = (
        f"{spec.title}\n{'=' * len(spec.title)}\n\n{spec.description}\n\n"
        f"Loaded: subset {subset!r}, {split_counts} images of "
        f"{_IMAGE_SHAPE[0]}x{_IMAGE_SHAPE[1]} pixels scaled to [0, 1], "
        f"{len(spec.target_names)} classes, from {folder}."
    )
    return Bunch(
        data=data,
        images=images,
        target=target,
        image_shape=_IMAGE_SHAPE,
        target_names=list(spec.target_names),
        DESCR=descr,
        files=read,
    )


_PARAMETER_CONSTRAINTS = {
    "subset": [StrOptions(set(_SUBSETS))],
    "data_home": [str, PathLike, None],
    "download": ["boolean"],
    "return_X_y": ["boolean"],
    "as_images": ["boolean"],
    "dtype": [type, str, np.dtype],
}

_LOADER_DOC = """{summary}

{extra}Parameters
----------
{split_param}subset : {{"train", "test", "all"}}, default="train"
    Which images to load: the training split, the test split, or both (the
    training images first).

data_home : str or path-like, default=None
    Folder searched first for the files (directly, in ``<data_home>/{name}``
    or in ``<data_home>/{torchvision_name}/raw``). ``$SKDAE_DATA_HOME``,
    ``~/skdae_data`` and ``/usr/share/datasets/{debian_name}`` are searched
    next, in this order.

download : bool, default=False
    When the files are found nowhere, download them with torchvision (which
    must be installed, with a network connection) into
    ``<data home>/{torchvision_name}/raw``, the data home being ``data_home``,
    else ``$SKDAE_DATA_HOME``, else ``~/skdae_data``. Files found locally are
    never downloaded again.{download_note}

return_X_y : bool, default=False
    Return ``(data, target)`` of the subset instead of a Bunch.

as_images : bool, default=False
    Make ``data`` images of shape ``(n, 28, 28)`` instead of flat rows of 784
    pixels.

dtype : floating-point dtype, default=np.float32
    Data type of the images; pixels are scaled to [0, 1] (value / 255).

Returns
-------
data : :class:`~sklearn.utils.Bunch`
    Dictionary-like object with the attributes:

    data : ndarray of shape (n, 784), or (n, 28, 28) with ``as_images``
        The {images_kind}, pixel values in [0, 1].
    images : ndarray of shape (n, 28, 28)
        The same images (sharing memory with ``data``).
    target : ndarray of shape (n,), dtype int64
        The labels, indices into ``target_names``.
    image_shape : tuple
        ``(28, 28)``.
    target_names : list of str
        {target_names}
    DESCR : str
        Description of the data set and of the copy loaded.
    files : dict
        Paths of the files read, keys ``train_images``, ``train_labels``,
        ``test_images`` and ``test_labels`` (those of the subset).

(data, target) : tuple of ndarrays
    When ``return_X_y`` is True.

Raises
------
DatasetNotFoundError
    When no folder holds the files (and they cannot be downloaded). The
    message lists the folders searched and how to fix the problem.
ValueError
    When a parameter is invalid, or when a file is truncated or corrupt (bad
    gzip data, bad magic number, wrong dimensions, no images, image and label
    counts that disagree). The message names the file.

See Also
--------
{see_also}

Examples
--------
{examples}
"""


def _loader_doc(spec, summary, **kwargs):
    fields = {
        "extra": "",
        "split_param": "",
        "download_note": "",
        "images_kind": "images",
        "name": spec.name,
        "torchvision_name": spec.torchvision_name,
        "debian_name": spec.debian_name,
        "summary": summary,
    }
    fields.update(kwargs)
    return _LOADER_DOC.format(**fields)


@validate_params(_PARAMETER_CONSTRAINTS, prefer_skip_nested_validation=True)
def load_mnist(
    *,
    subset="train",
    data_home=None,
    download=False,
    return_X_y=False,
    as_images=False,
    dtype=np.float32,
):
    return _load(
        _MNIST,
        subset=subset,
        data_home=data_home,
        download=download,
        return_X_y=return_X_y,
        as_images=as_images,
        dtype=dtype,
    )


load_mnist.__doc__ = _loader_doc(
    _MNIST,
    "Load the MNIST handwritten digits (10 classes, 28x28 grey-level images).",
    extra="The image counts are read from the files: a copy that holds a subset "
    "of the\nofficial 60,000 training images loads as that subset.\n\n",
    target_names='Class names, ``["0", "1", ..., "9"]``.',
    see_also="load_fashion_mnist, load_kmnist, load_emnist",
    examples=""">>> from skdae.datasets import load_mnist
>>> mnist = load_mnist(subset="test")  # doctest: +SKIP
>>> mnist.data.shape  # doctest: +SKIP
(10000, 784)
>>> X_train, y_train = load_mnist(return_X_y=True, as_images=True)  # doctest: +SKIP""",
)


@validate_params(_PARAMETER_CONSTRAINTS, prefer_skip_nested_validation=True)
def load_fashion_mnist(
    *,
    subset="train",
    data_home=None,
    download=False,
    return_X_y=False,
    as_images=False,
    dtype=np.float32,
):
    return _load(
        _FASHION_MNIST,
        subset=subset,
        data_home=data_home,
        download=download,
        return_X_y=return_X_y,
        as_images=as_images,
        dtype=dtype,
    )


load_fashion_mnist.__doc__ = _loader_doc(
    _FASHION_MNIST,
    "Load Fashion-MNIST (10 clothing classes, 28x28 grey-level images).",
    extra="On Debian and Ubuntu, ``apt-get install dataset-fashion-mnist`` installs "
    "the\nfiles in ``/usr/share/datasets/fashion-mnist``, where they are found "
    "without\nany configuration.\n\n",
    target_names='Class names, ``["T-shirt/top", "Trouser", "Pullover", "Dress",\n'
    '        "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]``.',
    see_also="load_mnist, load_kmnist, load_emnist",
    examples=""">>> from skdae.datasets import load_fashion_mnist
>>> fashion = load_fashion_mnist()  # doctest: +SKIP
>>> fashion.target_names[:3]  # doctest: +SKIP
['T-shirt/top', 'Trouser', 'Pullover']""",
)


@validate_params(_PARAMETER_CONSTRAINTS, prefer_skip_nested_validation=True)
def load_kmnist(
    *,
    subset="train",
    data_home=None,
    download=False,
    return_X_y=False,
    as_images=False,
    dtype=np.float32,
):
    return _load(
        _KMNIST,
        subset=subset,
        data_home=data_home,
        download=download,
        return_X_y=return_X_y,
        as_images=as_images,
        dtype=dtype,
    )


load_kmnist.__doc__ = _loader_doc(
    _KMNIST,
    "Load Kuzushiji-MNIST (10 cursive hiragana classes, 28x28 images).",
    extra="The files have the same format and names as MNIST's.\n\n",
    target_names='Romanised hiragana, ``["o", "ki", "su", "tsu", "na", "ha", '
    '"ma",\n        "ya", "re", "wo"]`` (torchvision\'s names).',
    see_also="load_mnist, load_fashion_mnist, load_emnist",
    examples=""">>> from skdae.datasets import load_kmnist
>>> kmnist = load_kmnist(as_images=True)  # doctest: +SKIP
>>> kmnist.data.shape[1:]  # doctest: +SKIP
(28, 28)""",
)


#: The names of the EMNIST splits, values of :func:`load_emnist`'s ``split``.
EMNIST_SPLITS = tuple(_EMNIST_SPLITS)


@validate_params(
    {"split": [StrOptions(set(_EMNIST_SPLITS))], **_PARAMETER_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def load_emnist(
    *,
    split="balanced",
    subset="train",
    data_home=None,
    download=False,
    return_X_y=False,
    as_images=False,
    dtype=np.float32,
):
    return _load(
        _emnist_spec(split),
        subset=subset,
        data_home=data_home,
        download=download,
        return_X_y=return_X_y,
        as_images=as_images,
        dtype=dtype,
    )


load_emnist.__doc__ = _loader_doc(
    _emnist_spec("balanced"),
    "Load one split of EMNIST (handwritten digits and letters, 28x28 images).",
    extra="The files are named like ``emnist-balanced-train-images-idx3-ubyte[.gz]``"
    "\nand ``emnist-balanced-test-labels-idx1-ubyte[.gz]``. EMNIST stores its\n"
    "images transposed; they are transposed back here so that characters are\n"
    "upright.\n\n",
    split_param='split : {"balanced", "byclass", "bymerge", "letters", "digits", '
    '"mnist"}, \\\ndefault="balanced"\n    Which EMNIST split to load. In the '
    '``"letters"`` split the labels run\n    from 1 to 26 (as in the files) and '
    '``target_names[0]`` is ``"N/A"``.\n\n',
    download_note=" torchvision downloads all\n    splits at once (a 560 MB archive).",
    images_kind="upright images",
    target_names="Class names (digits and letters, as torchvision names them).",
    see_also="load_mnist, load_fashion_mnist, load_kmnist",
    examples=""">>> from skdae.datasets import load_emnist
>>> letters = load_emnist(split="letters")  # doctest: +SKIP
>>> len(letters.target_names)  # doctest: +SKIP
27""",
)
