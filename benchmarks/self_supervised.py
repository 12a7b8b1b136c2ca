"""Denoising from noisy images alone: self-supervised skdae against calibrated
classical denoisers and the supervised model, on Set12 and MNIST.

``python -m benchmarks self-supervised [options]`` measures, in one run:

* Set12 at Gaussian sigma ``--sigma`` (0-255 scale, the protocol of
  ``../shared/data/natural/README.md``: unclipped noise seeded by the image's
  index, PSNR and SSIM on the 8-bit rounded images): skdae with
  ``training="neighbor2neighbor"`` and with ``training="noise2self"``, each
  trained on the noisy Set12 images themselves, and separately on noisy
  Train400 images; Noise2Noise (``fit(noisy_a, noisy_b)``,
  two independent noisy copies of Train400); the supervised model (clean
  Train400, fresh noise every batch) with the same architecture and training
  budget; scikit-image's ``calibrate_denoiser`` (J-invariant, self-supervised)
  tuning NL-means and wavelet shrinkage on each noisy image, around the noise
  level that ``estimate_sigma`` reads from the noisy image; NL-means and
  BM3D given the true sigma (for orientation: they use what a user of
  self-supervision does not know).
* MNIST with Poisson noise (peak ``--peak``) and with Gaussian noise (sigma
  ``--mnist-sigma``), both unclipped: neighbor2neighbor and noise2self
  trained on one noisy draw of the training images only, against the supervised model (clean images, fresh
  noise) and calibrated NL-means and wavelets; PSNR and SSIM on [0, 1] images
  against the clean test images.

In each setting, the row "mode chosen by the pair score" is what a user
without clean images can do: of the neighbor2neighbor and the noise2self
model, keep the one that ``make_self_supervised_scorer(method=
"neighbor2neighbor")`` rates higher on the noisy test images (never their
clean versions).

Every skdae model of a setting has the same architecture and the same budget:
``--epochs`` epochs (``--mnist-epochs`` on MNIST) of one ``partial_fit`` call
each, so the same number of gradient steps on batches of the same size, the
learning rate dropping tenfold after 60 % of them; ``--minutes`` caps each
model's training time. (An equal number of steps, not of minutes: on a shared
machine the minutes depend on the load.) Prints a table and writes JSON.
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from skimage.restoration import (
    calibrate_denoiser,
    denoise_nl_means,
    denoise_wavelet,
    estimate_sigma,
)

from skdae import DenoisingAutoencoder, GaussianNoise, PoissonNoise
from skdae.architectures import ARCHITECTURES
from skdae.datasets import load_images as load_image_folder
from skdae.metrics import make_self_supervised_scorer, psnr, ssim

from .harness import (
    DEFAULT_DATA_HOME,
    RESULTS_DIR,
    load_images,
    log,
    machine,
    now,
    print_table,
    versions,
    write_json,
)
from .natural_images import add_noise, bm3d_or_none, nl_means, psnr_8bit, ssim_8bit


# ------------------------------------------------------------ classical, tuned
def calibrated_nl_means(noisy):
    """NL-means with ``h`` tuned by scikit-image's J-invariant calibration."""
    sigma = float(estimate_sigma(noisy))
    grid = {
        "h": [f * sigma for f in (0.2, 0.4, 0.6, 0.8, 1.0, 1.2)],
        "sigma": [sigma],
        "patch_size": [5],
        "patch_distance": [6],
        "fast_mode": [True],
    }
    denoiser = calibrate_denoiser(noisy, denoise_nl_means, denoise_parameters=grid)
    return denoiser(noisy)


def calibrated_wavelets(noisy):
    """Wavelet shrinkage with its threshold tuned by J-invariant calibration."""
    sigma = float(estimate_sigma(noisy))
    grid = {
        "sigma": [f * sigma for f in (0.5, 0.75, 1.0, 1.25, 1.5)],
        "wavelet": ["db1", "db2"],
        "mode": ["soft"],
        "rescale_sigma": [True],
    }
    denoiser = calibrate_denoiser(noisy, denoise_wavelet, denoise_parameters=grid)
    return denoiser(noisy)


# ------------------------------------------------------------------ training
def make_model(args, **params):
    architecture = ARCHITECTURES[args.architecture](
        depth=args.depth, channels=args.channels
    )
    return DenoisingAutoencoder(
        architecture=architecture,
        lr=args.lr,
        device=args.device,
        random_state=args.seed,
        **params,
    )


def train(name, model, X, y, epochs, minutes):
    """``partial_fit`` one epoch at a time for ``epochs`` epochs (at most
    ``minutes``); the learning rate drops tenfold after 60 % of the epochs."""
    lr = model.lr
    seconds = 0.0
    while getattr(model, "n_iter_", 0) < epochs and seconds < minutes * 60:
        if getattr(model, "n_iter_", 0) >= 0.6 * epochs and model.lr == lr:
            model.set_params(lr=lr / 10)
        start = time.perf_counter()
        model.partial_fit(X, y)
        seconds += time.perf_counter() - start
    log(
        f"{name}: {model.n_iter_} epochs in {seconds / 60:.1f} min, "
        f"loss {model.history_[-1, 'train_loss']:.4g}"
    )
    return {"epochs": int(model.n_iter_), "train_seconds": seconds}


def scored(results, name, clean, estimates, score, seconds, **extra):
    results[name] = {
        "psnr": float(np.mean([score[0](x, e) for x, e in zip(clean, estimates)])),
        "ssim": float(np.mean([score[1](x, e) for x, e in zip(clean, estimates)])),
        "seconds": seconds,
        **extra,
    }
    log(f"{name}: {results[name]['psnr']:.2f} dB, SSIM {results[name]['ssim']:.3f}")


def timed_map(fn, images):
    start = time.perf_counter()
    out = [fn(y) for y in images]
    return out, time.perf_counter() - start


# ---------------------------------------------------------------------- Set12
def set12(args):
    natural = Path(args.data_home) / "natural"
    clean = load_image_folder(natural / "set12", as_gray=True)[: args.set12_images]
    train_clean = load_image_folder(natural / "train400", as_gray=True)
    sigma = args.sigma
    noisy = [add_noise(x, sigma, i) for i, x in enumerate(clean)]
    # the training noise never repeats the test noise (other seeds)
    train_a = [add_noise(x, sigma, 10_000 + i) for i, x in enumerate(train_clean)]
    train_b = [add_noise(x, sigma, 20_000 + i) for i, x in enumerate(train_clean)]
    score = (psnr_8bit, ssim_8bit)
    results = {}
    patches = {
        "patch_size": args.patch_size,
        "augment": True,
        "patches_per_epoch": args.patches_per_epoch,
        "batch_size": args.batch_size,
    }
    n2s = {
        "training": "noise2self",
        "mask_density": args.mask_density,
        "mask_replacement": args.mask_replacement,
    }
    nb2nb = {"training": "neighbor2neighbor"}
    models = {
        "skdae neighbor2neighbor, noisy Set12 itself": (
            make_model(args, **patches, **nb2nb),
            noisy,
            None,
        ),
        "skdae neighbor2neighbor, noisy Train400": (
            make_model(args, **patches, **nb2nb),
            train_a,
            None,
        ),
        "skdae noise2self, noisy Set12 itself": (
            make_model(args, **patches, **n2s),
            noisy,
            None,
        ),
        "skdae noise2self, noisy Train400": (
            make_model(args, **patches, **n2s),
            train_a,
            None,
        ),
        "skdae Noise2Noise, 2 noisy copies of Train400": (
            make_model(args, **patches),
            train_a,
            train_b,
        ),
        "skdae supervised, clean Train400": (
            make_model(args, noise=GaussianNoise(sigma / 255, clip=False), **patches),
            train_clean,
            None,
        ),
    }
    methods = {"noisy input": lambda y: y}
    methods["NL-means, calibrated (self-supervised)"] = calibrated_nl_means
    methods["wavelets, calibrated (self-supervised)"] = calibrated_wavelets
    methods["NL-means, true sigma"] = lambda y: nl_means(y, sigma)
    bm3d = bm3d_or_none()
    if bm3d is not None and not args.without_bm3d:
        methods["BM3D, true sigma"] = lambda y: bm3d(y, sigma)
    for name, fn in methods.items():
        estimates, seconds = timed_map(fn, noisy)
        scored(results, name, clean, estimates, score, seconds)
    fitted = {}
    for name, (model, X, y) in models.items():
        record = train(name, model, X, y, args.epochs, args.minutes)
        estimates, seconds = timed_map(lambda y, m=model: m.transform([y])[0], noisy)
        scored(results, name, clean, estimates, score, seconds, **record)
        fitted[name] = model
    for source in ("noisy Set12 itself", "noisy Train400"):
        choose_mode(results, fitted, source, noisy)
    return results


def choose_mode(results, fitted, source, noisy):
    """Add the self-supervised model whose pair score on ``noisy`` is best.

    What a user without clean images can do: train both self-supervised modes
    and keep the one that ``make_self_supervised_scorer(method=
    "neighbor2neighbor")`` rates higher on the noisy images to be denoised.
    """
    scorer = make_self_supervised_scorer(method="neighbor2neighbor", random_state=0)
    names = [f"skdae {mode}, {source}" for mode in ("neighbor2neighbor", "noise2self")]
    scores = {name: float(scorer(fitted[name], noisy)) for name in names}
    best = max(scores, key=scores.get)
    results[f"skdae, mode chosen by the pair score, {source}"] = {
        **results[best],
        "chosen": best,
        "pair_scores": scores,
    }
    log(f"pair scores {scores}: chose {best}")


# ---------------------------------------------------------------------- MNIST
def _psnr_unit(x, e):
    return float(psnr(x[np.newaxis], np.clip(e, 0, 1)[np.newaxis]))


def _ssim_unit(x, e):
    return float(ssim(x[np.newaxis], np.clip(e, 0, 1)[np.newaxis]))


def mnist(args, setting, noise):
    data_home = str(Path(args.data_home))
    X_train = load_images("mnist", "train", data_home=data_home)[: args.mnist_train]
    X_test = load_images("mnist", "test", data_home=data_home)[: args.mnist_test]
    X_train = X_train.reshape(-1, 28, 28)
    X_test = X_test.reshape(-1, 28, 28)
    noisy_train = noise.set_params(random_state=1).transform(X_train)
    noisy_test = noise.set_params(random_state=2).transform(X_test)
    score = (_psnr_unit, _ssim_unit)
    results = {}
    for name, fn in {
        "noisy input": lambda y: y,
        "NL-means, calibrated (self-supervised)": calibrated_nl_means,
        "wavelets, calibrated (self-supervised)": calibrated_wavelets,
    }.items():
        estimates, seconds = timed_map(fn, noisy_test)
        scored(results, name, X_test, estimates, score, seconds)
    models = {
        "skdae neighbor2neighbor, noisy training images": (
            make_model(
                args,
                training="neighbor2neighbor",
                batch_size=args.mnist_batch_size,
            ),
            noisy_train,
        ),
        "skdae noise2self, noisy training images": (
            make_model(
                args,
                training="noise2self",
                mask_density=args.mask_density,
                mask_replacement=args.mask_replacement,
                batch_size=args.mnist_batch_size,
            ),
            noisy_train,
        ),
        "skdae supervised, clean training images": (
            make_model(
                args,
                noise=noise.set_params(random_state=None),
                batch_size=args.mnist_batch_size,
            ),
            X_train,
        ),
    }
    fitted = {}
    for name, (model, X) in models.items():
        record = train(
            f"MNIST {setting}: {name}", model, X, None, args.mnist_epochs, args.minutes
        )
        start = time.perf_counter()
        estimates = model.transform(noisy_test)
        seconds = time.perf_counter() - start
        scored(results, name, X_test, estimates, score, seconds, **record)
        fitted[name] = model
    choose_mode(results, fitted, "noisy training images", noisy_test)
    return results


# ------------------------------------------------------------------------ main
def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m benchmarks self-supervised",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument("--data-home", default=str(DEFAULT_DATA_HOME))
    p.add_argument(
        "--epochs", type=int, default=4, help="Set12 budget per model, in epochs"
    )
    p.add_argument("--mnist-epochs", type=int, default=3, help="MNIST budget")
    p.add_argument(
        "--minutes", type=float, default=10.0, help="at most this long per model"
    )
    p.add_argument("--architecture", default="unet", choices=sorted(ARCHITECTURES))
    p.add_argument("--depth", type=int, default=2)
    p.add_argument("--channels", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--mask-density", type=float, default=0.1)
    p.add_argument("--mask-replacement", default="neighbour")
    p.add_argument("--sigma", type=float, default=25.0, help="Set12, 0-255 scale")
    p.add_argument(
        "--set12-images", type=int, default=12, help="the first N (for a quick try)"
    )
    p.add_argument("--patch-size", type=int, default=40)
    p.add_argument("--patches-per-epoch", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--peak", type=float, default=10.0, help="MNIST Poisson peak")
    p.add_argument("--mnist-sigma", type=float, default=0.3)
    p.add_argument("--mnist-train", type=int, default=10_000)
    p.add_argument("--mnist-test", type=int, default=500)
    p.add_argument("--mnist-batch-size", type=int, default=64)
    p.add_argument("--skip-set12", action="store_true")
    p.add_argument("--skip-mnist", action="store_true")
    p.add_argument("--without-bm3d", action="store_true")
    p.add_argument("--device", default="cpu")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output", default=None, help="JSON file")
    return p.parse_args(argv)


def _table(title, results):
    rows = [
        [
            name,
            f"{r['psnr']:.2f}",
            f"{r['ssim']:.3f}",
            f"{r['train_seconds'] / 60:.1f} min ({r['epochs']} epochs)"
            if "epochs" in r
            else "-",
            f"{r['seconds']:.1f} s",
        ]
        for name, r in results.items()
    ]
    header = ["method", "PSNR (dB)", "SSIM", "training", "denoising"]
    return print_table(title, header, rows)


def main(argv=None):
    args = parse_args(argv)
    # Noise2Noise's noisy targets leave [0, 1], as they should: the warning,
    # repeated at every epoch's partial_fit, says nothing here
    warnings.filterwarnings("ignore", "Target images span", UserWarning)
    out = args.output or RESULTS_DIR / f"self-supervised-{now():%Y-%m-%d}.json"
    document = {
        "benchmark": "self-supervised",
        "date": now().isoformat(),
        "settings": vars(args),
        "results": {},
        "machine": machine(),
        "versions": versions(["skdae", "torch", "scikit-image", "numpy"]),
    }
    settings = []
    if not args.skip_set12:
        settings.append(
            (
                f"set12-sigma{args.sigma:g}",
                f"Set12, Gaussian sigma {args.sigma:g}, 8-bit protocol",
                lambda: set12(args),
            )
        )
    if not args.skip_mnist:
        for setting, noise in {
            f"poisson-peak{args.peak:g}": PoissonNoise(args.peak, clip=False),
            f"gaussian-sigma{args.mnist_sigma:g}": GaussianNoise(
                args.mnist_sigma, clip=False
            ),
        }.items():
            settings.append(
                (
                    f"mnist-{setting}",
                    f"MNIST ({args.mnist_test} test images), {setting}, unclipped",
                    lambda setting=setting, noise=noise: mnist(args, setting, noise),
                )
            )
    for key, title, run in settings:
        document["results"][key] = run()
        _table(title, document["results"][key])
        write_json(out, document)  # after every setting: a long run keeps its part
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
