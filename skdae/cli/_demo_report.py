"""The results of ``skdae demo``: test metrics, results.json, figures, the table."""

import math
import platform
import time

import numpy as np

from .. import __version__
from ._noise_options import make_noise


def finite_or_none(value):
    value = float(value)
    return value if math.isfinite(value) else None


def evaluate(args, dae, noise_label, X_train, X_test, fit_seconds):
    from ..metrics import psnr, ssim

    # seed + 1 for the test noise, wrapped into NumPy's seed range
    test_noise = make_noise(args.noise, args.level, seed=(args.seed + 1) % 2**32)
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
            "psnr": finite_or_none(psnr(X_test, noisy)),
            "ssim": finite_or_none(ssim(X_test, noisy)),
        },
        "denoised": {
            "psnr": finite_or_none(psnr(X_test, denoised)),
            "ssim": finite_or_none(ssim(X_test, denoised)),
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
            finite_or_none(v) for v in dae.history_[:, "valid_loss"]
        ]
    return results, noisy, denoised


def plot(out, dae, X_test, noisy, denoised, image_shape, name, noise_label):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import DenoisingComparisonDisplay, LossCurveDisplay

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


def print_results(results):
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
