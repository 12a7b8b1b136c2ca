"""Train the denoisers that ship inside skdae (``skdae.pretrained``).

``python -m benchmarks train-pretrained NAME [options]`` trains one shipped model
from the data in ``../shared/data`` (never from a test set):

- ``gray``: a blind grayscale Gaussian denoiser (sigma uniform in 0-55 on the
  0-255 scale, unclipped) on random patches of the 400 Train400 images;
- ``color``: the same for RGB images, on the 29 LIVE1 images and scikit-image's
  bundled colour photographs (astronaut, coffee, chelsea, rocket);
- ``mnist``: the reference recipe (clipped Gaussian noise 0.5, 20 epochs,
  batches of 20, Adam 1e-3) on the MNIST training images.

The photograph models train one ``partial_fit`` epoch at a time until
``--minutes`` of training (or ``--epochs``) is reached (``--epochs N
--lr-drop-epoch K`` puts the schedule in epochs, so that a recorded run is
repeated on any machine: the model cards give that command), save a checkpoint after
every epoch and continue from it with ``--resume`` (the learning-rate schedule
follows the training time, so a resumed run continues the same schedule). A
record of the run (seed, recipe, versions, device, time, per-epoch losses) is
written as JSON beside the output model, which is saved as it ships: float16
weights without the optimizer state.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.architectures import ResidualUNet
from skdae.datasets import load_images, load_mnist

from .harness import DEFAULT_DATA_HOME, RESULTS_DIR, log, machine, now, versions

#: The recipe of the shipped photograph models (gray and color alike): the
#: estimator's parameters and the training schedule. ``sigma`` is on the 0-255
#: scale.
PHOTOGRAPH_RECIPE = {
    "architecture": {"depth": 3, "channels": 16, "blocks": 2},
    "patch_size": 64,
    "batch_size": 16,
    "patches_per_epoch": 1600,
    "lr": 5e-4,
    "lr_drop": 0.75,
    "sigma": (0.0, 55.0),
    "minutes": 90.0,
}
RECIPES = {"gray": PHOTOGRAPH_RECIPE, "color": PHOTOGRAPH_RECIPE}

#: scikit-image's bundled colour photographs added to LIVE1 for the colour model.
SKIMAGE_COLOUR = ("astronaut", "coffee", "chelsea", "rocket")


def training_images(name, data_home):
    """The training images of a photograph model, as a list of float arrays."""
    natural = Path(data_home) / "natural"
    if name == "gray":
        return load_images(natural / "train400", as_gray=True), "Train400 (400 images)"
    from skimage import data

    images = load_images(natural / "live1")
    images += [getattr(data, n)() / 255.0 for n in SKIMAGE_COLOUR]
    return images, (f"LIVE1 (29 images) and scikit-image's {', '.join(SKIMAGE_COLOUR)}")


def new_photograph_model(recipe, seed, device, checkpoint):
    low, high = recipe["sigma"]
    return DenoisingAutoencoder(
        noise=GaussianNoise((low / 255, high / 255), clip=False),
        architecture=ResidualUNet(**recipe["architecture"]),
        patch_size=recipe["patch_size"],
        augment=True,
        patches_per_epoch=recipe["patches_per_epoch"],
        batch_size=recipe["batch_size"],
        lr=recipe["lr"],
        checkpoint_path=checkpoint,
        device=device,
        random_state=seed,
    )


def train_photograph_model(args, record):
    recipe = dict(RECIPES[args.name])
    if args.minutes is not None:
        recipe["minutes"] = args.minutes
    images, description = training_images(args.name, args.data_home)
    record.update(recipe=recipe, training_data=description)
    log(f"{args.name}: {len(images)} training images ({description})")
    checkpoint = Path(args.checkpoint or RESULTS_DIR / f"pretrained-{args.name}.skdae")
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    if args.resume and checkpoint.exists():
        model = DenoisingAutoencoder.load(checkpoint, device=args.device)
        seconds = float(sum(model.history_[:, "dur"]))
        log(f"resumed from {checkpoint} after {model.n_iter_} epochs, {seconds:.0f} s")
    else:
        model = new_photograph_model(recipe, args.seed, args.device, checkpoint)
        seconds = 0.0
    model.set_params(checkpoint_path=checkpoint)
    budget = recipe["minutes"] * 60 if args.lr_drop_epoch is None else float("inf")
    while seconds < budget and getattr(model, "n_iter_", 0) < args.epochs:
        # the last quarter of the budget at a tenth of the learning rate; with
        # --lr-drop-epoch, from that epoch on (a schedule in epochs, the same
        # on any machine, for reproducing a run)
        epoch = getattr(model, "n_iter_", 0) + 1
        if args.lr_drop_epoch is None:
            drop = seconds >= recipe["lr_drop"] * budget
        else:
            drop = epoch >= args.lr_drop_epoch
        lr = recipe["lr"] / 10 if drop else recipe["lr"]
        if lr != model.lr:
            model.set_params(lr=lr)
            log(f"learning rate {lr:g} from epoch {epoch}")
            record["lr_drop_epoch"] = epoch
        start = time.perf_counter()
        model.partial_fit(images)
        seconds += time.perf_counter() - start
        log(
            f"epoch {model.n_iter_}: loss {model.history_[-1, 'train_loss']:.4g}, "
            f"{seconds / 60:.1f} min"
        )
    return model, seconds


def train_mnist_model(args, record):
    X, _ = load_mnist(data_home=args.data_home, return_X_y=True)
    record.update(
        recipe={
            "architecture": "reference",
            "noise": "GaussianNoise(0.5), clipped",
            "max_epochs": 20,
            "batch_size": 20,
            "lr": 1e-3,
        },
        training_data=f"MNIST training images ({len(X)})",
    )
    log(f"mnist: {len(X)} training images")
    model = DenoisingAutoencoder(
        noise=GaussianNoise(0.5),
        device=args.device,
        random_state=args.seed,
        verbose=0,
    )
    start = time.perf_counter()
    model.fit(X)
    return model, time.perf_counter() - start


def save_shipped(model, output):
    """Save as shipped: float16 weights, no optimizer state (a sixth of the size).

    Fine-tuning a shipped model starts a fresh Adam from its weights.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    model.save(output, weights_dtype="float16", include_optimizer=False)
    return "float16"


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m benchmarks train-pretrained",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument("name", choices=["gray", "color", "mnist"])
    p.add_argument("--data-home", default=str(DEFAULT_DATA_HOME))
    p.add_argument(
        "--minutes", type=float, default=None, help="training budget (photographs)"
    )
    p.add_argument(
        "--epochs", type=int, default=10**6, help="epoch limit (photographs)"
    )
    p.add_argument(
        "--lr-drop-epoch",
        type=int,
        default=None,
        help="divide the learning rate by 10 from this epoch on, in place of the "
        "time schedule (with --epochs: the same run on any machine)",
    )
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--checkpoint", default=None, help="checkpoint file (photographs)")
    p.add_argument("--resume", action="store_true")
    p.add_argument(
        "--output", default=None, help="model file (default: results/NAME.skdae)"
    )
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    output = Path(args.output or RESULTS_DIR / f"{args.name}.skdae")
    record = {
        "model": args.name,
        "started": now().isoformat(),
        "seed": args.seed,
        "device": args.device,
        "threads": torch.get_num_threads(),
        "command": "python -m benchmarks train-pretrained "
        + " ".join(argv if argv is not None else __import__("sys").argv[2:]),
    }
    if args.name == "mnist":
        model, seconds = train_mnist_model(args, record)
    else:
        model, seconds = train_photograph_model(args, record)
    weights = save_shipped(model, output)
    record.update(
        finished=now().isoformat(),
        train_seconds=seconds,
        epochs=int(model.n_iter_),
        parameters=int(sum(p.numel() for p in model.net_.module_.parameters())),
        weights_dtype=weights,
        losses=[float(v) for v in np.asarray(model.history_[:, "train_loss"])],
        machine=machine(),
        versions=versions(["skdae", "torch", "skorch", "scikit-learn", "numpy"]),
    )
    record_path = output.with_suffix(".training.json")
    record_path.write_text(json.dumps(record, indent=1) + "\n")
    log(f"wrote {output} ({weights} weights, {output.stat().st_size / 1e6:.2f} MB)")
    log(f"wrote {record_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
