"""Denoising quality of skdae on MNIST, against classical denoisers and itself.

Experiments (``--only``, comma-separated; default all), each in its module:

* ``classical`` (:mod:`benchmarks.classical_comparison`): the reference
  network against median, Gaussian blur, total variation, non-local means,
  wavelets, PCA and BM3D on six Gaussian and salt-and-pepper settings;
* ``arch-gauss-0.5``, ``arch-sp-0.2``, ``arch-gauss-25``
  (:mod:`benchmarks.architectures`): reference, residual and U-Net;
* ``blind`` (:mod:`benchmarks.blind_models`): one model for sigma in [0.1,
  0.5] against per-level models;
* ``speckle``, ``poisson``, ``masking`` (:mod:`benchmarks.noise_models`).

Every result is on the MNIST test images with test noise drawn with a fixed
seed; classical denoisers are tuned on a held-out slice of *training* images.

Usage::

    python -m benchmarks quality --quick      # ~10-15 min on 2 CPU cores
    python -m benchmarks quality --full       # ~4 h on 2 CPU cores
    python -m benchmarks quality --full --only arch-gauss-0.5
    python -m benchmarks quality --quick --threads 1   # machine shared with others
    python -m benchmarks quality --full --only blind --blind-arch unet \\
        --blind-losses mse,psnr
    python -m benchmarks quality --full --only speckle,poisson,masking \\
        --noise-model-archs residual
    python -m benchmarks quality --quick --output results.json --markdown out.md

``--quick`` and ``--full`` run the same code with different settings (see
``SETTINGS``); every setting can be overridden on the command line. Results are
printed as Markdown tables and written as JSON (default
``benchmarks/results/quality-<mode>-<date>.json``) after every experiment, so
an interrupted run keeps what it finished.

Needs, besides skdae: scipy, scikit-image, PyWavelets (wavelet denoiser) and
optionally bm3d (the BM3D rows are skipped with a note when it is missing).
"""

import argparse
import datetime
import time
import warnings
from pathlib import Path

import torch

from skdae.losses import LOSSES

from . import architectures, blind_models, classical_comparison, noise_models
from .harness import RESULTS_DIR, default_data_home, log
from .quality_report import QualityReport
from .quality_run import ARCHITECTURES, QualityRun

SETTINGS = {
    "quick": {
        "n_train": 5000,  # first images of the training set, reference network
        "arch_n_train": 1000,  # first images, residual / unet (similar train time)
        "n_test": 1000,  # first test images
        "n_tune": 200,  # last training images, tuning of classical denoisers
        "reference_epochs": 1,
        "arch_epochs": 1,
        "batch_size": 20,
        "lr": 1e-3,
        "bm3d_test": 50,  # BM3D (~0.3 s per image) runs on the first test images
        "bm3d_tune": 10,
        "n_jobs": 1,  # processes for BM3D only
        "threads": None,  # torch threads; None: torch's default
        "seed": 0,  # DAE training
        "test_noise_seed": 12345,
        "tune_noise_seed": 54321,
    },
    "full": {
        "n_train": None,  # all training images
        "arch_n_train": None,
        "n_test": None,  # all 10,000
        "n_tune": 200,
        "reference_epochs": 20,  # the reference recipe
        "arch_epochs": 4,  # about the wall time of 20 reference epochs on a CPU
        "batch_size": 20,
        "lr": 1e-3,
        "bm3d_test": 1000,
        "bm3d_tune": 50,
        "n_jobs": 1,
        "threads": None,
        "seed": 0,
        "test_noise_seed": 12345,
        "tune_noise_seed": 54321,
    },
}

#: experiment name -> function(run, report), in the order of a full run
EXPERIMENTS = {
    **classical_comparison.EXPERIMENTS,
    **architectures.EXPERIMENTS,
    **blind_models.EXPERIMENTS,
    **noise_models.EXPERIMENTS,
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks quality", description=__doc__.split("\n\n")[0]
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--quick", action="store_true", help="small, ~10-15 min")
    mode.add_argument("--full", action="store_true", help="the full benchmark")
    parser.add_argument("--output", type=Path, help="JSON file to write")
    parser.add_argument("--markdown", help="also write the tables to this file")
    parser.add_argument(
        "--only", help=f"comma-separated experiments among {', '.join(EXPERIMENTS)}"
    )
    parser.add_argument(
        "--data-home",
        default=default_data_home(),
        help="folder holding mnist/ (default: ../shared/data beside the repository, "
        "else skdae's search path)",
    )
    parser.add_argument(
        "--without-bm3d",
        action="store_true",
        help="leave BM3D out (about 0.3-1 s per image and parameter on a CPU)",
    )
    parser.add_argument(
        "--best-arch",
        choices=ARCHITECTURES,
        help="architecture for the speckle/Poisson/masking rows "
        "(default: the best at Gaussian 0.5, else residual)",
    )
    parser.add_argument(
        "--noise-model-archs",
        help="comma-separated architectures for the speckle/Poisson/masking rows "
        "(default: reference and --best-arch)",
    )
    parser.add_argument(
        "--blind-losses",
        default="mse",
        help="comma-separated losses (mse, psnr) of the blind experiment: each "
        "trains a blind model and per-level models; the goal uses the blind model "
        "of the last one (default: mse)",
    )
    parser.add_argument(
        "--blind-epochs",
        type=int,
        help="epochs of the blind models (default: those of their architecture); "
        "3x gives a blind model the training of the three per-level models it "
        "replaces",
    )
    parser.add_argument(
        "--blind-arch",
        choices=ARCHITECTURES,
        help="architecture of the blind experiment's models (default: reference)",
    )
    for name in SETTINGS["quick"]:
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=float if name == "lr" else int,
            help=f"override (quick {SETTINGS['quick'][name]}, "
            f"full {SETTINGS['full'][name]})",
        )
    return parser.parse_args(argv)


def comma_list(text, known, what):
    """The comma-separated items of ``text``; exits naming those not in ``known``."""
    items = [x.strip() for x in (text or "").split(",") if x.strip()]
    unknown = set(items) - set(known)
    if unknown:
        raise SystemExit(f"unknown {what} {sorted(unknown)}; know {list(known)}")
    return items


def main(argv=None):
    args = parse_args(argv)
    mode = "quick" if args.quick else "full"
    settings = dict(SETTINGS[mode])
    for name in SETTINGS[mode]:
        value = getattr(args, name)
        if value is not None:
            settings[name] = value
    if settings["threads"]:
        # on a machine shared with other jobs, 1 thread is often much faster
        torch.set_num_threads(settings["threads"])
    settings["data_home"] = args.data_home
    settings["bm3d"] = not args.without_bm3d
    settings["best_arch"] = args.best_arch
    settings["blind_arch"] = args.blind_arch
    settings["blind_epochs"] = args.blind_epochs
    settings["noise_model_archs"] = comma_list(
        args.noise_model_archs, ARCHITECTURES, "architecture(s)"
    )
    settings["blind_losses"] = comma_list(args.blind_losses, LOSSES, "loss(es)")
    if not settings["blind_losses"]:
        raise SystemExit("--blind-losses: give at least one loss")
    experiments = comma_list(args.only, EXPERIMENTS, "experiment(s)") or list(
        EXPERIMENTS
    )
    output = args.output or RESULTS_DIR / (
        f"quality-{mode}-{datetime.date.today().isoformat()}.json"
    )
    warnings.filterwarnings("ignore", message=".*outside.*range.*")
    log(f"mode {mode}, settings {settings}")
    run = QualityRun(settings)
    log(f"data: {run.data_info}")
    report = QualityReport(run, mode=mode, output=output, markdown=args.markdown)
    for name in experiments:
        log(f"=== {name}")
        start = time.perf_counter()
        EXPERIMENTS[name](run, report)
        log(f"=== {name} done in {time.perf_counter() - start:.0f} s")
        report.save()
    report.save(complete=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
