"""Image files: load PNG, JPEG, TIFF and BMP files as float arrays, write them back.

:func:`load_images` reads a folder, a glob pattern or a list of files into a list
of float arrays in [0, 1]; :func:`write_image` writes an array back in the bit
depth of a source file, for the command line's ``denoise``.

TIFF files are read and written with tifffile, the other formats with Pillow
(both come with scikit-image). Pillow reduces 16-bit colour PNG files to 8 bits;
they are read here at their full 16 bits by having Pillow decode the high and
the low bytes separately, and written by a small PNG encoder of our own.
"""

import glob
import os
import struct
import zlib
from pathlib import Path

import numpy as np
from sklearn.utils._param_validation import validate_params

#: File name extensions read from folders and globs (compared in lower case).
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")

_TIFF = (".tif", ".tiff")
_EXIF_ORIENTATION = 0x0112
_EIGHT_BIT_ONLY = (".jpg", ".jpeg", ".bmp")


class _UnsupportedImageError(ValueError):
    """A file that decodes, but into an image that is not supported."""


def _is_image_name(path):
    return path.suffix.lower() in IMAGE_EXTENSIONS and not path.name.startswith(".")


def _image_paths(path):
    """The files named by ``path`` (a folder, a glob, a file or a list), in order."""
    if isinstance(path, (str, os.PathLike)):
        text = os.fspath(path)
        single = Path(text).expanduser()
        if single.is_dir():
            paths = sorted(
                p for p in single.iterdir() if p.is_file() and _is_image_name(p)
            )
            if not paths:
                raise FileNotFoundError(
                    f"No image files ({', '.join(IMAGE_EXTENSIONS)}) in the folder "
                    f"{single}."
                )
            return paths
        if single.exists() or not glob.has_magic(text):
            return [single]
        paths = sorted(
            Path(p)
            for p in glob.glob(os.path.expanduser(text), recursive=True)
            if Path(p).is_file() and _is_image_name(Path(p))
        )
        if not paths:
            raise FileNotFoundError(
                f"The pattern {text!r} matches no image files "
                f"({', '.join(IMAGE_EXTENSIONS)})."
            )
        return paths
    try:
        items = list(path)
    except TypeError:
        items = None
    if items is None or not all(isinstance(p, (str, os.PathLike)) for p in items):
        raise TypeError(
            "path must be a folder, a glob pattern, a file or a list of files (str "
            f"or os.PathLike); got {path!r}."
        )
    if not items:
        raise ValueError("path is an empty list of files.")
    return [Path(p).expanduser() for p in items]


def _png_header(path):
    """``(bit_depth, colour_type, interlace)`` of a PNG file, or None if not a PNG."""
    with open(path, "rb") as file:
        head = file.read(29)
    if len(head) < 29 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return head[24], head[25], head[28]


def _read_16bit_colour_png(image, path):
    """All 16 bits of a colour PNG that Pillow opened (it would keep only 8)."""
    tile = image.tile[0]
    rawmode = tile.args if isinstance(tile.args, str) else None
    if len(image.tile) != 1 or rawmode not in ("RGB;16B", "RGBA;16B", "LA;16B"):
        raise _UnsupportedImageError(
            f"Cannot read the 16-bit colour PNG file {path} at full precision "
            "(interlaced or unusual layout); save it as a 16-bit TIFF."
        )
    if rawmode == "LA;16B":
        # 4 bytes a pixel, as Pillow's 8-bit RGBA: gray high, low, alpha high, low
        image.tile = [tile._replace(args="RGBA")]
        data = np.asarray(image).astype(np.uint16)
        return np.stack(
            [data[..., 0] << 8 | data[..., 1], data[..., 2] << 8 | data[..., 3]], -1
        )
    high = np.asarray(image)
    with _open_with_pillow(path) as low_image:
        # the same decoder, unpacking the low byte of each big-endian sample
        low_image.tile = [tile._replace(args=rawmode.replace("16B", "16L"))]
        low = np.asarray(low_image)
    return (high.astype(np.uint16) << 8) | low


def _open_with_pillow(path):
    from PIL import Image

    return Image.open(path)


def _read_with_pillow(path):
    """Pixels of a PNG, JPEG or BMP file and whether the last channel is alpha."""
    with _open_with_pillow(path) as image:
        mode = image.mode
        header = _png_header(path)
        if header is not None and header[0] == 16 and header[1] in (2, 4, 6):
            return _read_16bit_colour_png(image, path), header[1] != 2
        if image.getexif().get(_EXIF_ORIENTATION, 1) != 1:
            # a camera's rotation: the pixels as a viewer shows them
            from PIL import ImageOps

            image = ImageOps.exif_transpose(image)
        if mode in ("1", "L", "RGB", "RGBA", "LA"):
            pixels = np.asarray(image)
        elif mode.startswith("I;16"):
            pixels = np.asarray(image).astype(np.uint16)
        elif mode == "I":
            pixels = np.asarray(image)
            if pixels.min() < 0 or pixels.max() > 65535:
                raise _UnsupportedImageError(
                    f"The image file {path} holds 32-bit integers outside the "
                    "16-bit range; only 8- and 16-bit images are supported."
                )
            pixels = pixels.astype(np.uint16)
        elif mode == "F":
            pixels = np.asarray(image)
        else:  # palette, CMYK, YCbCr, ...: as RGB, with alpha if transparent
            has_alpha = "A" in mode or "transparency" in image.info
            pixels = np.asarray(image.convert("RGBA" if has_alpha else "RGB"))
    return pixels, pixels.ndim == 3 and pixels.shape[-1] in (2, 4)


def _read_tiff(path):
    """Pixels of a TIFF file's single image and whether the last channel is alpha."""
    import tifffile

    with tifffile.TiffFile(path) as tiff:
        if len(tiff.pages) == 0:
            raise OSError("no image found in it (truncated or not a TIFF file)")
        if len(tiff.pages) != 1:
            raise _UnsupportedImageError(
                f"The TIFF file {path} holds {len(tiff.pages)} pages; load_images "
                "reads files that hold one image (split the pages first)."
            )
        page = tiff.pages[0]
        if page.photometric == tifffile.PHOTOMETRIC.SEPARATED:
            raise _UnsupportedImageError(
                f"The TIFF file {path} is CMYK; convert it to RGB."
            )
        pixels = page.asarray()
        axes = page.axes
        has_alpha = bool(page.extrasamples)
    if axes.startswith("S") and pixels.ndim == 3:  # planar: channels first
        pixels = np.moveaxis(pixels, 0, -1)
    return pixels, has_alpha or (pixels.ndim == 3 and pixels.shape[-1] in (2, 4))


def _read_file(path):
    """Pixels of an image file in its own dtype, and whether it has alpha.

    Raises FileNotFoundError for a missing file, OSError for a file that cannot
    be decoded and ValueError for content that is not an image we support;
    every message names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such image file: {path}")
    try:
        if path.suffix.lower() in _TIFF:
            pixels, has_alpha = _read_tiff(path)
        else:
            pixels, has_alpha = _read_with_pillow(path)
    except _UnsupportedImageError:
        raise
    except Exception as exc:  # Pillow and tifffile raise many kinds
        raise OSError(f"Cannot read the image file {path}: {exc}") from exc
    kind, size = pixels.dtype.kind, pixels.dtype.itemsize
    if kind not in "bfu" or (kind == "u" and size > 2):
        raise ValueError(
            f"The image file {path} holds {pixels.dtype} values; only 8- and 16-bit "
            "unsigned, 1-bit and floating-point images are supported."
        )
    if pixels.ndim == 3 and pixels.shape[-1] == 1:
        pixels = pixels[..., 0]
    if pixels.ndim != 2 and not (pixels.ndim == 3 and pixels.shape[-1] in (2, 3, 4)):
        raise ValueError(
            f"The image file {path} holds an array of shape {pixels.shape}; expected "
            "a gray (h, w), gray+alpha, RGB or RGBA image."
        )
    if pixels.ndim == 2 or pixels.shape[-1] == 3:
        has_alpha = False
    return pixels, has_alpha


def _to_float(pixels, dtype):
    """Integer pixels scaled to [0, 1]; float pixels as stored."""
    if pixels.dtype == np.uint8:
        return pixels.astype(dtype) / dtype(255)
    if pixels.dtype == np.uint16:
        return pixels.astype(dtype) / dtype(65535)
    return pixels.astype(dtype)


@validate_params(
    {
        "path": [str, os.PathLike, list, tuple],
        "as_gray": ["boolean"],
        "dtype": [type, str, np.dtype],
    },
    prefer_skip_nested_validation=True,
)
def load_images(path, *, as_gray=False, dtype=np.float32):
    """Load image files (PNG, JPEG, TIFF, BMP) as a list of float arrays in [0, 1].

    Parameters
    ----------
    path : str, os.PathLike or list of them
        One of:

        - a folder: its files with the extensions ``.png``, ``.jpg``,
          ``.jpeg``, ``.tif``, ``.tiff`` and ``.bmp`` (any case), sorted by
          name; other files, hidden files (names starting with ``.``) and
          subfolders are skipped;
        - a glob pattern (``"photos/*.jpg"``, ``"data/**/*.png"``): the matching
          files with those extensions, sorted by path;
        - a single file, or a list of files, read in the order given (whatever
          their extensions).
    as_gray : bool, default=False
        Convert colour images to gray with :func:`skimage.color.rgb2gray`
        (luminance, ITU-R BT.709 weights). Gray images stay as they are.
    dtype : {np.float32, np.float64}, default=np.float32
        The dtype of the arrays returned.

    Returns
    -------
    images : list of ndarray
        One array per file: ``(h, w)`` for gray images (and for all with
        ``as_gray=True``), ``(h, w, 3)`` for colour ones. 8-bit values are
        divided by 255 and 16-bit ones by 65535; 1-bit images give 0 and 1;
        floating-point TIFF files are returned as stored. An alpha channel
        (gray+alpha, RGBA, transparent palette images) is dropped: denoising
        works on the colour channels, and :func:`write_image` can put the
        source's alpha back. Palette images are read as RGB.

    Raises
    ------
    FileNotFoundError
        For a missing file, or a folder or glob pattern that holds no image
        files; the message names the file, folder or pattern.
    OSError
        For a file that cannot be decoded (not an image, truncated); the
        message names the file.
    ValueError
        For an image that is not supported (multi-page or CMYK TIFF, an
        unsupported dtype or number of channels); the message names the file.
    TypeError
        For a ``path`` that is not a path or a list of paths.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from PIL import Image
    >>> from skdae.datasets import load_images
    >>> folder = Path(tempfile.mkdtemp())
    >>> Image.fromarray(np.full((4, 6), 255, np.uint8)).save(folder / "b.png")
    >>> Image.fromarray(np.zeros((5, 3, 3), np.uint8)).save(folder / "a.jpg")
    >>> images = load_images(folder)
    >>> [image.shape for image in images]  # sorted by name: a.jpg, b.png
    [(5, 3, 3), (4, 6)]
    >>> float(images[1].max()), images[1].dtype
    (1.0, dtype('float32'))
    >>> [image.shape for image in load_images(folder, as_gray=True)]
    [(5, 3), (4, 6)]
    """
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be np.float32 or np.float64; got {dtype}.")
    dtype = dtype.type
    images = []
    for file in _image_paths(path):
        pixels, has_alpha = _read_file(file)
        if has_alpha:
            pixels = pixels[..., :-1]
            if pixels.shape[-1] == 1:
                pixels = pixels[..., 0]
        image = _to_float(pixels, dtype)
        if as_gray and image.ndim == 3:
            from skimage.color import rgb2gray

            image = rgb2gray(image).astype(dtype, copy=False)
        images.append(image)
    return images


def _png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def _write_16bit_png(path, pixels):
    """Write uint16 ``(h, w, c)`` pixels (c = 2, 3 or 4) as a 16-bit PNG file.

    Pillow cannot write 16-bit colour (or gray+alpha) PNG files. Each row is
    stored with the PNG "Sub" filter (the difference to the pixel on its left,
    byte by byte).
    """
    height, width, channels = pixels.shape
    rows = pixels.astype(">u2").reshape(height, -1).view(np.uint8)
    step = 2 * channels
    filtered = rows.copy()
    filtered[:, step:] = rows[:, step:] - rows[:, :-step]  # wraps modulo 256
    data = np.concatenate([np.ones((height, 1), np.uint8), filtered], axis=1)
    colour_type = {2: 4, 3: 2, 4: 6}[channels]
    header = struct.pack(">IIBBBBB", width, height, 16, colour_type, 0, 0, 0)
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n")
        file.write(_png_chunk(b"IHDR", header))
        file.write(_png_chunk(b"IDAT", zlib.compress(data.tobytes(), 6)))
        file.write(_png_chunk(b"IEND", b""))


def _quantise(image, dtype):
    """``image`` in [0, 1] (clipped) as rounded ``uint8`` or ``uint16`` values."""
    top = np.iinfo(dtype).max
    return np.round(np.clip(image, 0.0, 1.0) * top).astype(dtype)


def write_image(path, image, *, like=None):
    """Write a float image in [0, 1] to ``path``, in the format of its extension.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (overwritten if it exists). Its extension picks the
        format: ``.png``, ``.jpg``/``.jpeg`` (quality 95), ``.tif``/``.tiff``
        or ``.bmp``.
    image : ndarray of shape (h, w) or (h, w, c), c in {1, 3, 4}
        Gray, RGB or RGBA values in [0, 1] (clipped before quantisation).
    like : str or os.PathLike, default=None
        A source image file whose bit depth the output takes: 16-bit files give
        16-bit PNG and TIFF output (JPEG and BMP are always 8-bit),
        floating-point TIFF files give float32 TIFF output, others 8-bit. When
        the source has an alpha channel and ``image`` has the source's colour
        channels and size, the source's alpha is appended, so the output has
        the source's mode. None writes 8 bits. 1-bit sources give 8-bit gray
        output. JPEG and BMP output drops alpha.

    Raises
    ------
    ValueError
        For an unknown extension, an image that is not a float array of a
        supported shape, or NaN or infinite values; the message names ``path``.
    OSError
        When ``path`` cannot be written or ``like`` cannot be read.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from skdae.datasets import load_images
    >>> from skdae.datasets._image_files import write_image
    >>> folder = Path(tempfile.mkdtemp())
    >>> image = np.linspace(0, 1, 12).reshape(3, 4)
    >>> write_image(folder / "ramp.png", image)
    >>> np.abs(load_images(folder / "ramp.png")[0] - image).max() <= 0.5 / 255
    np.True_
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in IMAGE_EXTENSIONS:
        raise ValueError(
            f"Cannot write {path}: unknown image format {path.suffix!r}; use one of "
            f"{', '.join(IMAGE_EXTENSIONS)}."
        )
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if (
        image.dtype.kind != "f"
        or image.ndim not in (2, 3)
        or not (image.ndim == 2 or (image.ndim == 3 and image.shape[-1] in (3, 4)))
    ):
        raise ValueError(
            f"Cannot write {path}: expected a float image of shape (h, w) or (h, w, "
            f"3 or 4); got {image.dtype} of shape {image.shape}."
        )
    if not np.isfinite(image).all():
        raise ValueError(f"Cannot write {path}: the image holds NaN or infinity.")
    depth = np.uint8
    if like is not None:
        source, has_alpha = _read_file(like)
        if source.dtype == np.uint16:
            depth = np.uint16
        elif source.dtype.kind == "f":
            depth = np.float32
        if has_alpha and source.shape[:-1] == image.shape[:2]:
            channels = image.shape[2] if image.ndim == 3 else 1
            if source.shape[-1] == channels + 1:
                alpha = _to_float(source[..., -1:], np.float64)
                image = np.concatenate([image.reshape(*image.shape[:2], -1), alpha], -1)
    if suffix in _EIGHT_BIT_ONLY:
        depth = np.uint8
        if image.ndim == 3 and image.shape[-1] in (2, 4):
            image = image[..., :-1]  # JPEG and BMP files have no alpha here
            if image.shape[-1] == 1:
                image = image[..., 0]
    if suffix in _TIFF:
        import tifffile

        pixels = (
            image.astype(np.float32) if depth == np.float32 else _quantise(image, depth)
        )
        colour = pixels.ndim == 3 and pixels.shape[-1] >= 3
        extra = (
            ["unassalpha"] if pixels.ndim == 3 and pixels.shape[-1] in (2, 4) else None
        )
        tifffile.imwrite(
            path,
            pixels,
            photometric="rgb" if colour else "minisblack",
            extrasamples=extra,
        )
        return
    if depth == np.float32:
        depth = np.uint16 if suffix == ".png" else np.uint8
    pixels = _quantise(image, depth)
    if depth == np.uint16 and pixels.ndim == 3:
        _write_16bit_png(path, pixels)
        return
    from PIL import Image

    picture = Image.fromarray(pixels)
    options = {"quality": 95} if suffix in (".jpg", ".jpeg") else {}
    picture.save(path, **options)
