"""Loaders for MNIST-format image data sets: MNIST, Fashion-MNIST, KMNIST, EMNIST.

The loaders read the standard IDX files (gzip-compressed ``.gz`` or uncompressed)
from local folders; nothing is downloaded unless ``download=True`` is passed, and
then only through torchvision, into the data home.

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

import gzip
import os
import string
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

__all__ = [
    "DatasetNotFoundError",
    "load_emnist",
    "load_fashion_mnist",
    "load_kmnist",
    "load_mnist",
]

#: Environment variable naming the default data home.
DATA_HOME_ENV = "SKDAE_DATA_HOME"

# Where Debian's ``dataset-*`` packages install their files (one folder per data
# set, files directly inside). Module-level so that tests can redirect it.
_DEBIAN_DATASETS_DIR = Path("/usr/share/datasets")

_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension
_IMAGE_SHAPE = (28, 28)

# Keys of ``Bunch.files``, in the order the files are read.
_FILE_KEYS = ("train_images", "train_labels", "test_images", "test_labels")

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
    if not isinstance(split, str) or split not in _EMNIST_SPLITS:
        raise ValueError(
            f"split must be one of {sorted(_EMNIST_SPLITS)}; got {split!r}."
        )
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


class DatasetNotFoundError(FileNotFoundError):
    """The files of a data set were found in none of the folders searched.

    The message lists every folder searched, in order, and how to fix the
    problem; it is meant to be shown to users as is.

    Attributes
    ----------
    searched : tuple of pathlib.Path
        The folders searched, in the order they were searched.
    """

    def __init__(self, message, *, searched=()):
        super().__init__(message)
        self.searched = tuple(searched)


# --------------------------------------------------------------------------- #
# Locating the files
# --------------------------------------------------------------------------- #


def _get_data_home(data_home=None):
    """The data home: ``data_home``, else ``$SKDAE_DATA_HOME``, else ~/skdae_data."""
    if data_home is not None:
        return Path(data_home).expanduser()
    env = os.environ.get(DATA_HOME_ENV)
    if env:
        return Path(env).expanduser()
    return Path("~", "skdae_data").expanduser()


def _candidate_dirs(spec, data_home):
    """Folders to search, in order, as (folder, where-it-comes-from) pairs."""
    bases = []
    if data_home is not None:
        bases.append((Path(data_home).expanduser(), "data_home"))
    env = os.environ.get(DATA_HOME_ENV)
    if env:
        bases.append((Path(env).expanduser(), DATA_HOME_ENV))
    bases.append((Path("~", "skdae_data").expanduser(), "default data home"))

    candidates = []
    for base, origin in bases:
        for folder in (
            base,
            base / spec.name,
            base / spec.torchvision_name / "raw",
        ):
            candidates.append((folder, origin))
    candidates.append(
        (Path(_DEBIAN_DATASETS_DIR) / spec.debian_name, "Debian package folder")
    )

    seen = set()
    unique = []
    for folder, origin in candidates:
        if folder not in seen:
            seen.add(folder)
            unique.append((folder, origin))
    return unique


def _file_in(folder, file_name):
    """Path of ``file_name`` (uncompressed, else ``.gz``) in ``folder``, or None."""
    for candidate in (folder / file_name, folder / f"{file_name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _find_files(spec, data_home):
    """Locate the four files.

    Returns ``(files, report)``: ``files`` maps the keys of ``_FILE_KEYS`` to
    paths (None when no folder holds all four), ``report`` lists the folders
    searched as (folder, origin, names of the files missing there, or None when
    the folder holds none of them).
    """
    report = []
    for folder, origin in _candidate_dirs(spec, data_home):
        found = {key: _file_in(folder, spec.file_names[key]) for key in _FILE_KEYS}
        if all(found.values()):
            return found, report + [(folder, origin, [])]
        missing = [spec.file_names[key] for key in _FILE_KEYS if found[key] is None]
        report.append((folder, origin, missing if len(missing) < 4 else None))
    return None, report


def _not_found_message(spec, report, data_home, reason=None):
    names = ", ".join(f"{spec.file_names[key]}[.gz]" for key in _FILE_KEYS)
    lines = [
        f"Could not find the {spec.title} files ({names}) in any of these "
        "folders, searched in this order:"
    ]
    width = len(str(len(report)))
    for i, (folder, origin, missing) in enumerate(report, start=1):
        line = f"  {i:>{width}}. {folder}  ({origin})"
        if missing:
            line += f" -- incomplete, missing {', '.join(missing)}"
        lines.append(line)
    if not os.environ.get(DATA_HOME_ENV):
        lines.append(f"({DATA_HOME_ENV} is not set.)")
    if reason:
        lines.append(reason)
    lines.append("To fix this, do one of:")
    lines.append(
        f"  - put the four files in a folder and pass data_home=<folder> or set "
        f"{DATA_HOME_ENV}=<folder> (they may also be in <folder>/{spec.name} or "
        f"<folder>/{spec.torchvision_name}/raw)."
    )
    lines.append(
        "  - pass download=True to download them with torchvision (pip install "
        f"torchvision) into {_get_data_home(data_home)}."
    )
    if spec.name == "fashion-mnist":
        lines.append(
            "  - on Debian or Ubuntu: apt-get install dataset-fashion-mnist, which "
            f"installs them in {Path(_DEBIAN_DATASETS_DIR) / spec.debian_name}."
        )
    return "\n".join(lines)


def _download(spec, data_home, report):
    """Download through torchvision into the data home; return its raw folder."""
    root = _get_data_home(data_home)
    try:
        import torchvision.datasets as tv_datasets
    except ModuleNotFoundError as exc:
        if exc.name not in ("torchvision", "torchvision.datasets"):
            raise _import_failed(spec, report, data_home, exc) from exc
        raise DatasetNotFoundError(
            _not_found_message(
                spec,
                report,
                data_home,
                reason="download=True needs torchvision, which is not installed "
                "(pip install torchvision).",
            ),
            searched=[folder for folder, _, _ in report],
        ) from exc
    except Exception as exc:  # a broken install can raise anything at import
        raise _import_failed(spec, report, data_home, exc) from exc

    dataset_class = getattr(tv_datasets, spec.torchvision_name)
    try:
        # train=False: torchvision downloads all files, then loads the smaller split.
        dataset_class(
            root=str(root), train=False, download=True, **spec.torchvision_kwargs
        )
    except Exception as exc:
        raise DatasetNotFoundError(
            _not_found_message(
                spec,
                report,
                data_home,
                reason=f"download=True was passed, but downloading {spec.title} "
                f"into {root} with torchvision failed: {type(exc).__name__}: {exc}",
            ),
            searched=[folder for folder, _, _ in report],
        ) from exc
    return root / spec.torchvision_name / "raw"


def _import_failed(spec, report, data_home, exc):
    return DatasetNotFoundError(
        _not_found_message(
            spec,
            report,
            data_home,
            reason="download=True was passed, but torchvision is installed and "
            f"could not be imported: {type(exc).__name__}: {exc} (a torchvision "
            "build that does not match the installed torch often causes this; "
            "reinstall torchvision for this torch version).",
        ),
        searched=[folder for folder, _, _ in report],
    )


# --------------------------------------------------------------------------- #
# Reading IDX files
# --------------------------------------------------------------------------- #


def _read_bytes(path):
    """The (decompressed) content of ``path``."""
    data = Path(path).read_bytes()
    if str(path).endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(
                f"{path}: corrupt gzip file, cannot decompress it ({exc})."
            ) from exc
    return data


def _read_idx(path, *, magic, item_shape=None):
    """Read an IDX file of unsigned bytes as a uint8 array (read-only view).

    ``magic`` is the expected magic number (it fixes the number of dimensions);
    ``item_shape`` the expected shape of one item (the dimensions after the
    first), when fixed.
    """
    data = _read_bytes(path)
    ndim = magic & 0xFF
    header_size = 4 * (1 + ndim)
    if len(data) < 4:
        raise ValueError(
            f"{path}: not an IDX file, only {len(data)} bytes long (truncated?)."
        )
    (found_magic,) = struct.unpack_from(">I", data, 0)
    if found_magic != magic:
        kind = "images" if magic == _IMAGES_MAGIC else "labels"
        raise ValueError(
            f"{path}: bad magic number 0x{found_magic:08X}, expected "
            f"0x{magic:08X} (IDX {kind} of unsigned bytes, {ndim} dimension"
            f"{'s' if ndim > 1 else ''}); the file is corrupt or not this kind "
            "of IDX file."
        )
    if len(data) < header_size:
        raise ValueError(
            f"{path}: truncated IDX header ({len(data)} bytes, expected at least "
            f"{header_size})."
        )
    dims = struct.unpack_from(f">{ndim}I", data, 4)
    if item_shape is not None and tuple(dims[1:]) != tuple(item_shape):
        raise ValueError(
            f"{path}: wrong item dimensions {'x'.join(map(str, dims[1:]))}, "
            f"expected {'x'.join(map(str, item_shape))}."
        )
    expected = int(np.prod(dims, dtype=np.int64))
    payload = len(data) - header_size
    if payload != expected:
        problem = "truncated" if payload < expected else "has trailing bytes"
        raise ValueError(
            f"{path}: {problem}: the header announces {dims[0]} items of shape "
            f"{tuple(dims[1:])} ({expected} bytes of data) but the file holds "
            f"{payload} bytes of data."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(dims)


def _read_split(images_path, labels_path, spec, dtype, as_images):
    images = _read_idx(images_path, magic=_IMAGES_MAGIC, item_shape=_IMAGE_SHAPE)
    labels = _read_idx(labels_path, magic=_LABELS_MAGIC)
    if len(images) != len(labels):
        raise ValueError(
            f"{images_path} holds {len(images)} images but {labels_path} holds "
            f"{len(labels)} labels; the two files do not belong together."
        )
    n_classes = len(spec.target_names)
    if len(labels) and labels.max() >= n_classes:
        raise ValueError(
            f"{labels_path}: label {int(labels.max())} is out of range for the "
            f"{n_classes} classes of {spec.title}; the file is corrupt or belongs "
            "to another data set."
        )
    if spec.transpose:
        images = images.transpose(0, 2, 1)
    # One conversion to float (C order, also undoing the transpose), then an
    # in-place scaling.
    X = images.astype(dtype, order="C")
    X /= 255
    if not as_images:
        X = X.reshape(len(X), -1)
    return X, labels.astype(np.int64)


# --------------------------------------------------------------------------- #
# Public loaders
# --------------------------------------------------------------------------- #


def _check_params(download, return_X_y, as_images, dtype):
    for name, value in (
        ("download", download),
        ("return_X_y", return_X_y),
        ("as_images", as_images),
    ):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name} must be a bool; got {value!r}.")
    msg = f"dtype must be a floating-point dtype; got {dtype!r}."
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(msg) from exc
    if dtype.kind != "f":
        raise ValueError(msg)
    return dtype


def _load(spec, *, data_home, download, return_X_y, as_images, dtype):
    dtype = _check_params(download, return_X_y, as_images, dtype)
    files, report = _find_files(spec, data_home)
    if files is None:
        searched = [folder for folder, _, _ in report]
        if not download:
            raise DatasetNotFoundError(
                _not_found_message(spec, report, data_home), searched=searched
            )
        raw = _download(spec, data_home, report)
        files = {key: _file_in(raw, spec.file_names[key]) for key in _FILE_KEYS}
        if not all(files.values()):
            missing = [spec.file_names[k] for k in _FILE_KEYS if files[k] is None]
            raise DatasetNotFoundError(
                _not_found_message(
                    spec,
                    report,
                    data_home,
                    reason=f"torchvision downloaded {spec.title}, but {raw} lacks "
                    f"{', '.join(missing)}.",
                ),
                searched=searched,
            )

    X_train, y_train = _read_split(
        files["train_images"], files["train_labels"], spec, dtype, as_images
    )
    X_test, y_test = _read_split(
        files["test_images"], files["test_labels"], spec, dtype, as_images
    )
    if return_X_y:
        return X_train, X_test, y_train, y_test

    folder = files["train_images"].parent
    descr = (
        f"{spec.title}\n{'=' * len(spec.title)}\n\n{spec.description}\n\n"
        f"Loaded: {len(X_train)} training and {len(X_test)} test images of "
        f"{_IMAGE_SHAPE[0]}x{_IMAGE_SHAPE[1]} pixels scaled to [0, 1], "
        f"{len(spec.target_names)} classes, from {folder}."
    )
    return Bunch(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        image_shape=_IMAGE_SHAPE,
        target_names=list(spec.target_names),
        DESCR=descr,
        files={key: str(files[key]) for key in _FILE_KEYS},
    )


def load_mnist(
    *,
    data_home=None,
    download=False,
    return_X_y=False,
    as_images=False,
    dtype=np.float32,
):
    """Load the MNIST handwritten digits (10 classes, 28x28 grey-level images).

    The image counts are read from the files: a copy that holds a subset of the
    official 60,000 training images loads as that subset.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder searched first for the files (directly, in ``<data_home>/mnist`` or
        in ``<data_home>/MNIST/raw``). ``$SKDAE_DATA_HOME``, ``~/skdae_data`` and
        ``/usr/share/datasets/mnist`` are searched next, in this order.

    download : bool, default=False
        When the files are found nowhere, download them with torchvision (which
        must be installed) into ``<data home>/MNIST/raw``, the data home being
        ``data_home``, else ``$SKDAE_DATA_HOME``, else ``~/skdae_data``. Files
        found locally are never downloaded again.

    return_X_y : bool, default=False
        Return ``(X_train, X_test, y_train, y_test)`` (the order of
        :func:`~sklearn.model_selection.train_test_split`) instead of a Bunch.

    as_images : bool, default=False
        Return images of shape ``(n, 28, 28)`` instead of flat rows of 784 pixels.

    dtype : floating-point dtype, default=np.float32
        Data type of the images; pixels are scaled to [0, 1] (value / 255).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        X_train, X_test : ndarray of shape (n, 784), or (n, 28, 28) with as_images
            The images, pixel values in [0, 1].
        y_train, y_test : ndarray of shape (n,), dtype int64
            The labels, indices into ``target_names``.
        image_shape : tuple
            ``(28, 28)``.
        target_names : list of str
            Class names, ``["0", "1", ..., "9"]``.
        DESCR : str
            Description of the data set and of the copy loaded.
        files : dict
            Paths of the files read, keys ``train_images``, ``train_labels``,
            ``test_images`` and ``test_labels``.

    (X_train, X_test, y_train, y_test) : tuple of ndarrays
        When ``return_X_y`` is True.

    Raises
    ------
    DatasetNotFoundError
        When no folder holds the files (and they cannot be downloaded). The
        message lists the folders searched and how to fix the problem.
    ValueError
        When a file is truncated or corrupt (bad gzip data, bad magic number,
        wrong dimensions, image and label counts that disagree). The message
        names the file.

    See Also
    --------
    load_fashion_mnist, load_kmnist, load_emnist

    Examples
    --------
    >>> from skdae.datasets import load_mnist
    >>> mnist = load_mnist()  # doctest: +SKIP
    >>> mnist.X_test.shape  # doctest: +SKIP
    (10000, 784)
    >>> X_train, X_test, y_train, y_test = load_mnist(
    ...     return_X_y=True, as_images=True
    ... )  # doctest: +SKIP
    """
    return _load(
        _MNIST,
        data_home=data_home,
        download=download,
        return_X_y=return_X_y,
        as_images=as_images,
        dtype=dtype,
    )


def load_fashion_mnist(
    *,
    data_home=None,
    download=False,
    return_X_y=False,
    as_images=False,
    dtype=np.float32,
):
    """Load Fashion-MNIST (10 clothing classes, 28x28 grey-level images).

    On Debian and Ubuntu, ``apt-get install dataset-fashion-mnist`` installs the
    files in ``/usr/share/datasets/fashion-mnist``, where they are found without
    any configuration.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder searched first for the files (directly, in
        ``<data_home>/fashion-mnist`` or in ``<data_home>/FashionMNIST/raw``).
        ``$SKDAE_DATA_HOME``, ``~/skdae_data`` and
        ``/usr/share/datasets/fashion-mnist`` are searched next, in this order.

    download : bool, default=False
        When the files are found nowhere, download them with torchvision (which
        must be installed) into ``<data home>/FashionMNIST/raw``, the data home
        being ``data_home``, else ``$SKDAE_DATA_HOME``, else ``~/skdae_data``.
        Files found locally are never downloaded again.

    return_X_y : bool, default=False
        Return ``(X_train, X_test, y_train, y_test)`` (the order of
        :func:`~sklearn.model_selection.train_test_split`) instead of a Bunch.

    as_images : bool, default=False
        Return images of shape ``(n, 28, 28)`` instead of flat rows of 784 pixels.

    dtype : floating-point dtype, default=np.float32
        Data type of the images; pixels are scaled to [0, 1] (value / 255).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        X_train, X_test : ndarray of shape (n, 784), or (n, 28, 28) with as_images
            The images, pixel values in [0, 1].
        y_train, y_test : ndarray of shape (n,), dtype int64
            The labels, indices into ``target_names``.
        image_shape : tuple
            ``(28, 28)``.
        target_names : list of str
            Class names, ``["T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]``.
        DESCR : str
            Description of the data set and of the copy loaded.
        files : dict
            Paths of the files read, keys ``train_images``, ``train_labels``,
            ``test_images`` and ``test_labels``.

    (X_train, X_test, y_train, y_test) : tuple of ndarrays
        When ``return_X_y`` is True.

    Raises
    ------
    DatasetNotFoundError
        When no folder holds the files (and they cannot be downloaded). The
        message lists the folders searched and how to fix the problem.
    ValueError
        When a file is truncated or corrupt (bad gzip data, bad magic number,
        wrong dimensions, image and label counts that disagree). The message
        names the file.

    See Also
    --------
    load_mnist, load_kmnist, load_emnist

    Examples
    --------
    >>> from skdae.datasets import load_fashion_mnist
    >>> fashion = load_fashion_mnist()  # doctest: +SKIP
    >>> fashion.target_names[:3]  # doctest: +SKIP
    ['T-shirt/top', 'Trouser', 'Pullover']
    """
    return _load(
        _FASHION_MNIST,
        data_home=data_home,
        download=download,
        return_X_y=return_X_y,
        as_images=as_images,
        dtype=dtype,
    )


def load_kmnist(
    *,
    data_home=None,
    download=False,
    return_X_y=False,
    as_images=False,
    dtype=np.float32,
):
    """Load Kuzushiji-MNIST (10 cursive hiragana classes, 28x28 images).

    The files have the same format and names as MNIST's.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder searched first for the files (directly, in ``<data_home>/kmnist``
        or in ``<data_home>/KMNIST/raw``). ``$SKDAE_DATA_HOME``, ``~/skdae_data``
        and ``/usr/share/datasets/kmnist`` are searched next, in this order.

    download : bool, default=False
        When the files are found nowhere, download them with torchvision (which
        must be installed) into ``<data home>/KMNIST/raw``, the data home being
        ``data_home``, else ``$SKDAE_DATA_HOME``, else ``~/skdae_data``. Files
        found locally are never downloaded again.

    return_X_y : bool, default=False
        Return ``(X_train, X_test, y_train, y_test)`` (the order of
        :func:`~sklearn.model_selection.train_test_split`) instead of a Bunch.

    as_images : bool, default=False
        Return images of shape ``(n, 28, 28)`` instead of flat rows of 784 pixels.

    dtype : floating-point dtype, default=np.float32
        Data type of the images; pixels are scaled to [0, 1] (value / 255).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        X_train, X_test : ndarray of shape (n, 784), or (n, 28, 28) with as_images
            The images, pixel values in [0, 1].
        y_train, y_test : ndarray of shape (n,), dtype int64
            The labels, indices into ``target_names``.
        image_shape : tuple
            ``(28, 28)``.
        target_names : list of str
            Romanised hiragana, ``["o", "ki", "su", "tsu", "na", "ha", "ma",
            "ya", "re", "wo"]`` (torchvision's names).
        DESCR : str
            Description of the data set and of the copy loaded.
        files : dict
            Paths of the files read, keys ``train_images``, ``train_labels``,
            ``test_images`` and ``test_labels``.

    (X_train, X_test, y_train, y_test) : tuple of ndarrays
        When ``return_X_y`` is True.

    Raises
    ------
    DatasetNotFoundError
        When no folder holds the files (and they cannot be downloaded). The
        message lists the folders searched and how to fix the problem.
    ValueError
        When a file is truncated or corrupt (bad gzip data, bad magic number,
        wrong dimensions, image and label counts that disagree). The message
        names the file.

    See Also
    --------
    load_mnist, load_fashion_mnist, load_emnist

    Examples
    --------
    >>> from skdae.datasets import load_kmnist
    >>> kmnist = load_kmnist(as_images=True)  # doctest: +SKIP
    >>> kmnist.X_train.shape[1:]  # doctest: +SKIP
    (28, 28)
    """
    return _load(
        _KMNIST,
        data_home=data_home,
        download=download,
        return_X_y=return_X_y,
        as_images=as_images,
        dtype=dtype,
    )


def load_emnist(
    *,
    split="balanced",
    data_home=None,
    download=False,
    return_X_y=False,
    as_images=False,
    dtype=np.float32,
):
    """Load one split of EMNIST (handwritten digits and letters, 28x28 images).

    The files are named like ``emnist-balanced-train-images-idx3-ubyte[.gz]``
    and ``emnist-balanced-test-labels-idx1-ubyte[.gz]``. EMNIST stores its
    images transposed; they are transposed back here so that characters are
    upright.

    Parameters
    ----------
    split : {"balanced", "byclass", "bymerge", "letters", "digits", "mnist"}, \
default="balanced"
        Which EMNIST split to load. In the ``"letters"`` split the labels run
        from 1 to 26 (as in the files) and ``target_names[0]`` is ``"N/A"``.

    data_home : str or path-like, default=None
        Folder searched first for the files (directly, in ``<data_home>/emnist``
        or in ``<data_home>/EMNIST/raw``). ``$SKDAE_DATA_HOME``, ``~/skdae_data``
        and ``/usr/share/datasets/emnist`` are searched next, in this order.

    download : bool, default=False
        When the files are found nowhere, download them with torchvision (which
        must be installed) into ``<data home>/EMNIST/raw``, the data home being
        ``data_home``, else ``$SKDAE_DATA_HOME``, else ``~/skdae_data``. Files
        found locally are never downloaded again. torchvision downloads all
        splits at once (a 560 MB archive).

    return_X_y : bool, default=False
        Return ``(X_train, X_test, y_train, y_test)`` (the order of
        :func:`~sklearn.model_selection.train_test_split`) instead of a Bunch.

    as_images : bool, default=False
        Return images of shape ``(n, 28, 28)`` instead of flat rows of 784 pixels.

    dtype : floating-point dtype, default=np.float32
        Data type of the images; pixels are scaled to [0, 1] (value / 255).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        X_train, X_test : ndarray of shape (n, 784), or (n, 28, 28) with as_images
            The upright images, pixel values in [0, 1].
        y_train, y_test : ndarray of shape (n,), dtype int64
            The labels, indices into ``target_names``.
        image_shape : tuple
            ``(28, 28)``.
        target_names : list of str
            Class names (digits and letters, as torchvision names them).
        DESCR : str
            Description of the data set and of the copy loaded.
        files : dict
            Paths of the files read, keys ``train_images``, ``train_labels``,
            ``test_images`` and ``test_labels``.

    (X_train, X_test, y_train, y_test) : tuple of ndarrays
        When ``return_X_y`` is True.

    Raises
    ------
    DatasetNotFoundError
        When no folder holds the files (and they cannot be downloaded). The
        message lists the folders searched and how to fix the problem.
    ValueError
        When ``split`` is not a known split, or when a file is truncated or
        corrupt (bad gzip data, bad magic number, wrong dimensions, image and
        label counts that disagree). The message names the file.

    See Also
    --------
    load_mnist, load_fashion_mnist, load_kmnist

    Examples
    --------
    >>> from skdae.datasets import load_emnist
    >>> letters = load_emnist(split="letters")  # doctest: +SKIP
    >>> len(letters.target_names)  # doctest: +SKIP
    27
    """
    return _load(
        _emnist_spec(split),
        data_home=data_home,
        download=download,
        return_X_y=return_X_y,
        as_images=as_images,
        dtype=dtype,
    )
