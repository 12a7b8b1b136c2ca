"""The ``skdae`` command: ``skdae demo`` runs the reference experiment, ``skdae
denoise`` applies a saved model to images.

Every argument is checked before any work starts (before data is loaded, a
model is read or a folder is created). Exit codes: 0 on success; 2 for bad
command-line usage (argparse's code: an unknown option, a value out of range);
1 when data, a model or an input cannot be found or read, an output cannot be
written, or a step fails; 130 when interrupted. Every failure is one line on
stderr, never a traceback.

The module imports neither PyTorch nor scikit-learn at import time, so that
``skdae --help`` and ``skdae --version`` answer at once.
"""

import argparse
import contextlib
import json
import math
import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np

from . import __version__

__all__ = ["main"]

_LOADERS = {
    "mnist": "load_mnist",
    "fashion-mnist": "load_fashion_mnist",
    "kmnist": "load_kmnist",
    "emnist": "load_emnist",
}
_DEFAULT_LEVEL = {"gaussian": 0.5, "salt-pepper": 0.2}
_SEED_MAX = 2**32 - 1  # the largest seed NumPy's RandomState accepts
_IMAGE_SUFFIXES = (".npy", ".png")


class CLIError(Exception):
    """An error shown to the user as one line, exit code 1."""


# ----------------------------------------------------------- argument types
def _int_at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}; got {value}")
        return value

    parse.__name__ = "integer"
    return parse


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= value <= _SEED_MAX:
        raise argparse.ArgumentTypeError(
            f"must be between 0 and {_SEED_MAX} (2**32 - 1); got {value}"
        )
    return value


def _real(*, low, low_open, high=math.inf, high_open=True):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        too_low = value <= low if low_open else value < low
        too_high = value >= high if high_open else value > high
        if not math.isfinite(value) or too_low or too_high:
            left = "(" if low_open else "["
            right = ")" if high_open else "]"
            raise argparse.ArgumentTypeError(
                f"must be in {left}{low:g}, {high:g}{right}; got {text}"
            )
        return value

    parse.__name__ = "number"
    return parse


_positive_int = _int_at_least(1)


# ------------------------------------------------------------------- parser
class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows defaults, except unset ones and those the help text states."""

    def _get_help_string(self, action):
        if action.default in (None, False) or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="skdae",
        description="Denoising autoencoders as scikit-learn estimators.",
    )
    parser.add_argument("--version", action="version", version=f"skdae {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    formatter = _HelpFormatter

    demo = sub.add_parser(
        "demo",
        help="train a denoising autoencoder and report PSNR/SSIM",
        formatter_class=formatter,
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
        choices=list(_LOADERS),
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
        choices=list(_DEFAULT_LEVEL),
        default="gaussian",
        help="noise model for training and testing",
    )
    demo.add_argument(
        "--level",
        type=_real(low=0, low_open=False),
        default=None,
        help="noise level: sigma for gaussian (default 0.5), amount in [0, 1] "
        "for salt-pepper (default 0.2)",
    )
    demo.add_argument(
        "--epochs", type=_positive_int, default=20, help="training epochs"
    )
    demo.add_argument(
        "--batch-size", type=_positive_int, default=20, help="images per batch"
    )
    demo.add_argument(
        "--lr", type=_real(low=0, low_open=True), default=1e-3, help="Adam's step size"
    )
    demo.add_argument(
        "--validation-fraction",
        type=_real(low=0, low_open=True, high=1, high_open=True),
        default=None,
        help="hold out this fraction (in (0, 1)) of the training images for a "
        "validation loss",
    )
    demo.add_argument(
        "--n-train",
        type=_positive_int,
        metavar="N",
        help="use only the first N training images (default: all)",
    )
    demo.add_argument(
        "--n-test",
        type=_positive_int,
        metavar="N",
        help="use only the first N test images (default: all)",
    )
    demo.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, ...")
    demo.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help=f"seed of initialisation, shuffling and noise (0 to {_SEED_MAX}); "
        "the test noise uses seed + 1",
    )
    demo.add_argument(
        "--output", default="skdae_output", metavar="FOLDER", help="output folder"
    )
    demo.add_argument(
        "--quiet",
        action="store_true",
        help="print only the final results (no description, epoch table or "
        "progress bar)",
    )

    den = sub.add_parser(
        "denoise",
        help="apply a saved model to images",
        formatter_class=formatter,
        description=(
            "Denoise images with a model saved by `skdae demo` (model.skdae) or "
            "by DenoisingAutoencoder.save. INPUT is a .npy array of images in "
            "[0, 1] ((n, h*w), (n, h, w) or a single (h, w) image; uint8 arrays "
            "are divided by 255) or a .png image (colour is converted to gray); "
            "OUTPUT is .npy (any number of images) or .png (one image)."
        ),
    )
    den.add_argument("model", help="model file (model.skdae)")
    den.add_argument("input", help=".npy or .png input")
    den.add_argument("output", help=".npy or .png output")
    demo.set_defaults(run=_demo, subparser=demo)
    den.set_defaults(run=_denoise, subparser=den)
    return parser


# --------------------------------------------------------- path checking
def _nearest_existing(path):
    path = Path(os.path.abspath(path))
    while not path.exists():
        path = path.parent
    return path


def _check_creatable(path, what):
    """``path`` does not exist yet: check that it can be created."""
    ancestor = _nearest_existing(path)
    if not ancestor.is_dir():
        raise CLIError(f"{what} {path}: cannot create it, {ancestor} is a file")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise CLIError(f"{what} {path}: cannot create it, {ancestor} is not writable")


def _check_output_folder(path):
    path = Path(path)
    if path.exists():
        if not path.is_dir():
            raise CLIError(f"--output {path} is an existing file, not a folder")
        if not os.access(path, os.W_OK | os.X_OK):
            raise CLIError(f"--output {path}: the folder is not writable")
    else:
        _check_creatable(path, "--output")


def _check_output_file(path, input_path):
    path = Path(path)
    if path.is_dir():
        raise CLIError(f"OUTPUT {path} is a folder; give a .npy or .png file name")
    if path.exists():
        if path.resolve() == Path(input_path).resolve():
            raise CLIError(f"OUTPUT {path} is the INPUT file; choose another name")
        if not os.access(path, os.W_OK):
            raise CLIError(f"OUTPUT {path} exists and is not writable")
    else:
        _check_creatable(path, "OUTPUT")


def _check_input_file(path, what):
    path = Path(path)
    if not path.exists():
        raise CLIError(f"{what} file {path} does not exist")
    if path.is_dir():
        raise CLIError(f"{what} {path} is a folder, not a file")
    if not os.access(path, os.R_OK):
        raise CLIError(f"{what} file {path} is not readable")


# --------------------------------------------------------------------- demo
def _check_demo_args(parser, args):
    """Checks of the demo's arguments that argparse's types cannot make."""
    if args.dataset != "emnist" and args.emnist_split != "balanced":
        parser.error("argument --emnist-split: only with --dataset emnist")
    if args.level is not None and args.noise == "salt-pepper" and args.level > 1:
        parser.error(
            f"argument --level: the salt-pepper amount must be in [0, 1]; got "
            f"{args.level:g}"
        )
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?|mps", args.device):
        parser.error(
            f"argument --device: invalid device {args.device!r}; use auto, cpu, "
            "cuda or cuda:N"
        )
    if args.dataset == "emnist":
        from .datasets import EMNIST_SPLITS

        if args.emnist_split not in EMNIST_SPLITS:
            parser.error(
                f"argument --emnist-split: invalid choice {args.emnist_split!r} "
                f"(choose from {', '.join(EMNIST_SPLITS)})"
            )


def _resolve_device(parser, device):
    from ._devices import resolve_device

    try:
        return resolve_device(device)
    except ValueError:
        parser.error(
            f"argument --device: {device!r} needs CUDA, which is not available "
            "on this machine; use --device auto or cpu"
        )


def _dataset_not_found(exc):
    folders = ", ".join(str(folder) for folder in exc.searched)
    problem = ""
    cause = exc.__cause__
    if exc.reason and isinstance(cause, ModuleNotFoundError):
        problem = "; --download needs torchvision (pip install torchvision)"
    elif exc.reason and cause is not None:
        problem = f"; --download failed ({type(cause).__name__}: {cause})"
    elif exc.reason:
        problem = "; --download did not provide the files"
    download = (
        ""
        if exc.reason
        else ", or add --download (needs torchvision and a network connection)"
    )
    return (
        f"no {exc.dataset} files found in {folders}{problem}; pass --data-home "
        "FOLDER (a folder holding the four IDX files, or its parent) or set "
        f"SKDAE_DATA_HOME=FOLDER{download}"
    )


def _load_split(args, subset):
    from . import datasets

    loader = getattr(datasets, _LOADERS[args.dataset])
    kwargs = {"split": args.emnist_split} if args.dataset == "emnist" else {}
    try:
        return loader(
            subset=subset, data_home=args.data_home, download=args.download, **kwargs
        )
    except datasets.DatasetNotFoundError as exc:
        raise CLIError(_dataset_not_found(exc)) from None
    except ValueError as exc:  # corrupt files name themselves in the message
        raise CLIError(f"could not read {args.dataset}: {exc}") from None


def _first(data, n, flag, what, quiet):
    if n is None:
        return data
    if n > len(data) and not quiet:
        print(f"note: {flag} {n}, but only {len(data)} {what} images exist: using all")
    return data[:n]


def _noise_model(kind, level, seed=None):
    from .noise import GaussianNoise, SaltPepperNoise

    level = _DEFAULT_LEVEL[kind] if level is None else level
    if kind == "gaussian":
        return GaussianNoise(sigma=level, random_state=seed)
    return SaltPepperNoise(amount=level, random_state=seed)


def _noise_label(noise):
    params = ", ".join(
        f"{k}={v}" for k, v in noise.get_params().items() if k != "random_state"
    )
    return f"{type(noise).__name__}({params})"


class _StripANSI:
    """A text stream writing to ``stream`` without ANSI colour codes."""

    _CODES = re.compile(r"\x1b\[[0-9;]*m")

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        return self._stream.write(self._CODES.sub("", text))

    def flush(self):
        self._stream.flush()

    def isatty(self):
        return False


def _plain_stdout():
    """skorch colours its epoch table; no colours when stdout is no terminal."""
    if sys.stdout.isatty():
        return contextlib.nullcontext()
    return contextlib.redirect_stdout(_StripANSI(sys.stdout))


# The estimator's parameter names in its messages, as the demo's flags.
_FLAGS = {
    "max_epochs": "--epochs",
    "batch_size": "--batch-size",
    "validation_fraction": "--validation-fraction",
}


def _with_flags(message):
    for name, flag in _FLAGS.items():
        message = re.sub(rf"\b{name}\b", flag, message)
    return message


def _finite_or_none(value):
    value = float(value)
    return value if math.isfinite(value) else None


def _demo(args, parser):
    _check_demo_args(parser, args)
    out = Path(args.output)
    _check_output_folder(out)
    device = _resolve_device(parser, args.device)

    train = _load_split(args, "train")
    test = _load_split(args, "test")
    X_train = _first(train.data, args.n_train, "--n-train", "training", args.quiet)
    X_test = _first(test.data, args.n_test, "--n-test", "test", args.quiet)

    from .autoencoder import DenoisingAutoencoder

    train_noise = _noise_model(args.noise, args.level)
    noise_label = _noise_label(train_noise)
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
        verbose=0 if args.quiet else (2 if sys.stderr.isatty() else 1),
        random_state=args.seed,
    )
    try:
        start = time.perf_counter()
        with _plain_stdout():
            dae.fit(X_train)
        fit_seconds = time.perf_counter() - start
    except ValueError as exc:
        raise CLIError(_with_flags(str(exc))) from None

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

    results, noisy, denoised = _evaluate(
        args, dae, noise_label, X_train, X_test, fit_seconds
    )
    try:
        text = json.dumps(results, indent=2, allow_nan=False) + "\n"
        (out / "results.json").write_text(text)
    except (OSError, ValueError) as exc:
        failures.append(f"could not write {out / 'results.json'}: {exc}")
    try:
        _plot(out, dae, X_test, noisy, denoised, train.image_shape, name, noise_label)
    except Exception as exc:  # plotting is the last step; keep what was written
        failures.append(f"could not draw the figures: {type(exc).__name__}: {exc}")

    _print_results(results)
    written = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
    print(f"wrote {', '.join(written)} to {out}/")
    if failures:
        raise CLIError("; ".join(failures))
    return 0


def _evaluate(args, dae, noise_label, X_train, X_test, fit_seconds):
    from .metrics import psnr, ssim

    # seed + 1 for the test noise, wrapped into NumPy's seed range
    test_noise = _noise_model(args.noise, args.level, seed=(args.seed + 1) % 2**32)
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
        "lr": args.lr,
        "device": dae.device_,
        "seed": args.seed,
        "noisy": {
            "psnr": _finite_or_none(psnr(X_test, noisy)),
            "ssim": _finite_or_none(ssim(X_test, noisy)),
        },
        "denoised": {
            "psnr": _finite_or_none(psnr(X_test, denoised)),
            "ssim": _finite_or_none(ssim(X_test, denoised)),
        },
        "train_loss": [float(v) for v in dae.history_[:, "train_loss"]],
        "seconds_per_epoch": [float(v) for v in dae.history_[:, "dur"]],
        "fit_seconds": fit_seconds,
        "transform_seconds": transform_seconds,
        "versions": _versions(),
    }
    if args.dataset == "emnist":
        results["emnist_split"] = args.emnist_split
    if args.validation_fraction:
        results["valid_loss"] = [
            _finite_or_none(v) for v in dae.history_[:, "valid_loss"]
        ]
    return results, noisy, denoised


def _plot(out, dae, X_test, noisy, denoised, image_shape, name, noise_label):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plotting import DenoisingComparisonDisplay, LossCurveDisplay

    try:
        display = DenoisingComparisonDisplay.from_predictions(
            X_test,
            noisy,
            denoised,
            n_images=min(10, len(X_test)),
            image_shape=image_shape,
        )
        display.figure_.savefig(out / "comparison.png", dpi=120, bbox_inches="tight")
        curve = LossCurveDisplay.from_estimator(dae)
        curve.ax_.set_title(f"{name}: training loss, {noise_label}")
        curve.figure_.savefig(out / "loss_curve.png", dpi=120, bbox_inches="tight")
    finally:
        plt.close("all")


def _versions():
    import sklearn
    import skorch
    import torch

    return {
        "skdae": __version__,
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
        psnr = "inf" if row["psnr"] is None else f"{row['psnr']:.2f}"
        ssim = "nan" if row["ssim"] is None else f"{row['ssim']:.4f}"
        print(f"{key:<14}{psnr:>12}{ssim:>10}")
    print(
        f"\n{results['epochs']} epochs on {results['device']}, median "
        f"{epoch:.1f} s per epoch ({results['n_train'] / max(epoch, 1e-9):.0f} "
        "images/s)"
    )


# ------------------------------------------------------------------ denoise
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


def _read_npy(path):
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


def _read_png(path):
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


def _batch_layout(shape, image_shape, path, from_png):
    """How INPUT of ``shape`` maps to the model's images: (single, n_images)."""
    height, width = image_shape
    n_pixels = height * width
    model = f"the model was trained on {height}x{width} images"
    if len(shape) == 2 and tuple(shape) == (height, width):
        return True, 1
    if from_png:
        raise CLIError(
            f"{path} holds a {shape[0]}x{shape[1]} image but {model} (a later "
            "version will accept any size)"
        )
    if len(shape) == 3:
        if tuple(shape[1:]) != (height, width):
            raise CLIError(f"{path} holds {shape[1]}x{shape[2]} images but {model}")
        n = shape[0]
    elif len(shape) == 2 and shape[1] == n_pixels:
        n = shape[0]
    else:
        raise CLIError(
            f"{path} holds an array of shape {tuple(shape)}: {model}; give one "
            f"({height}, {width}) image, ({'n'}, {height}, {width}) images or "
            f"(n, {n_pixels}) flat images"
        )
    if n == 0:
        raise CLIError(f"{path} holds no images")
    return False, n


def _write_images(path, images):
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


def _denoise(args, parser):
    for name, value in (("INPUT", args.input), ("OUTPUT", args.output)):
        if Path(value).suffix.lower() not in _IMAGE_SUFFIXES:
            parser.error(f"{name} {value}: use a .npy or a .png file")
    _check_input_file(args.model, "MODEL")
    _check_input_file(args.input, "INPUT")
    _check_output_file(args.output, args.input)
    from_png = Path(args.input).suffix.lower() == ".png"
    shape, load_images = (_read_png if from_png else _read_npy)(args.input)
    if len(shape) not in (2, 3):
        raise CLIError(
            f"{args.input} holds an array of shape {tuple(shape)}; give one "
            "(h, w) image, (n, h, w) images or (n, h*w) flat images"
        )
    to_png = Path(args.output).suffix.lower() == ".png"
    if to_png and len(shape) == 3 and shape[0] != 1:
        raise CLIError(
            f"{args.input} holds {shape[0]} images, but a PNG OUTPUT holds one "
            "image; write a .npy file for a batch"
        )

    from .autoencoder import DenoisingAutoencoder

    try:  # weights-only model file: loading it cannot run code
        model = DenoisingAutoencoder.load(args.model)
    except (ValueError, OSError) as exc:
        raise CLIError(f"could not load the model: {exc}") from None
    single, n_images = _batch_layout(shape, model.image_shape_, args.input, from_png)
    if to_png and n_images != 1:
        raise CLIError(
            f"{args.input} holds {n_images} images, but a PNG OUTPUT holds one "
            "image; write a .npy file for a batch"
        )
    images = load_images()
    batch = images[None] if single else images
    try:
        denoised = model.transform(batch)
    except ValueError as exc:
        raise CLIError(f"cannot denoise {args.input}: {exc}") from None
    if single:
        denoised = denoised[0]
    elif to_png:  # one image, flat or not
        denoised = denoised.reshape(model.image_shape_)
    _write_images(args.output, denoised)
    print(f"denoised {n_images} image(s) -> {args.output}")
    return 0


def _one_line(message):
    return " ".join(str(message).split())


def main(argv=None):
    """Entry point of the ``skdae`` command; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args, args.subparser)
    except CLIError as exc:
        print(f"skdae {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"skdae {args.command}: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print(f"skdae {args.command}: error: out of memory", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: still one line, with what went wrong
        print(
            f"skdae {args.command}: error: unexpected {type(exc).__name__}: "
            f"{_one_line(exc)} (please report this)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
