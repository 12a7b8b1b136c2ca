"""Reading and writing the image files of ``skdae denoise``: .npy and .png."""

import math
import sys
from pathlib import Path

import numpy as np

from ._errors import CLIError

IMAGE_SUFFIXES = (".npy", ".png")


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


def read_png(path):
    import matplotlib.image as mpimg

    try:
        image = mpimg.imread(path)
    except Exception as exc:  # PIL raises many types for broken files
        raise CLIError(
            f"could not read {path} as a PNG image: {type(exc).__name__}: {exc}"
        ) from None
    if image.ndim == 3:
        from skimage.color import rgb2gray, rgba2rgb

        if image.shape[2] == 4:
            image = rgba2rgb(image)
        if image.shape[2] == 3:
            image = rgb2gray(image)
        else:  # gray and alpha
            image = image[..., 0]
    image = np.asarray(image, dtype=np.float64)
    return image.shape, lambda: image


def write_images(path, images):
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".npy":
            np.save(path, images)
        else:
            import matplotlib.image as mpimg

            mpimg.imsave(path, np.clip(images, 0, 1), cmap="gray", vmin=0, vmax=1)
    except OSError as exc:
        raise CLIError(f"could not write {path}: {exc}") from None
