"""Grayscale photographs: a denoiser trained on Train400 patches against classical
denoisers on Set12, under the standard Gaussian-denoising protocol.

``python -m benchmarks natural [options]`` trains
``DenoisingAutoencoder(patch_size=...)`` on the 400 Train400 images with
unclipped Gaussian noise of ``--train-sigma`` (on the 0-255 scale), one epoch per
``partial_fit`` call until ``--epochs`` or the ``--minutes`` budget is reached
(checkpointing each epoch, so a stopped run resumes with ``--resume``), then
scores it on Set12 at each of ``--sigmas`` with, in the same run, the noisy
input, scikit-image's non-local means and, when the ``bm3d`` package is
installed, BM3D.

The protocol (``../shared/data/natural/README.md``): clean images are the 8-bit
PNGs / 255; noisy images add ``sigma / 255 * N(0, 1)``, not clipped, with the
image's index in sorted file order as the seed; PSNR is computed on the 8-bit
rounded images, ``round(clip(x, 0, 1) * 255)``, without border crop, per image
and then averaged over the set. SSIM is computed on the same 8-bit images.
"""

import argparse
import time
from pathlib import Path

import numpy as np
from skimage.metrics import structural_similarity
from skimage.restoration import denoise_nl_means

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.architectures import ARCHITECTURES
from skdae.datasets import load_images

from .harness import (
    DEFAULT_DATA_HOME,
    RESULTS_DIR,
    log,
    machine,
    now,
    print_table,
    versions,
    write_json,
)


# ------------------------------------------------------------------ protocol
def add_noise(clean, sigma, seed):
    """``clean + sigma/255 * N(0, 1)`` (float32, not clipped), seeded per image."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(clean.shape)
    return (clean + sigma / 255 * noise).astype(np.float32)


def to_8bit(image):
    """The image as the protocol scores it: ``round(clip(x, 0, 1) * 255)``."""
    return np.round(np.clip(image, 0, 1) * 255)


def psnr_8bit(clean, estimate):
    """PSNR (dB) of two images on the 8-bit scale, per the protocol."""
    mse = np.mean((to_8bit(clean) - to_8bit(estimate)) ** 2)
    return float(10 * np.log10(255**2 / mse))


def ssim_8bit(clean, estimate, channel_axis=None):
    """SSIM of the 8-bit rounded images (data range 255); colour: ``channel_axis=-1``."""
    return float(
        structural_similarity(
            to_8bit(clean),
            to_8bit(estimate),
            data_range=255,
            channel_axis=channel_axis,
        )
    )


def nl_means(noisy, sigma, channel_axis=None):
    """scikit-image NL-means as the data's README measured it (known sigma).

    Colour images (``channel_axis=-1``) get the gray settings.
    """
    s = sigma / 255
    return denoise_nl_means(
        noisy,
        h=0.8 * s,
        sigma=s,
        patch_size=5,
        patch_distance=6,
        fast_mode=True,
        channel_axis=channel_axis,
    )


def bm3d_or_none():
    """The ``bm3d`` package's denoiser, or None where it is not installed."""
    try:
        import bm3d
    except ImportError:
        return None
    return lambda noisy, sigma: bm3d.bm3d(noisy, sigma_psd=sigma / 255)


# ------------------------------------------------------------------ training
def train(args, images):
    """Train (or resume) the model one epoch at a time; return it and the seconds."""
    checkpoint = Path(args.checkpoint)
    if args.resume and checkpoint.exists():
        model = DenoisingAutoencoder.load(checkpoint, device=args.device)
        log(f"resumed from {checkpoint} after {model.n_iter_} epochs")
        seconds = float(sum(model.history_[:, "dur"]))
    else:
        model = DenoisingAutoencoder(
            noise=GaussianNoise(args.train_sigma / 255, clip=False),
            architecture=ARCHITECTURES[args.architecture](
                depth=args.depth, channels=args.channels
            ),
            patch_size=args.patch_size,
            augment=True,
            patches_per_epoch=args.patches_per_epoch,
            batch_size=args.batch_size,
            lr=args.lr,
            checkpoint_path=checkpoint,
            device=args.device,
            random_state=args.seed,
        )
        seconds = 0.0
    model.set_params(checkpoint_path=checkpoint)
    budget = args.minutes * 60
    while getattr(model, "n_iter_", 0) < args.epochs and seconds < budget:
        if seconds >= args.lr_drop * budget and model.lr != args.lr / 10:
            # the last part of the budget at a tenth of the learning rate:
            # Adam's steps at 1e-3 leave the PSNR swinging by +-0.5 dB per epoch
            model.set_params(lr=args.lr / 10)
            log(f"learning rate {model.lr:g} from epoch {model.n_iter_ + 1}")
        start = time.perf_counter()
        model.partial_fit(images)
        seconds += time.perf_counter() - start
        log(
            f"epoch {model.n_iter_}: loss {model.history_[-1, 'train_loss']:.3g}, "
            f"{seconds / 60:.1f} min"
        )
    return model, seconds


# ---------------------------------------------------------------- evaluation
def evaluate(methods, clean, sigmas):
    """PSNR and SSIM of each method at each sigma, averaged over the images."""
    results = {}
    for sigma in sigmas:
        key = f"{sigma:g}"
        noisy = [add_noise(x, sigma, i) for i, x in enumerate(clean)]
        for name, denoise in methods.items():
            start = time.perf_counter()
            estimates = [denoise(y, sigma) for y in noisy]
            seconds = time.perf_counter() - start
            results.setdefault(name, {})[key] = {
                "psnr": float(
                    np.mean([psnr_8bit(x, e) for x, e in zip(clean, estimates)])
                ),
                "ssim": float(
                    np.mean([ssim_8bit(x, e) for x, e in zip(clean, estimates)])
                ),
                "seconds": seconds,
                "seconds_per_megapixel": seconds / (sum(x.size for x in clean) / 1e6),
            }
            log(f"sigma {sigma:g}: {name} {results[name][key]['psnr']:.2f} dB")
    return results


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m benchmarks natural", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--data-home", default=str(DEFAULT_DATA_HOME))
    p.add_argument("--architecture", default="residual", choices=["residual", "unet"])
    p.add_argument("--depth", type=int, default=8)
    p.add_argument("--channels", type=int, default=32)
    p.add_argument("--patch-size", type=int, default=40)
    p.add_argument("--patches-per-epoch", type=int, default=4000)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--epochs", type=int, default=1000)
    p.add_argument(
        "--lr-drop",
        type=float,
        default=0.6,
        help="fraction of the budget after which the learning rate is divided by 10",
    )
    p.add_argument("--minutes", type=float, default=20.0, help="training budget")
    p.add_argument("--train-sigma", type=float, default=25.0, help="0-255 scale")
    p.add_argument("--sigmas", default="15,25,50", help="test levels, 0-255 scale")
    p.add_argument("--device", default="cpu")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--checkpoint", default=str(RESULTS_DIR / "natural-gray.skdae"))
    p.add_argument("--resume", action="store_true")
    p.add_argument("--without-bm3d", action="store_true")
    p.add_argument("--output", default=None, help="JSON file")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    natural = Path(args.data_home) / "natural"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    train_images = load_images(natural / "train400", as_gray=True)
    clean = load_images(natural / "set12", as_gray=True)
    sigmas = [float(s) for s in args.sigmas.split(",")]
    log(f"{len(train_images)} training images, {len(clean)} test images")

    model, train_seconds = train(args, train_images)

    methods = {
        "noisy": lambda y, sigma: y,
        "NL-means": nl_means,
        f"skdae {args.architecture} (sigma {args.train_sigma:g})": (
            lambda y, sigma: model.transform([y])[0]
        ),
    }
    bm3d = None if args.without_bm3d else bm3d_or_none()
    if bm3d is not None:
        methods["BM3D"] = bm3d
    results = evaluate(methods, clean, sigmas)

    header = ["method", *[f"sigma {s:g}" for s in sigmas]]
    rows = [
        [
            name,
            *[f"{r[f'{s:g}']['psnr']:.2f} / {r[f'{s:g}']['ssim']:.3f}" for s in sigmas],
        ]
        for name, r in results.items()
    ]
    print_table("Set12, PSNR (dB) / SSIM, 8-bit protocol", header, rows)
    document = {
        "benchmark": "natural-images-gray",
        "date": now().isoformat(),
        "settings": {k: v for k, v in vars(args).items()},
        "model": {
            "epochs": int(model.n_iter_),
            "train_seconds": train_seconds,
            "params": {k: repr(v) for k, v in model.get_params(deep=False).items()},
        },
        "results": results,
        "machine": machine(),
        "versions": versions(["skdae", "torch", "scikit-image", "numpy"]),
    }
    out = args.output or RESULTS_DIR / f"natural-gray-{now():%Y-%m-%d}.json"
    write_json(out, document)
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
