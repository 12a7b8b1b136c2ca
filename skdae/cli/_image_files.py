"""Reading and writing the files of ``skdae denoise``: .npy arrays and images.

Image files (PNG, JPEG, TIFF, BMP) are read with :func:`skdae.datasets.load_images`
and written back in the format, bit depth and mode of their source with
``skdae.datasets._image_files.write_image``.
"""

import math
import sys
from pathlib import Path

import numpy as np

from ._errors import CLIError

NPY_SUFFIX = ".npy"
#: The image formats :func:`skdae.datasets.load_images` reads (a test checks that
#: they agree; importing them from there would import scikit-learn).
PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")
INPUT_SUFFIXES = (NPY_SUFFIX, *PICTURE_SUFFIXES)


def is_npy(path):
    return Path(path).suffix.lower() == NPY_SUFFIX


def has_input_suffix(path):
    return Path(path).suffix.lower() in INPUT_SUFFIXES


def _npy_header(path):
    """Shape and dtype of a .npy file, checked against the file's size."""
    fmt = np.lib.format
    try:
        with open(path, "rb") as f:
            version = fmt.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = fmt.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, fortran, dtype = fmt.read_array_header_2_0(f)
            else:
                raise ValueError(f"unsupported .npy format version {version}")
            offset = f.tell()
    except (ValueError, OSError, EOFError) as exc:
        raise CLIError(f"could not read {path} as a .npy array: {exc}") from None
    if dtype.hasobject:
        raise CLIError(f"{path} holds Python objects; give an array of numbers")
    size = Path(path).stat().st_size - offset
    expected = math.prod(shape) * dtype.itemsize
    if size < expected:
        raise CLIError(
            f"{path} is truncated: its header announces an array of shape "
            f"{shape} and {dtype} ({expected} bytes) but it holds {size} bytes"
        )
    return shape, dtype


def read_npy(path):
    """Shape of the array in ``path`` and a function that loads it, checked.

    The header is read at once (cheap); the function loads the values, divides
    uint8 arrays by 255 (with a note on stderr) and refuses NaN, infinity and
    values outside [0, 1].
    """
    shape, dtype = _npy_header(path)
    if dtype == np.uint8:
        print(f"note: {path} holds uint8 images: dividing them by 255", file=sys.stderr)
    elif dtype.kind != "f":
        raise CLIError(
            f"{path} holds {dtype} values; give floating-point images in [0, 1] "
            "(or uint8 images in 0..255)"
        )

    def load():
        try:
            images = np.load(path, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise CLIError(f"could not read {path}: {exc}") from None
        if images.dtype == np.uint8:
            return images / 255.0
        if not np.all(np.isfinite(images)):
            raise CLIError(f"{path} holds NaN or infinite values")
        low, high = float(images.min(initial=0)), float(images.max(initial=0))
        if low < 0 or high > 1:
            raise CLIError(
                f"{path} holds values from {low:g} to {high:g}, but the model "
                "expects images in [0, 1] (divide 8-bit images by 255)"
            )
        return images

    return shape, load


def read_picture(path):
    """The image in ``path`` as a float32 ``(h, w)`` or ``(h, w, 3)`` array in [0, 1]."""
    from ..datasets import load_images

    try:
        return load_images([path])[0]
    except (OSError, ValueError) as exc:  # the messages name the file
        raise CLIError(f"could not read {path}: {exc}") from None


def write_output(path, array, like=None):
    """Write ``array`` to ``path``: a .npy array, or an image like the file ``like``."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if is_npy(path):
            np.save(path, array)
        else:
            from ..datasets._image_files import write_image

            write_image(path, array, like=like)
    except (OSError, ValueError) as exc:
        raise CLIError(f"could not write {path}: {exc}") from None
