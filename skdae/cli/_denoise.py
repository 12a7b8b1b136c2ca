"""``skdae denoise``: apply a saved model to image files and .npy arrays.

Two forms:

- ``skdae denoise MODEL INPUT... [--output DIR]``: each INPUT (an image file, a
  .npy array, or a folder of them) is denoised into ``DIR/<its file name>``
  (default ``DIR``: ``denoised``), in its own format;
- ``skdae denoise MODEL INPUT OUTPUT`` (exactly two paths after MODEL and no
  ``--output``): one file into the file OUTPUT, which may have another format
  (.npy to .png).

With ``--model NAME`` a model shipped with skdae (:mod:`skdae.pretrained`)
replaces the MODEL file, and every path is an INPUT (or INPUT OUTPUT):
``skdae denoise --model gray photo.png``.

Everything is checked before the first file is written: the paths, the model,
and every input (read in full: a corrupt file or a value outside [0, 1] stops
the run before any output exists). Outputs are never an input, and existing
files are only overwritten with ``--force``.
"""

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..pretrained._catalogue import NAMES as PRETRAINED
from ._arguments import int_at_least
from ._device_option import add_device_argument, check_device, resolve_device
from ._errors import CLIError
from ._image_files import (
    INPUT_SUFFIXES,
    has_input_suffix,
    is_npy,
    read_npy,
    read_picture,
    write_output,
)
from ._paths import check_input_file, check_output_file, check_output_folder

#: The folder the denoised files go to without ``--output``.
DEFAULT_FOLDER = "denoised"

#: Inputs read in the checking pass are kept for the denoising pass up to this
#: many bytes in all; beyond, they are read again (memory stays bounded).
_KEEP_BYTES = 512 * 2**20

_SUFFIXES = ", ".join(INPUT_SUFFIXES)


def add_parser(subparsers, formatter_class):
    """Add the ``denoise`` subcommand to ``subparsers``."""
    den = subparsers.add_parser(
        "denoise",
        help="apply a saved model to image files and .npy arrays",
        formatter_class=formatter_class,
        usage=(
            "skdae denoise [options] MODEL INPUT [INPUT ...] [--output DIR]\n"
            "       skdae denoise [options] MODEL INPUT OUTPUT\n"
            "       skdae denoise [options] --model NAME INPUT [INPUT ...] "
            "[--output DIR]\n"
            "       skdae denoise [options] --model NAME INPUT OUTPUT"
        ),
        description=(
            "Denoise images with a model saved by `skdae train`, `skdae demo` or "
            "DenoisingAutoencoder.save, or with a model shipped with skdae "
            "(--model gray, color or mnist; no MODEL file then: every path is "
            "an INPUT, or INPUT OUTPUT). Each INPUT is an image file (PNG, JPEG, "
            "TIFF, BMP; any size, gray or colour, 8 or 16 bits), a .npy array of "
            "images in [0, 1] (uint8 arrays are divided by 255), or a folder of "
            "them. Each is written into the --output folder under its own name, "
            "in its own format, bit depth and mode. With exactly two paths and "
            "no --output, the second is the OUTPUT file of the first (any of "
            f"{_SUFFIXES}). A grayscale model denoises each channel of a "
            "colour image as a gray image; a colour model denoises a gray "
            "image as a colour image with equal channels and averages them "
            "back (each with a note): the output keeps the input's mode. "
            "Inputs are never overwritten, other existing files only with "
            "--force."
        ),
    )
    den.add_argument(
        "paths",
        nargs="+",
        metavar="MODEL INPUT",
        help="the model file (model.skdae), unless --model is given, then image "
        f"files, .npy arrays or folders of them ({_SUFFIXES})",
    )
    den.add_argument(
        "--model",
        dest="pretrained",
        metavar="NAME",
        help=f"denoise with the model shipped with skdae named NAME "
        f"({', '.join(PRETRAINED)}; see skdae.pretrained.available()) instead "
        "of a MODEL file",
    )
    den.add_argument(
        "--output",
        "-o",
        metavar="DIR",
        help=f"folder of the denoised files (default: {DEFAULT_FOLDER}, or the "
        "OUTPUT file of the two-path form)",
    )
    den.add_argument(
        "--tile",
        type=int_at_least(8),
        metavar="N",
        help="denoise in overlapping tiles of NxN pixels, so that memory does "
        "not grow with the image size (default: as the model was saved; whole "
        "images for a model saved by skdae train)",
    )
    den.add_argument(
        "--force", action="store_true", help="overwrite existing output files"
    )
    add_device_argument(den)
    den.add_argument("--quiet", action="store_true", help="print only errors")
    den.set_defaults(run=run, subparser=den)
    return den


@dataclass
class _Job:
    """One input file and the file its denoised images go to."""

    source: Path
    target: Path
    data: object = None  # the checked input, kept when small enough


# --------------------------------------------------------------------------- #
# Paths: which files are read and written
# --------------------------------------------------------------------------- #


def _check_suffix(parser, path, what):
    if not has_input_suffix(path):
        parser.error(f"{what} {path}: use a .npy array or an image file ({_SUFFIXES})")


def _expand(parser, paths):
    """The input files named by ``paths`` (files, and folders of input files)."""
    files = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and has_input_suffix(p) and not p.name.startswith(".")
            )
            if not found:
                raise CLIError(f"INPUT folder {path} holds no {_SUFFIXES} files")
            files.extend(found)
            continue
        check_input_file(path, "INPUT")
        _check_suffix(parser, path, "INPUT")
        files.append(path)
    return files


def _plan(parser, args):
    """The jobs and the folder they write into (None for the two-path form)."""
    if args.output is None and len(args.paths) == 2:
        source, target = (Path(p) for p in args.paths)
        _check_suffix(parser, source, "INPUT")
        _check_suffix(parser, target, "OUTPUT")
        check_input_file(source, "INPUT")
        hint = (
            " (two paths without --output are INPUT OUTPUT; give --output DIR to "
            "denoise both files)"
        )
        check_output_file(target, [source], force=args.force, hint=hint)
        return [_Job(source, target)], None

    folder = Path(DEFAULT_FOLDER if args.output is None else args.output)
    sources = _expand(parser, args.paths)
    check_output_folder(folder)
    jobs, taken = [], {}
    for source in sources:
        target = folder / source.name
        if target in taken and taken[target].resolve() != source.resolve():
            raise CLIError(
                f"INPUT {taken[target]} and {source} would both be written to "
                f"{target}; denoise them into different --output folders"
            )
        if target in taken:  # the same file named twice
            continue
        taken[target] = source
        check_output_file(target, sources, what="output file", force=args.force)
        jobs.append(_Job(source, target))
    return jobs, folder


# --------------------------------------------------------------------------- #
# Inputs: arrays and images, checked against the model
# --------------------------------------------------------------------------- #


@dataclass
class _Model:
    """What the inputs are checked against: channels and, if fixed, the size."""

    n_channels: int
    image_shape: tuple
    n_features: int
    any_size: bool
    #: added to the note on an image of other channels (the better shipped model)
    hint: str = ""

    @classmethod
    def of(cls, estimator):
        return cls(
            n_channels=int(estimator.n_channels_),
            image_shape=tuple(estimator.image_shape_),
            n_features=int(estimator.n_features_in_),
            any_size=bool(estimator.net_.module_.fully_convolutional),
        )

    def describe(self):
        names = {1: "grayscale", 3: "colour"}
        return names.get(self.n_channels, f"{self.n_channels}-channel")

    def check_size(self, size, path):
        if not self.any_size and tuple(size) != self.image_shape:
            h, w = self.image_shape
            raise CLIError(
                f"{path} holds {size[0]}x{size[1]} images but the model was trained "
                f"on {h}x{w} images (its network needs that size)"
            )


@dataclass
class _Picture:
    """A decoded image file, ``(h, w)`` or ``(h, w, c)``, and how it meets the model.

    ``fit`` is ``"same"`` (the model's channels), ``"per-channel"`` (a colour
    image and a grayscale model: each channel is denoised as a gray image) or
    ``"replicate"`` (a gray image and a colour model: denoised as a colour
    image whose channels are all the gray image, then averaged back to gray).
    """

    image: np.ndarray
    fit: str = "same"

    @property
    def nbytes(self):
        return self.image.nbytes


@dataclass
class _Array:
    """A .npy array as a batch for the model: its layout and how to undo it."""

    batch: np.ndarray
    channel_axis: object  # the model's channel_axis for this batch
    single: bool  # one image, given without its batch axis

    @property
    def nbytes(self):
        return self.batch.nbytes

    @property
    def n_images(self):
        return 1 if self.single else len(self.batch)


def _array_layout(shape, model, path):
    """``(single, channel_axis)`` of a .npy array of ``shape`` for ``model``."""
    c = model.n_channels
    if len(shape) == 2:
        if shape[1] == model.n_features and tuple(shape) != model.image_shape:
            return False, "auto"  # flat rows, as in fit
        if c == 1:
            return True, None  # one (h, w) image
    elif len(shape) == 3:
        if c == 1:
            return False, None  # (n, h, w)
        if shape[-1] == c:
            return True, -1  # one (h, w, c) image
    elif len(shape) == 4:
        return False, "auto"  # (n, c, h, w) or (n, h, w, c), as the model reads
    layouts = (
        "one (h, w) image, (n, h, w) images or (n, h*w) flat images"
        if c == 1
        else f"one (h, w, {c}) image, (n, h, w, {c}) or (n, {c}, h, w) images, or "
        f"(n, h*w*{c}) flat images"
    )
    raise CLIError(
        f"{path} holds an array of shape {tuple(shape)}; for this "
        f"{model.describe()} model give {layouts}"
    )


def _read_array(path, model, shape, load):
    single, channel_axis = _array_layout(shape, model, path)
    values = load()
    batch = values[np.newaxis] if single else values
    if len(batch) == 0:
        raise CLIError(f"{path} holds no images")
    if batch.ndim == 3:
        model.check_size(batch.shape[1:], path)
    elif batch.ndim == 4:
        first = batch.shape[1] in (1, 3, 4) if channel_axis == "auto" else False
        channels = batch.shape[1] if first else batch.shape[-1]
        if channels != model.n_channels:
            raise CLIError(
                f"{path} holds images of {channels} channel(s) but the model "
                f"denoises {model.describe()} images"
            )
        model.check_size(batch.shape[2:] if first else batch.shape[1:3], path)
    return _Array(batch, channel_axis, single)


def _read_picture(path, model):
    image = read_picture(path)
    channels = 1 if image.ndim == 2 else image.shape[-1]
    fit = "same"
    if channels != model.n_channels and model.n_channels == 1:
        fit = "per-channel"
        note = "the model is grayscale: denoising each channel as a gray image"
    elif channels != model.n_channels and channels == 1:
        fit = "replicate"
        note = (
            f"the model is {model.describe()}: denoising it with all channels "
            "equal to it, and averaging them back to gray"
        )
    elif channels != model.n_channels:
        raise CLIError(
            f"{path} is an image of {channels} channels but the model denoises "
            f"{model.describe()} images"
        )
    if fit != "same":
        kind = "grayscale" if channels == 1 else "colour"
        print(f"note: {path} is a {kind} image and {note}{model.hint}", file=sys.stderr)
    model.check_size(image.shape[:2], path)
    return _Picture(image, fit)


def _read(job, model):
    if not is_npy(job.source):
        return _read_picture(job.source, model)
    shape, load = read_npy(job.source)
    return _read_array(job.source, model, shape, load)


def _check_target_holds(job, data):
    """A .npy array written as an image file must hold one image."""
    if is_npy(job.target) or isinstance(data, _Picture) or data.n_images == 1:
        return
    raise CLIError(
        f"{job.source} holds {data.n_images} images, but an image file "
        f"({job.target.suffix}) holds one; write a .npy file for a batch"
    )


# --------------------------------------------------------------------------- #
# Denoising
# --------------------------------------------------------------------------- #


def _transform(estimator, batch, channel_axis, path):
    estimator.set_params(channel_axis=channel_axis)
    try:
        return estimator.transform(batch)
    except ValueError as exc:
        raise CLIError(f"cannot denoise {path}: {exc}") from None


def _one_image(denoised, data, model):
    """The single image of a denoised .npy batch, as ``(h, w)`` or ``(h, w, c)``."""
    image = denoised[0]
    if image.ndim == 1:  # a flat row
        image = image.reshape(*model.image_shape, model.n_channels)
    elif (
        image.ndim == 3 and data.channel_axis == "auto" and image.shape[0] in (1, 3, 4)
    ):
        image = np.moveaxis(image, 0, -1)  # (c, h, w), as "auto" reads it
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    return image


def _denoise(estimator, job, data, model):
    """Denoise ``data`` (read from ``job.source``) and write ``job.target``."""
    if isinstance(data, _Picture):
        image = data.image
        if data.fit == "per-channel":  # the channels as a batch of gray images
            batch = np.moveaxis(image, -1, 0)
            denoised = np.moveaxis(
                _transform(estimator, batch, None, job.source), 0, -1
            )
        elif data.fit == "replicate":
            batch = np.repeat(image[np.newaxis, ..., np.newaxis], model.n_channels, -1)
            denoised = _transform(estimator, batch, -1, job.source)[0].mean(axis=-1)
        else:
            axis = None if image.ndim == 2 else -1
            denoised = _transform(estimator, image[np.newaxis], axis, job.source)[0]
        write_output(job.target, denoised, like=job.source)
        return 1
    denoised = _transform(estimator, data.batch, data.channel_axis, job.source)
    if not is_npy(job.target):
        write_output(job.target, _one_image(denoised, data, model))
    else:
        write_output(job.target, denoised[0] if data.single else denoised)
    return data.n_images


def _load_model(args, device):
    from ..autoencoder import DenoisingAutoencoder
    from ..pretrained import load

    try:  # weights-only model file: loading it cannot run code
        if args.pretrained is not None:
            return load(args.pretrained, device=device)
        return DenoisingAutoencoder.load(args.model, device=device)
    except (ValueError, OSError) as exc:
        raise CLIError(f"could not load the model: {exc}") from None


def _split_model(parser, args):
    """``args.model`` (the MODEL file, or None with --model) and the INPUT paths."""
    if args.pretrained is None:
        if len(args.paths) < 2:
            parser.error(
                "give a MODEL file and at least one INPUT, or --model NAME "
                f"({', '.join(PRETRAINED)}) and the INPUTs"
            )
        args.model, args.paths = args.paths[0], args.paths[1:]
        return
    if args.pretrained not in PRETRAINED:
        hint = ""
        if Path(args.pretrained).suffix or "/" in args.pretrained:
            hint = (
                f"; to use the model file {args.pretrained}, give it as the first "
                "path, without --model"
            )
        parser.error(
            f"argument --model: {args.pretrained!r} is not a model shipped with "
            f"skdae (choose from {', '.join(PRETRAINED)}){hint}"
        )
    args.model = None


def run(args, parser):
    """Run ``skdae denoise``; returns the exit code."""
    check_device(parser, args.device)
    _split_model(parser, args)
    if args.model is not None:
        check_input_file(args.model, "MODEL")
    jobs, folder = _plan(parser, args)
    device = resolve_device(parser, args.device)
    estimator = _load_model(args, device)
    if args.tile is not None:
        try:
            estimator.set_params(tile_size=args.tile)
        except ValueError as exc:
            raise CLIError(f"--tile {args.tile}: {exc}") from None
    model = _Model.of(estimator)
    other = {"gray": "color", "color": "gray"}.get(args.pretrained)
    if other is not None:
        model.hint = f" (--model {other} denoises {other} images)"

    kept = 0
    for job in jobs:  # every input read and checked before any output is written
        data = _read(job, model)
        _check_target_holds(job, data)
        if kept + data.nbytes <= _KEEP_BYTES:
            job.data, kept = data, kept + data.nbytes

    n_images = 0
    for job in jobs:
        data = job.data if job.data is not None else _read(job, model)
        job.data = None
        n_images += _denoise(estimator, job, data, model)
        if not args.quiet:
            print(f"{job.source} -> {job.target}")
    if not args.quiet:
        where = job.target if folder is None else f"{folder}/"
        print(f"denoised {n_images} image(s) from {len(jobs)} file(s) into {where}")
    return 0
