"""``skdae train``: train a denoiser on random patches of image files, save it."""

import argparse
from pathlib import Path

from ._arguments import positive_int
from ._device_option import add_device_argument, check_device, resolve_device
from ._errors import CLIError
from ._noise_options import (
    TRAIN_NOISES,
    check_train_level,
    describe_train_noise,
    make_train_noise,
    parse_level,
)
from ._paths import check_input_file, check_output_file
from ._training_options import (
    FLAGS,
    add_quiet_argument,
    add_seed_argument,
    add_training_arguments,
    fit,
    verbosity,
)

#: The names of skdae.architectures.ARCHITECTURES (a test checks that they
#: agree; importing them from there would import PyTorch).
ARCHITECTURE_NAMES = ("reference", "residual", "unet", "resunet")

DEFAULT_OUTPUT = "model.skdae"

#: The self-supervised values of DenoisingAutoencoder's ``training``.
SELF_SUPERVISED = ("neighbor2neighbor", "noise2self")


def add_parser(subparsers, formatter_class):
    """Add the ``train`` subcommand to ``subparsers``."""
    levels = "; ".join(
        f"{name}: {meaning}, default {default:g}"
        for name, (default, meaning, _) in TRAIN_NOISES.items()
    )
    train = subparsers.add_parser(
        "train",
        help="train a denoising model on image files and save it",
        formatter_class=formatter_class,
        description=(
            "Train a denoising model on random patches of image files (PNG, "
            "JPEG, TIFF, BMP; any sizes), corrupted afresh with noise for every "
            "patch and epoch, and save it for `skdae denoise`. IMAGES are "
            "folders, glob patterns (quoted: 'photos/*.jpg') or files; they "
            "must be all gray or all colour (--gray converts colour to gray), "
            "each at least as large as the patches. Gaussian noise is added "
            "unclipped with sigma given in 8-bit gray levels, as the denoising "
            "benchmarks do: --level 25 is sigma 25/255 on images in [0, 1]. "
            "Without clean images, --self-supervised trains on the noisy "
            "IMAGES as they are, adding no noise."
        ),
    )
    train.add_argument(
        "images",
        nargs="+",
        metavar="IMAGES",
        help="folders, glob patterns or image files to train on",
    )
    train.add_argument(
        "--output",
        "-o",
        default=DEFAULT_OUTPUT,
        metavar="MODEL",
        help="model file to write",
    )
    train.add_argument(
        "--force", action="store_true", help="overwrite an existing MODEL file"
    )
    train.add_argument(
        "--patch-size",
        type=positive_int,
        default=40,
        metavar="N",
        help="train on random NxN patches (DnCNN uses 40 or 50)",
    )
    train.add_argument(
        "--patches-per-epoch",
        type=positive_int,
        metavar="N",
        help="patches drawn per epoch (default: as many as cover each image "
        "once, ceil(h * w / N**2) per image)",
    )
    train.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="random flips and 90-degree rotations of the patches (default: on)",
    )
    train.add_argument(
        "--noise",
        choices=list(TRAIN_NOISES),
        help="noise model added to the patches (default: gaussian)",
    )
    train.add_argument(
        "--level",
        type=parse_level,
        metavar="LEVEL",
        help="noise level, one value or a range LOW,HIGH for a blind model (a "
        f"level drawn per patch). {levels}",
    )
    train.add_argument(
        "--self-supervised",
        choices=SELF_SUPERVISED,
        metavar="MODE",
        help="the IMAGES are noisy and no clean versions exist: learn from them "
        "alone, with no added noise (no --noise or --level). MODE: "
        "neighbor2neighbor (pairs of neighbouring pixels; the better one on "
        "photographs) or noise2self (hidden pixels). The noise must be "
        "independent from pixel to pixel, with mean zero (not clipped)",
    )
    train.add_argument(
        "--architecture",
        choices=ARCHITECTURE_NAMES,
        default="residual",
        help="network: residual (DnCNN-style, predicts the noise), unet, resunet "
        "(a DRUNet-style U-Net of residual blocks, as the shipped photograph "
        "models) or reference (the small MNIST autoencoder)",
    )
    train.add_argument(
        "--loss",
        choices=("mse", "psnr"),
        default="mse",
        help="training loss; psnr weighs every patch alike, for a level range",
    )
    add_training_arguments(
        train,
        epochs_help="epochs",
        batch_help="patches per batch",
        validation_help="hold out this fraction (in (0, 1)) of the images for a "
        "validation loss",
    )
    train.add_argument(
        "--gray", action="store_true", help="convert colour images to gray"
    )
    add_device_argument(train)
    add_seed_argument(train, seeds="initialisation, patches and noise")
    add_quiet_argument(
        train, help="print only the summary (no epoch table or progress bar)"
    )
    train.set_defaults(run=run, subparser=train)
    return train


def _check_args(parser, args):
    """Checks that argparse's types cannot make."""
    check_device(parser, args.device)
    if args.self_supervised is not None:
        if args.noise is not None or args.level is not None:
            parser.error(
                "argument --self-supervised: it trains on the noisy images as "
                "they are; leave out --noise and --level"
            )
        return
    args.noise = args.noise or "gaussian"
    if args.level is not None:
        problem = check_train_level(args.noise, args.level)
        if problem:
            parser.error(f"argument --level: {problem}")


def _image_files(images):
    """The files named by IMAGES (folders, globs, files), without reading them."""
    from ..datasets._image_files import _image_paths

    files = []
    for text in images:
        try:
            found = _image_paths(text)
        except (FileNotFoundError, ValueError) as exc:
            raise CLIError(str(exc)) from None
        for path in found:
            check_input_file(path, "IMAGES")
        files.extend(found)
    return files


def _load(files, gray):
    from ..datasets import load_images

    try:
        return load_images(files, as_gray=gray)
    except (OSError, ValueError) as exc:  # the messages name the file
        raise CLIError(str(exc)) from None


def _check_images(files, images, patch_size):
    """All gray or all colour, each at least as large as the patches."""
    colour = [f for f, image in zip(files, images) if image.ndim == 3]
    if colour and len(colour) != len(images):
        gray = next(f for f, image in zip(files, images) if image.ndim == 2)
        raise CLIError(
            f"the images are a mix of gray ({gray}) and colour ({colour[0]}); add "
            "--gray to train a grayscale model on all of them, or train on one kind"
        )
    for path, image in zip(files, images):
        h, w = image.shape[:2]
        if min(h, w) < patch_size:
            raise CLIError(
                f"{path} is {h}x{w} pixels, smaller than --patch-size {patch_size}; "
                "give a smaller --patch-size or leave the image out"
            )
    return bool(colour)


#: The estimator's parameter names in its messages, as the command's flags.
_FLAGS = {
    **FLAGS,
    "patches_per_epoch": "--patches-per-epoch",
    "patch_size": "--patch-size",
}


def _patches_per_epoch(dae):
    """Training patches of the last epoch, as skorch's history counts them."""
    batches = dae.history_[-1, "batches"]
    return sum(batch.get("train_batch_size", 0) for batch in batches)


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def _summary(args, dae, files, colour, noise_label, seconds, output):
    kind = "colour" if colour else "gray"
    size = args.patch_size
    augment = ", augmented" if args.augment else ""
    loss = dae.history_[-1, "train_loss"]
    valid = ""
    if args.validation_fraction:
        valid = f", validation loss {dae.history_[-1, 'valid_loss']:.6g}"
    return (
        f"trained a {args.architecture} model on {len(files)} {kind} images "
        f"({_patches_per_epoch(dae)} patches of {size}x{size} per epoch{augment}) "
        f"with {noise_label}: {_plural(dae.n_iter_, 'epoch')} in {seconds:.3g} s, final "
        f"{args.loss} loss {loss:.6g}{valid}; wrote {output}"
    )


def run(args, parser):
    """Run ``skdae train``; returns the exit code."""
    _check_args(parser, args)
    output = Path(args.output)
    check_output_file(output, [], what="--output", force=args.force)
    device = resolve_device(parser, args.device)
    files = _image_files(args.images)

    images = _load(files, args.gray)
    colour = _check_images(files, images, args.patch_size)

    from ..autoencoder import DenoisingAutoencoder

    if args.self_supervised is None:
        noise = make_train_noise(args.noise, args.level)
        noise_label = describe_train_noise(args.noise, args.level)
    else:
        noise = None
        noise_label = f"no added noise (self-supervised, {args.self_supervised})"
    if not args.quiet:
        print(
            f"Training a {args.architecture} model on {args.patch_size}x"
            f"{args.patch_size} patches of {len(images)} "
            f"{'colour' if colour else 'gray'} images with {noise_label}: "
            f"{_plural(args.epochs, 'epoch')}, batches of {args.batch_size}, Adam lr "
            f"{args.lr:g}, {args.loss} loss, device {device}, seed {args.seed}."
        )
    dae = DenoisingAutoencoder(
        noise=noise,
        training=args.self_supervised or "supervised",
        architecture=args.architecture,
        channel_axis=-1 if colour else None,
        patch_size=args.patch_size,
        augment=args.augment,
        patches_per_epoch=args.patches_per_epoch,
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        loss=args.loss,
        validation_fraction=args.validation_fraction,
        device=device,
        verbose=verbosity(args.quiet),
        random_state=args.seed,
    )
    seconds = fit(dae, images, _FLAGS)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        dae.save(output)
    except (OSError, ValueError) as exc:
        raise CLIError(f"could not write {output}: {exc}") from None
    print(_summary(args, dae, files, colour, noise_label, seconds, output))
    return 0
