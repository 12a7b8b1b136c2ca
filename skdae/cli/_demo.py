"""``skdae demo``: train on a data set, report PSNR/SSIM, write the results."""

import json
from pathlib import Path

from ._arguments import positive_int, real
from ._datasets import LOADERS, first, load_split
from ._demo_report import evaluate, plot, print_results
from ._device_option import add_device_argument, check_device, resolve_device
from ._errors import CLIError
from ._noise_options import DEFAULT_LEVEL, describe_noise, make_noise
from ._paths import check_output_folder
from ._training_options import (
    add_quiet_argument,
    add_seed_argument,
    add_training_arguments,
    fit,
    verbosity,
)


def add_parser(subparsers, formatter_class):
    """Add the ``demo`` subcommand to ``subparsers``."""
    demo = subparsers.add_parser(
        "demo",
        help="train a denoising autoencoder and report PSNR/SSIM",
        formatter_class=formatter_class,
        description=(
            "Train a denoising autoencoder on the training images of a data set "
            "(with the defaults, the reference recipe: clipped Gaussian noise "
            "0.5 on MNIST, 20 epochs, batches of 20, Adam with lr 1e-3, MSE), "
            "print PSNR and SSIM of the noisy and the denoised test images, and "
            "write model.skdae, results.json, comparison.png and loss_curve.png "
            "into the output folder. In results.json a PSNR is null when the "
            "images compared are identical (--level 0)."
        ),
    )
    demo.add_argument(
        "--dataset",
        choices=list(LOADERS),
        default="mnist",
        help="data set of 28x28 images to train and test on",
    )
    demo.add_argument(
        "--emnist-split",
        default="balanced",
        metavar="SPLIT",
        help="EMNIST split with --dataset emnist: balanced, byclass, bymerge, "
        "digits, letters or mnist",
    )
    demo.add_argument(
        "--data-home",
        metavar="FOLDER",
        help="folder holding the IDX files (or their parent); else "
        "$SKDAE_DATA_HOME, ~/skdae_data, /usr/share/datasets are searched",
    )
    demo.add_argument(
        "--download",
        action="store_true",
        help="download the data set with torchvision when it is found nowhere",
    )
    demo.add_argument(
        "--noise",
        choices=list(DEFAULT_LEVEL),
        default="gaussian",
        help="noise model for training and testing",
    )
    demo.add_argument(
        "--level",
        type=real(low=0, low_open=False),
        default=None,
        help="noise level: sigma for gaussian (default 0.5), amount in [0, 1] "
        "for salt-pepper (default 0.2)",
    )
    add_training_arguments(
        demo,
        epochs_help="training epochs",
        batch_help="images per batch",
        validation_help="hold out this fraction (in (0, 1)) of the training images "
        "for a validation loss",
    )
    demo.add_argument(
        "--n-train",
        type=positive_int,
        metavar="N",
        help="use only the first N training images (default: all)",
    )
    demo.add_argument(
        "--n-test",
        type=positive_int,
        metavar="N",
        help="use only the first N test images (default: all)",
    )
    add_device_argument(demo)
    add_seed_argument(
        demo,
        seeds="initialisation, shuffling and noise",
        note="; the test noise uses seed + 1",
    )
    demo.add_argument(
        "--output", default="skdae_output", metavar="FOLDER", help="output folder"
    )
    add_quiet_argument(
        demo,
        help="print only the final results (no description, epoch table or "
        "progress bar)",
    )
    demo.set_defaults(run=run, subparser=demo)
    return demo


def _check_demo_args(parser, args):
    """Checks of the demo's arguments that argparse's types cannot make."""
    if args.dataset != "emnist" and args.emnist_split != "balanced":
        parser.error("argument --emnist-split: only with --dataset emnist")
    if args.level is not None and args.noise == "salt-pepper" and args.level > 1:
        parser.error(
            f"argument --level: the salt-pepper amount must be in [0, 1]; got "
            f"{args.level:g}"
        )
    check_device(parser, args.device)
    if args.dataset == "emnist":
        from ..datasets import EMNIST_SPLITS

        if args.emnist_split not in EMNIST_SPLITS:
            parser.error(
                f"argument --emnist-split: invalid choice {args.emnist_split!r} "
                f"(choose from {', '.join(EMNIST_SPLITS)})"
            )


def run(args, parser):
    """Run ``skdae demo``; returns the exit code."""
    _check_demo_args(parser, args)
    out = Path(args.output)
    check_output_folder(out)
    device = resolve_device(parser, args.device)

    train = load_split(args, "train")
    test = load_split(args, "test")
    X_train = first(train.data, args.n_train, "--n-train", "training", args.quiet)
    X_test = first(test.data, args.n_test, "--n-test", "test", args.quiet)

    from ..autoencoder import DenoisingAutoencoder

    train_noise = make_noise(args.noise, args.level)
    noise_label = describe_noise(train_noise)
    name = args.dataset + (
        f" ({args.emnist_split})" if args.dataset == "emnist" else ""
    )
    if not args.quiet:
        height, width = train.image_shape
        validation = (
            f", {args.validation_fraction:g} held out for validation"
            if args.validation_fraction
            else ""
        )
        print(
            f"Training a denoising autoencoder on {len(X_train)} {name} images "
            f"of {height}x{width} ({train.files['train_images']}) with "
            f"{noise_label}: {args.epochs} epochs, batches of {args.batch_size}, "
            f"Adam lr {args.lr:g}{validation}, device {device}, seed {args.seed}; "
            f"testing on {len(X_test)} images."
        )
    dae = DenoisingAutoencoder(
        noise=train_noise,
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        validation_fraction=args.validation_fraction,
        device=device,
        verbose=verbosity(args.quiet),
        random_state=args.seed,
    )
    fit_seconds = fit(dae, X_train)

    # The results are written before anything else can fail; a failure of a
    # later step is reported after the steps that can still be done.
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CLIError(f"cannot create --output {out}: {exc}") from None
    failures = []
    try:
        dae.save(out / "model.skdae")
    except (OSError, ValueError) as exc:
        failures.append(f"could not write {out / 'model.skdae'}: {exc}")

    results, noisy, denoised = evaluate(
        args, dae, noise_label, X_train, X_test, fit_seconds
    )
    try:
        text = json.dumps(results, indent=2, allow_nan=False) + "\n"
        (out / "results.json").write_text(text)
    except (OSError, ValueError) as exc:
        failures.append(f"could not write {out / 'results.json'}: {exc}")
    try:
        plot(out, dae, X_test, noisy, denoised, train.image_shape, name, noise_label)
    except Exception as exc:  # plotting is the last step; keep what was written
        failures.append(f"could not draw the figures: {type(exc).__name__}: {exc}")

    print_results(results)
    written = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    print(f"wrote {', '.join(written)} to {out}/")
    if failures:
        raise CLIError("; ".join(failures))
    return 0
