"""Speed and memory of skdae against a plain PyTorch loop.

Sections (``--sections``, comma-separated; default all):

* ``training``: ``fit`` against the plain loop at batch 20 and 128
  (:mod:`benchmarks.training_speed`);
* ``inference``: ``transform`` against a plain ``inference_mode`` loop
  (:mod:`benchmarks.inference_speed`);
* ``scaling``: time per image from 1k to 60k images (:mod:`benchmarks.scaling`);
* ``memory``: peak memory of ``fit`` and ``transform`` (:mod:`benchmarks.memory`);
* ``flops``: training GFLOP/s against the matmul rate (:mod:`benchmarks.flop_rate`);
* ``cuda``: training, inference, scaling and flops again on the GPU, with a
  bf16-autocast plain loop and skdae without CUDA graphs.

Usage::

    python -m benchmarks speed --quick               # < 5 min on 2 cores
    python -m benchmarks speed --full                # long
    python -m benchmarks speed --quick --threads 1   # machine shared with others
    python -m benchmarks speed --quick --device cuda --sections cuda
    python -m benchmarks speed --quick --sections training,flops

Results are printed as Markdown tables and written as JSON (default
``benchmarks/results/speed-<date>.json``) after every section.
"""

import argparse
import time
from pathlib import Path

import torch

from .flop_rate import matmul_gflops, measure_flop_rate
from .harness import (
    RESULTS_DIR,
    default_data_home,
    load_images,
    machine,
    now,
    print_table,
    versions,
    warn_if_loaded,
    write_json,
)
from .inference_speed import measure_inference
from .loops import skdae_fit
from .memory import measure_memory
from .scaling import measure_scaling
from .training_speed import measure_training

SECTIONS = ("training", "inference", "scaling", "memory", "flops", "cuda")
CUDA_TRAINING_VARIANTS = ("plain", "plain-bf16", "skdae-eager", "skdae")

SETTINGS = {
    "quick": {
        "train_n": 3000,  # MNIST training images per timed fit
        "train_batches": (20, 128),
        "train_repeats": 4,  # measured repeats, after one warm-up of each variant
        "warmup_n": 500,
        "train_variants": ("plain", "plain+CL", "skdae"),
        "infer_repeats": 3,
        "infer_sweep_n": 2000,
        "infer_batches": (128, 256, 512, 1024),
        "infer_plain_512": False,  # plain@512 besides the best plain batch
        "skdae_infer_sweep": False,
        "scaling_fit": (1000, 4000, 16000),
        "scaling_transform": (1000, 4000, 16000, 60000),
        "scaling_repeats": 1,
        "scaling_batch": 128,
        "memory_fit_n": 16000,
        "memory_transform_n": 60000,
        "mm_size": 2048,
        "cuda_train_n": 24000,  # a GPU needs more images per timed fit
    },
    "full": {
        "train_n": 10000,
        "train_batches": (20, 128),
        "train_repeats": 7,
        "warmup_n": 1000,
        "train_variants": ("plain", "plain+CL", "skdae", "skdae-NCHW"),
        "infer_repeats": 7,
        "infer_sweep_n": 10000,
        "infer_batches": (64, 128, 256, 512, 1024, 2048),
        "infer_plain_512": True,
        "skdae_infer_sweep": True,
        "scaling_fit": (1000, 4000, 16000, 60000),
        "scaling_transform": (1000, 4000, 16000, 60000),
        "scaling_repeats": 3,
        "scaling_batch": 128,
        "memory_fit_n": 60000,
        "memory_transform_n": 60000,
        "mm_size": 2048,
        "cuda_train_n": 24000,
    },
}


def run_sections(device, cfg, sections, *, data_home, train_n, variants):
    """The record of one device: training, inference, scaling and flops."""
    record = {}
    matmul_rates = []
    if sections & {"training", "flops"}:
        X = load_images("mnist", "train", data_home=data_home)[:train_n]
        record["training"] = measure_training(
            X,
            batches=cfg["train_batches"],
            variants=list(variants),
            repeats=cfg["train_repeats"],
            warmup_n=cfg["warmup_n"],
            device=device,
            after_round=lambda: matmul_rates.append(
                matmul_gflops(device, cfg["mm_size"])
            ),
        )
    if "inference" in sections:
        X = load_images("mnist", "train", data_home=data_home)[:1000]
        dae = skdae_fit(X, 128, device)
        record["inference"] = measure_inference(
            dae,
            load_images("mnist", "test", data_home=data_home),
            device=device,
            repeats=cfg["infer_repeats"],
            sweep_n=cfg["infer_sweep_n"],
            batches=cfg["infer_batches"],
            plain_512=cfg["infer_plain_512"],
            skdae_sweep=cfg["skdae_infer_sweep"],
            amp_variant=device == "cuda",
        )
    if "scaling" in sections:
        record["scaling"] = measure_scaling(
            load_images("fashion-mnist", "train", data_home=data_home),
            fit_sizes=cfg["scaling_fit"],
            transform_sizes=cfg["scaling_transform"],
            repeats=cfg["scaling_repeats"],
            batch=cfg["scaling_batch"],
            device=device,
        )
    if "flops" in sections and matmul_rates:
        record["flops"] = measure_flop_rate(record["training"], matmul_rates, device)
    return record


def targets(results):
    """[target, measured, status] rows of the CPU targets met by the results."""
    rows = []
    cpu = results.get("cpu", {})
    for batch, per in cpu.get("training", {}).items():
        if batch.isdigit():
            ratio = per["skdae"]["ratio_vs_plain"]
            rows.append(
                [
                    f"training ratio >= 1.0 at batch {batch}",
                    f"{ratio:.2f}",
                    "met" if ratio >= 1.0 else "NOT met",
                ]
            )
    for label, key in (
        ("inference ratio >= 1.0 (plain@512)", "ratio_vs_plain_512"),
        ("inference ratio >= 1.0 (best plain batch)", "ratio_vs_best_plain"),
    ):
        if key in cpu.get("inference", {}):
            ratio = cpu["inference"][key]
            rows.append([label, f"{ratio:.2f}", "met" if ratio >= 1.0 else "NOT met"])
    memory = results.get("memory", {})
    if "extra_mb" in memory.get("transform", {}):
        v = memory["transform"]["extra_mb"]
        rows.append(
            ["transform < 100 MB extra", f"{v:.1f} MB", "met" if v < 100 else "NOT met"]
        )
    if "extra_over_data" in memory.get("fit", {}):
        v = memory["fit"]["extra_over_data"]
        rows.append(["fit < 3x dataset", f"{v:.2f}x", "met" if v < 3 else "NOT met"])
    if rows:
        print_table("Targets (CPU)", ["target", "measured", "status"], rows)
    return rows


def parse_sections(text):
    sections = {s.strip() for s in text.split(",") if s.strip()}
    unknown = sections - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown section(s) {sorted(unknown)}; know {SECTIONS}")
    return sections


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks speed", description=__doc__.split("\n\n")[0]
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="< 5 minutes (default)")
    mode.add_argument("--full", action="store_true", help="bigger, more repeats")
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="auto")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch.set_num_threads for every variant (default: torch's default)",
    )
    parser.add_argument("--sections", default=",".join(SECTIONS))
    parser.add_argument("--train-images", type=int, help="override train_n")
    parser.add_argument("--repeats", type=int, help="override train/infer repeats")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--data-home", default=default_data_home())
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    mode = "full" if args.full else "quick"
    cfg = dict(SETTINGS[mode])
    if args.train_images:
        cfg["train_n"] = args.train_images
    if args.repeats:
        cfg["train_repeats"] = cfg["infer_repeats"] = args.repeats
    sections = parse_sections(args.sections)
    if sections & {"scaling", "memory", "cuda"}:
        try:  # fail now rather than after the training section
            load_images("fashion-mnist", "train", data_home=args.data_home)
        except FileNotFoundError as exc:
            raise SystemExit(
                f"{exc}\nFashion-MNIST is needed by the scaling, memory and cuda "
                "sections; leave them out with --sections training,inference,flops."
            ) from None
    started = time.perf_counter()
    devices = ["cpu"]
    date = now()
    results = {
        "benchmark": "skdae speed",
        "date": date.isoformat(timespec="seconds"),
        "mode": mode,
        "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()},
    }
    if args.device in ("cuda", "auto") and "cuda" in sections:
        if torch.cuda.is_available():
            devices.append("cuda")
        else:
            note = (
                f"--device {args.device}: CUDA is not available on this machine "
                f"(torch {torch.__version__}); the cuda section is skipped."
            )
            print(note)
            results["cuda"] = {"skipped": note}
    results["machine"] = machine() | versions(
        ("torch", "skorch", "scikit-learn", "numpy", "skdae")
    )
    results["machine"]["devices"] = devices
    warn_if_loaded(results["machine"]["load_average_at_start"])
    print(
        f"skdae speed benchmark ({mode}), torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, CPU: {results['machine']['cpu_model']}"
    )
    output = args.output or RESULTS_DIR / f"speed-{date:%Y-%m-%d}.json"

    def save():
        results["seconds"] = time.perf_counter() - started
        write_json(output, results)

    results["cpu"] = run_sections(
        "cpu",
        cfg,
        sections - {"cuda"},
        data_home=args.data_home,
        train_n=cfg["train_n"],
        variants=cfg["train_variants"],
    )
    save()
    if "memory" in sections:
        results["memory"] = measure_memory(
            fit_n=cfg["memory_fit_n"],
            transform_n=cfg["memory_transform_n"],
            batch=cfg["scaling_batch"],
            threads=torch.get_num_threads(),
            data_home=args.data_home,
        )
        save()
    if "cuda" in devices:
        results["cuda"] = run_sections(
            "cuda",
            cfg,
            {"training", "inference", "scaling", "flops"},
            data_home=args.data_home,
            train_n=cfg["cuda_train_n"],
            variants=CUDA_TRAINING_VARIANTS,
        )
        save()
    results["targets"] = targets(results)
    save()
    print(f"\nwrote {output} ({results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
