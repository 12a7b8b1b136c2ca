"""The denoisers shipped in ``skdae.pretrained`` against classical denoisers.

``python -m benchmarks pretrained [options]`` evaluates the SHIPPED models (the
files inside the package, as ``skdae.pretrained.load`` reads them) under the
standard Gaussian-denoising protocol of ``../shared/data/natural/README.md``,
with the classical denoisers in the same run:

- ``set12``: Set12 at ``--sigmas`` (default 15, 25, 50): the noisy input,
  scikit-image's NL-means (known sigma), BM3D (``bm3d.bm3d``, known sigma) and
  the shipped ``gray`` model;
- ``kodak24``: Kodak24 at the same sigmas: noisy, colour NL-means
  (``channel_axis=-1``), CBM3D (``bm3d.bm3d_rgb``, known sigma) and the shipped
  ``color`` model; PSNR over all three channels;
- ``mnist``: the shipped ``mnist`` model on the MNIST test set with clipped
  Gaussian noise of sigma 0.5, measured as ``skdae demo`` measures it (noise
  ``GaussianNoise(0.5, random_state=1)``, :func:`skdae.metrics.psnr` and
  :func:`skdae.metrics.ssim` over the test images).

The protocol: clean images are the 8-bit PNGs / 255; noisy images add
``sigma / 255 * N(0, 1)``, not clipped, seeded with the image's index in sorted
file order; PSNR and SSIM are computed on the 8-bit rounded images, per image,
then averaged. Every method's time is given in seconds per megapixel (of the
images denoised, on the machine and ``--device`` of the run; BM3D and NL-means
always run on the CPU). BM3D needs the ``bm3d`` package (``pip install
"skdae[bench]"``; non-commercial licence, never a dependency of skdae); without
it, its rows are left out with a note.

``--update-cards`` writes the tables into the model cards of the shipped
models (``skdae/pretrained/models/NAME.json``, read by the documentation and
``skdae.pretrained``), together with the facts read from each model file
(architecture, parameters, seed, weights dtype) and, when a training record
``NAME.training.json`` (written by ``python -m benchmarks train-pretrained``)
lies beside the model file, its device, training time, data, recipe and
command.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from joblib import Parallel, delayed

from skdae import GaussianNoise, pretrained
from skdae.architectures import resolve_architecture
from skdae.datasets import load_images, load_mnist
from skdae.metrics import psnr, ssim

from .harness import (
    DEFAULT_DATA_HOME,
    RESULTS_DIR,
    ROOT,
    log,
    machine,
    now,
    print_table,
    versions,
    write_json,
)
from .natural_images import (
    add_noise,
    bm3d_or_none,
    nl_means,
    psnr_8bit,
    ssim_8bit,
)

#: set name -> (folder under natural/, shipped model, colour)
PHOTO_SETS = {"set12": ("set12", "gray", False), "kodak24": ("kodak24", "color", True)}
SETS = (*PHOTO_SETS, "mnist")
#: the card each set's table goes into
CARD_OF_SET = {"set12": "gray", "kodak24": "color", "mnist": "mnist"}
CARDS = ROOT / "skdae" / "pretrained" / "models"


# ------------------------------------------------------------------ methods
def colour_nl_means(noisy, sigma):
    """scikit-image NL-means on RGB images, with the gray settings (known sigma)."""
    return nl_means(noisy, sigma, channel_axis=-1)


def cbm3d_or_none():
    """The ``bm3d`` package's colour denoiser (CBM3D), or None without it."""
    try:
        import bm3d
    except ImportError:
        return None
    return lambda noisy, sigma: bm3d.bm3d_rgb(noisy, sigma_psd=sigma / 255)


def shipped_denoiser(model):
    """Denoise one image with a shipped model (a batch of one, as a user would)."""
    return lambda noisy, sigma: model.transform(noisy[np.newaxis])[0]


def photo_methods(set_name, model, with_bm3d):
    colour = PHOTO_SETS[set_name][2]
    methods = {
        "noisy": lambda y, sigma: y,
        "NL-means": colour_nl_means if colour else nl_means,
    }
    if with_bm3d:
        bm3d = cbm3d_or_none() if colour else bm3d_or_none()
        if bm3d is None:
            log("the bm3d package is not installed: no (C)BM3D rows")
        else:
            methods["CBM3D" if colour else "BM3D"] = bm3d
    methods[f"skdae {PHOTO_SETS[set_name][1]} (shipped)"] = shipped_denoiser(model)
    return methods


# --------------------------------------------------------------- evaluation
def _timed(denoise, noisy, sigma, device):
    """One image denoised, with its wall-clock and CPU seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    estimate = denoise(noisy, sigma)
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)
    return estimate, time.perf_counter() - start, time.process_time() - cpu


def evaluate_photographs(set_name, methods, clean, sigmas, device, jobs=1):
    """PSNR, SSIM and seconds per megapixel of each method at each sigma.

    With ``jobs > 1`` the classical methods denoise the images in that many
    worker processes (each image's time is measured in its worker, so the
    seconds per megapixel stay those of one core); the shipped model runs in
    this process with its own threads.
    """
    colour = PHOTO_SETS[set_name][2]
    megapixels = sum(x.shape[0] * x.shape[1] for x in clean) / 1e6
    results = {}
    for sigma in sigmas:
        key = f"{sigma:g}"
        noisy = [add_noise(x, sigma, i) for i, x in enumerate(clean)]
        for name, denoise in methods.items():
            wall = time.perf_counter()
            if jobs > 1 and not name.startswith(("skdae", "noisy")):
                timed = Parallel(n_jobs=jobs)(
                    delayed(_timed)(denoise, y, sigma, "cpu") for y in noisy
                )
            else:
                timed = [_timed(denoise, y, sigma, device) for y in noisy]
            wall = time.perf_counter() - wall
            estimates = [t[0] for t in timed]
            seconds = sum(t[1] for t in timed)
            cpu = sum(t[2] for t in timed)
            results.setdefault(name, {})[key] = {
                "psnr": float(
                    np.mean([psnr_8bit(x, e) for x, e in zip(clean, estimates)])
                ),
                "ssim": float(
                    np.mean(
                        [
                            ssim_8bit(x, e, -1 if colour else None)
                            for x, e in zip(clean, estimates)
                        ]
                    )
                ),
                "seconds": seconds,
                "wall_seconds": wall,
                "seconds_per_image": seconds / len(clean),
                "seconds_per_megapixel": seconds / megapixels,
                # CPU time of the process that denoised: on a shared machine,
                # less noisy than the wall clock (the s/MP of the tables)
                "cpu_seconds_per_megapixel": cpu / megapixels,
            }
            log(
                f"{set_name} sigma {sigma:g}: {name} "
                f"{results[name][key]['psnr']:.2f} dB, "
                f"{seconds / megapixels:.2f} s/MP"
            )
    return results


def evaluate_mnist(model, X_test):
    """The shipped mnist model as ``skdae demo`` measures it (seed 1 noise)."""
    noisy = GaussianNoise(0.5, random_state=1).fit_transform(X_test)
    start = time.perf_counter()
    denoised = model.transform(noisy)
    seconds = time.perf_counter() - start
    megapixels = X_test.size / 1e6
    row = {"psnr": float(psnr(X_test, noisy)), "ssim": float(ssim(X_test, noisy))}
    results = {
        "noisy": {"0.5": row | {"seconds_per_megapixel": 0.0}},
        "skdae mnist (shipped)": {
            "0.5": {
                "psnr": float(psnr(X_test, denoised)),
                "ssim": float(ssim(X_test, denoised)),
                "seconds": seconds,
                "seconds_per_megapixel": seconds / megapixels,
            }
        },
    }
    log(f"mnist: {results['skdae mnist (shipped)']['0.5']['psnr']:.2f} dB")
    return results


def table(results, keys, label):
    """Header and rows: PSNR / SSIM per level, and the median s/MP."""
    header = ["method", *[f"{label} {k}" for k in keys], "s/MP"]
    rows = []
    for name, by_key in results.items():
        seconds = np.median([by_key[k]["seconds_per_megapixel"] for k in keys])
        rows.append(
            [
                name,
                *[f"{by_key[k]['psnr']:.2f} / {by_key[k]['ssim']:.3f}" for k in keys],
                "-" if name == "noisy" else f"{seconds:.2f}",
            ]
        )
    return header, rows


# ---------------------------------------------------------------- the cards
def _duration(seconds):
    minutes = round(seconds / 60)
    if minutes < 1:
        return f"{seconds:.0f} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _recipe_text(recipe):
    """A training record's recipe in words: ``key: value; ...``."""
    parts = []
    for key, value in recipe.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list) and len(value) == 2:
            value = f"{value[0]:g} to {value[1]:g}"
        elif isinstance(value, float):
            value = f"{value:g}"
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts)


def _reproduce(name, record):
    """The command that trains the model again into its place in the package."""
    words = ["python -m benchmarks train-pretrained", name]
    minutes = record.get("recipe", {}).get("minutes")
    if record.get("lr_drop_epoch") is not None:
        # the schedule in epochs: the same run on any machine
        words.append(f"--epochs {record['epochs']}")
        words.append(f"--lr-drop-epoch {record['lr_drop_epoch']}")
    elif minutes is not None:
        words.append(f"--minutes {minutes:g}")
    if record.get("device", "cpu") != "cpu":
        words.append(f"--device {record['device']}")
    if record.get("seed", 0) != 0:
        words.append(f"--seed {record['seed']}")
    return " ".join([*words, f"--output skdae/pretrained/models/{name}.skdae"])


def card_facts(name):
    """What the model file and its training record (if any) say about a model.

    The record is ``NAME.training.json`` beside the model file, as
    ``python -m benchmarks train-pretrained --output .../NAME.skdae`` writes it
    (it is not shipped in the package).
    """
    model = pretrained.load(name)
    payload = torch.load(
        CARDS / f"{name}.skdae", map_location="cpu", weights_only=True, mmap=True
    )
    facts = {
        "architecture": repr(resolve_architecture(model.architecture)),
        "parameters": int(sum(p.numel() for p in model.net_.module_.parameters())),
        "weights_dtype": payload.get("weights_dtype", "float32"),
        "seed": int(model.random_state),
    }
    record_path = CARDS / f"{name}.training.json"
    if record_path.exists():
        record = json.loads(record_path.read_text())
        where = record.get("machine", {})
        device = record.get("device", "cpu")
        hardware = (
            where.get("cuda_device") if device.startswith("cuda") else None
        ) or where.get("cpu_model")
        threads = record.get("threads")
        threads = (
            f", {_plural(threads, 'thread')}" if device == "cpu" and threads else ""
        )
        facts |= {
            "device": f"{device} ({hardware}{threads})",
            "training_time": f"{_duration(record['train_seconds'])}, "
            f"{_plural(record['epochs'], 'epoch')}",
            "training_data": record["training_data"],
            "recipe": _recipe_text(record["recipe"]),
            "seed": int(record["seed"]),
            "reproduce": _reproduce(name, record),
        }
    return facts


def update_facts(names):
    """Write the model files' facts into the cards, keeping their tables."""
    for name in names:
        path = CARDS / f"{name}.json"
        card = json.loads(path.read_text()) | card_facts(name)
        path.write_text(json.dumps(card, indent=1) + "\n")
        log(f"updated the facts of the model card {path}")


def update_cards(tables, source, command):
    """Write the tables and the model files' facts into the model cards."""
    for set_name, (title, header, rows) in tables.items():
        name = CARD_OF_SET[set_name]
        path = CARDS / f"{name}.json"
        card = json.loads(path.read_text())
        card |= card_facts(name)
        card["benchmark"] = {
            "title": title,
            "header": header,
            "rows": rows,
            "command": command,
            "source": source,
        }
        path.write_text(json.dumps(card, indent=1) + "\n")
        log(f"updated the model card {path}")


# ---------------------------------------------------------------------- main
def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m benchmarks pretrained", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--data-home", default=str(DEFAULT_DATA_HOME))
    p.add_argument(
        "--sets",
        default=",".join(SETS),
        help=f"comma-separated, from {', '.join(SETS)}",
    )
    p.add_argument("--sigmas", default="15,25,50", help="0-255 scale (photographs)")
    p.add_argument(
        "--max-images",
        type=int,
        default=None,
        help="only the first N images of each set (a quick check)",
    )
    p.add_argument("--device", default="cpu", help="device of the shipped models")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="worker processes for the classical denoisers (one image each)",
    )
    p.add_argument("--without-bm3d", action="store_true")
    p.add_argument(
        "--update-cards",
        action="store_true",
        help="write the tables into the shipped models' cards (full runs only)",
    )
    p.add_argument(
        "--cards-only",
        action="store_true",
        help="only write the model files' facts into the cards (after replacing "
        "a model file), keeping their benchmark tables; no benchmark is run",
    )
    p.add_argument("--output", default=None, help="JSON file")
    args = p.parse_args(argv)
    args.sets = args.sets.split(",")
    unknown = set(args.sets) - set(SETS)
    if unknown:
        p.error(f"unknown --sets {sorted(unknown)}; choose from {', '.join(SETS)}")
    if args.update_cards and args.max_images is not None:
        p.error("--update-cards publishes full runs only: drop --max-images")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.cards_only:
        update_facts(pretrained.available())
        return 0
    if args.threads:
        torch.set_num_threads(args.threads)
    sigmas = [float(s) for s in args.sigmas.split(",")]
    natural = Path(args.data_home) / "natural"
    results, tables = {}, {}
    for set_name in args.sets:
        if set_name == "mnist":
            X_test, _ = load_mnist(
                subset="test", data_home=args.data_home, return_X_y=True
            )
            X_test = X_test[: args.max_images]
            model = pretrained.load("mnist", device=args.device)
            results[set_name] = evaluate_mnist(model, X_test)
            title = (
                f"MNIST test set ({len(X_test)} images), clipped Gaussian noise "
                "sigma 0.5: PSNR (dB) / SSIM"
            )
            header, rows = table(results[set_name], ["0.5"], "sigma")
        else:
            folder, model_name, colour = PHOTO_SETS[set_name]
            clean = load_images(natural / folder, as_gray=not colour)
            clean = clean[: args.max_images]
            log(f"{set_name}: {len(clean)} images")
            model = pretrained.load(model_name, device=args.device)
            methods = photo_methods(set_name, model, not args.without_bm3d)
            results[set_name] = evaluate_photographs(
                set_name, methods, clean, sigmas, args.device, args.jobs
            )
            title = (
                f"{folder.capitalize()} ({len(clean)} images), PSNR (dB) / SSIM, "
                "8-bit protocol"
            )
            header, rows = table(results[set_name], [f"{s:g}" for s in sigmas], "σ")
        tables[set_name] = (title, header, rows)
        print_table(title, header, rows)

    out = Path(args.output or RESULTS_DIR / f"pretrained-{now():%Y-%m-%d}.json")
    document = {
        "benchmark": "pretrained",
        "date": now().isoformat(),
        "settings": vars(args),
        "models": {n: pretrained.model_card(n) for n in pretrained.available()},
        "results": results,
        "machine": machine(),
        "versions": versions(["skdae", "torch", "scikit-image", "numpy", "bm3d"]),
    }
    write_json(out, document)
    log(f"wrote {out}")
    if args.update_cards:
        try:
            source = str(out.resolve().relative_to(ROOT))
        except ValueError:
            source = str(out)
        words = sys.argv[1:] if argv is None else ["pretrained", *argv]
        update_cards(tables, source, "python -m benchmarks " + " ".join(words))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
