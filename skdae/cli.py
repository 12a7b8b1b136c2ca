"""The ``skdae`` command: ``skdae demo`` runs the reference experiment, ``skdae
denoise`` applies a saved model to images.

Exit codes: 0 on success, 1 when data or a model cannot be found or read (with a
message and no traceback), 2 for bad command-line usage.
"""

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

__all__ = ["main"]

_LOADERS = {
    "mnist": "load_mnist",
    "fashion-mnist": "load_fashion_mnist",
    "kmnist": "load_kmnist",
}


class CLIError(Exception):
    """An error shown to the user as one message, exit code 1."""


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skdae",
        description="Denoising autoencoders as scikit-learn estimators.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser(
        "demo",
        help="train the reference recipe and report PSNR/SSIM",
        description=(
            "Train the reference denoising autoencoder (clipped Gaussian noise 0.5, "
            "20 epochs, batches of 20, Adam, MSE) on MNIST, print PSNR and SSIM of "
            "the noisy and the denoised test set, and write figures, results and "
            "the model into the output folder."
        ),
    )
    demo.add_argument("--dataset", choices=sorted(_LOADERS), default="mnist")
    demo.add_argument("--data-home", help="folder holding the IDX files")
    demo.add_argument(
        "--download", action="store_true", help="download through torchvision"
    )
    demo.add_argument(
        "--noise", choices=["gaussian", "salt-pepper"], default="gaussian"
    )
    demo.add_argument(
        "--level",
        type=float,
        default=None,
        help="sigma (gaussian, default 0.5) or amount (salt-pepper, default 0.2)",
    )
    demo.add_argument("--epochs", type=int, default=20)
    demo.add_argument("--batch-size", type=int, default=20)
    demo.add_argument("--lr", type=float, default=1e-3)
    demo.add_argument(
        "--validation-fraction",
        type=float,
        default=None,
        help="hold out this fraction of the training images for a validation loss",
    )
    demo.add_argument("--n-train", type=int, help="use only the first N train images")
    demo.add_argument("--n-test", type=int, help="use only the first N test images")
    demo.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, ...")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--output", default="skdae_output", help="output folder")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")

    den = sub.add_parser(
        "denoise",
        help="apply a saved model to images",
        description=(
            "Denoise images with a model saved by `skdae demo` (model.skdae) or by DenoisingAutoencoder.save. INPUT is "
            "a .npy array of images in [0, 1] ((n, h*w), (n, h, w) or a single "
            "(h, w) image) or a grayscale .png; OUTPUT gets the same format."
        ),
    )
    den.add_argument("model", help="model file (model.skdae)")
    den.add_argument("input", help=".npy or .png input")
    den.add_argument("output", help=".npy or .png output")
    return parser


# --------------------------------------------------------------------- demo
def _load_dataset(args):
    from . import datasets

    loader = getattr(datasets, _LOADERS[args.dataset])
    try:
        data = loader(data_home=args.data_home, download=args.download)
    except datasets.DatasetNotFoundError as exc:
        raise CLIError(str(exc)) from None
    except ValueError as exc:  # corrupt files name themselves in the message
        raise CLIError(f"could not read {args.dataset}: {exc}") from None
    X_train, X_test = data.X_train, data.X_test
    if args.n_train:
        X_train = X_train[: args.n_train]
    if args.n_test:
        X_test = X_test[: args.n_test]
    return data, X_train, X_test


def _noise_model(kind, level, seed=None):
    from .noise import GaussianNoise, SaltPepperNoise

    if kind == "gaussian":
        return GaussianNoise(sigma=0.5 if level is None else level, random_state=seed)
    return SaltPepperNoise(amount=0.2 if level is None else level, random_state=seed)


def _demo(args):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import __version__
    from .autoencoder import DenoisingAutoencoder
    from .metrics import psnr, ssim
    from .plotting import DenoisingComparisonDisplay, LossCurveDisplay

    data, X_train, X_test = _load_dataset(args)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    print(
        f"{args.dataset}: {len(X_train)} training and {len(X_test)} test images of "
        f"{data.image_shape[0]}x{data.image_shape[1]} from {data.files['train_images']}"
    )

    train_noise = _noise_model(args.noise, args.level)
    noise_label = ", ".join(
        f"{k}={v}" for k, v in train_noise.get_params().items() if k != "random_state"
    )
    noise_label = f"{type(train_noise).__name__}({noise_label})"
    dae = DenoisingAutoencoder(
        noise=train_noise,
        max_epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        validation_fraction=args.validation_fraction,
        device=args.device,
        verbose=1 if args.quiet else 2,
        random_state=args.seed,
    )
    try:
        start = time.perf_counter()
        dae.fit(X_train)
        fit_seconds = time.perf_counter() - start
    except ValueError as exc:
        raise CLIError(str(exc)) from None

    test_noise = _noise_model(args.noise, args.level, seed=args.seed + 1)
    noisy = test_noise.transform(X_test)
    start = time.perf_counter()
    denoised = dae.transform(noisy)
    transform_seconds = time.perf_counter() - start
    results = {
        "dataset": args.dataset,
        "n_train": int(len(X_train)),
        "n_test": int(len(X_test)),
        "noise": noise_label,
        "epochs": int(dae.n_iter_),
        "batch_size": args.batch_size,
        "device": dae.device_,
        "seed": args.seed,
        "noisy": {"psnr": psnr(X_test, noisy), "ssim": ssim(X_test, noisy)},
        "denoised": {"psnr": psnr(X_test, denoised), "ssim": ssim(X_test, denoised)},
        "train_loss": [float(v) for v in dae.history_[:, "train_loss"]],
        "seconds_per_epoch": [float(v) for v in dae.history_[:, "dur"]],
        "fit_seconds": fit_seconds,
        "transform_seconds": transform_seconds,
        "versions": _versions(__version__),
    }
    if args.validation_fraction:
        results["valid_loss"] = [float(v) for v in dae.history_[:, "valid_loss"]]

    display = DenoisingComparisonDisplay.from_predictions(
        X_test, noisy, denoised, n_images=10, image_shape=data.image_shape
    )
    display.figure_.savefig(out / "comparison.png", dpi=120, bbox_inches="tight")
    curve = LossCurveDisplay.from_estimator(dae)
    curve.ax_.set_title(f"{args.dataset}: training loss, {noise_label}")
    curve.figure_.savefig(out / "loss_curve.png", dpi=120, bbox_inches="tight")
    plt.close("all")
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    dae.save(out / "model.skdae")

    _print_results(results)
    print(f"wrote {', '.join(sorted(p.name for p in out.iterdir()))} to {out}/")
    return 0


def _versions(skdae_version):
    import sklearn
    import skorch
    import torch

    return {
        "skdae": skdae_version,
        "torch": torch.__version__,
        "skorch": skorch.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def _print_results(results):
    epoch = np.median(results["seconds_per_epoch"])
    print()
    print(f"{'test images':<14}{'PSNR (dB)':>12}{'SSIM':>10}")
    for key in ("noisy", "denoised"):
        row = results[key]
        print(f"{key:<14}{row['psnr']:>12.2f}{row['ssim']:>10.4f}")
    print(
        f"\n{results['epochs']} epochs on {results['device']}, median "
        f"{epoch:.1f} s per epoch ({results['n_train'] / epoch:.0f} images/s)"
    )


# ------------------------------------------------------------------ denoise
def _read_images(path):
    path = Path(path)
    if not path.exists():
        raise CLIError(f"input file {path} does not exist")
    if path.suffix.lower() == ".npy":
        try:
            return np.load(path, allow_pickle=False)
        except ValueError as exc:
            raise CLIError(f"could not read {path}: {exc}") from None
    if path.suffix.lower() == ".png":
        import matplotlib.image as mpimg

        image = mpimg.imread(path)
        if image.ndim == 3:  # RGB(A) PNG: average the colour channels
            image = image[..., :3].mean(axis=2)
        return image.astype(np.float64)
    raise CLIError(f"unsupported input {path}: use a .npy array or a .png image")


def _write_images(path, images):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".npy":
        np.save(path, images)
    elif path.suffix.lower() == ".png":
        import matplotlib.image as mpimg

        mpimg.imsave(path, np.clip(images, 0, 1), cmap="gray", vmin=0, vmax=1)
    else:
        raise CLIError(f"unsupported output {path}: use .npy or .png")


def _denoise(args):
    model_path = Path(args.model)
    if not model_path.exists():
        raise CLIError(f"model file {model_path} does not exist")
    from .autoencoder import DenoisingAutoencoder

    try:  # weights-only model file: loading it cannot run code
        model = DenoisingAutoencoder.load(model_path)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    images = _read_images(args.input)
    single = images.ndim == 2 and tuple(images.shape) == tuple(model.image_shape_)
    batch = images[None] if single else images
    try:
        denoised = model.transform(batch)
    except ValueError as exc:
        raise CLIError(f"cannot denoise {args.input}: {exc}") from None
    denoised = denoised[0] if single else denoised
    if Path(args.output).suffix.lower() == ".png" and denoised.ndim != 2:
        raise CLIError("PNG output needs a single image; write .npy for a batch")
    _write_images(args.output, denoised)
    print(f"denoised {1 if single else len(batch)} image(s) -> {args.output}")
    return 0


def main(argv=None):
    """Entry point of the ``skdae`` command; returns the exit code."""
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            return _demo(args)
        return _denoise(args)
    except CLIError as exc:
        print(f"skdae {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"skdae {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
