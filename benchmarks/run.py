"""Speed and memory benchmarks of skdae against plain PyTorch.

Sections (see ``benchmarks/README.md`` for what each one measures and why):

1. training speed: ``DenoisingAutoencoder.fit`` against a plain PyTorch loop over
   the same network, recipe, batches and corruption, at batch 20 and 128;
2. inference speed: ``transform`` against a plain ``torch.inference_mode()`` loop;
3. scaling: fit and transform time per image for 1k to 60k images;
4. memory: peak resident memory of ``transform`` and ``fit`` (in subprocesses);
5. FLOPs: achieved training GFLOP/s against the measured float32 matmul peak;
6. CUDA: sections 1-3 on the GPU, with a bf16-autocast variant of the plain loop.

Usage::

    python benchmarks/run.py --quick               # < 5 min on 2 cores
    python benchmarks/run.py --full                # long
    python benchmarks/run.py --quick --threads 1   # on a machine shared with others
    python benchmarks/run.py --full --device cuda  # adds section 6 on the GPU
    python benchmarks/run.py --quick --sections 1,5

Timings are taken in one process, the variants interleaved (plain, skdae, ...,
plain, skdae, ...) after a warm-up of each, and summarised by medians, spreads and
ratios: absolute numbers move with the load of the machine, ratios much less. The
results are printed as tables and written as JSON (default
``benchmarks/results/speed-<date>.json``).
"""

import argparse
import contextlib
import datetime
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import torch
from torch import nn

import skdae._training
from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.datasets import load_fashion_mnist, load_mnist
from skdae.networks import ReferenceAutoencoder

ROOT = Path(__file__).resolve().parents[1]
#: where the repository's MNIST copy lives (the loaders also search the usual places)
DEFAULT_DATA_HOME = ROOT.parent / "shared" / "data"

SIGMA = 0.5
LR = 1e-3
SEED = 0

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
        "mm_reps": 2,
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
        "mm_reps": 5,
        "cuda_train_n": 24000,
    },
}


# =============================================================== timing helpers
def _sync(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn, device="cpu"):
    """Run ``fn()``; return (wall seconds, process CPU seconds, result)."""
    gc.collect()
    _sync(device)
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    _sync(device)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def summary(values):
    """Median, min, max, quartiles of ``values``."""
    values = sorted(values)
    q = np.percentile(values, [25, 75]) if len(values) > 1 else (values[0],) * 2
    return {
        "median": statistics.median(values),
        "min": values[0],
        "max": values[-1],
        "q1": float(q[0]),
        "q3": float(q[1]),
        "values": values,
    }


def _fmt(x, digits=0):
    return f"{x:,.{digits}f}"


def print_table(title, header, rows):
    """Print a Markdown table (so it can be pasted into the README)."""
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    sys.stdout.flush()


@contextlib.contextmanager
def patched(module, name, value):
    """Set ``module.name`` to ``value`` for the duration of the block."""
    original = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, original)


def skdae_switch(name, enabled):
    """Leave skdae's ``_training.<name>`` speed-up on, or switch it off."""
    if enabled:
        return contextlib.nullcontext()
    return patched(skdae._training, name, lambda *args: False)


def skdae_inference_batch(batch):
    """Run skdae's ``transform`` with another chunk size (for the sweep)."""
    import skdae.autoencoder as ae

    return patched(ae, "_INFERENCE_BATCH", batch)


# ====================================================== the plain PyTorch baseline
def plain_fit(X, batch_size, device, *, epochs=1, channels_last=False, amp=False):
    """Train the reference network the way a PyTorch user would write it.

    Same module, Adam(lr=1e-3), MSELoss, batch size; every batch is corrupted
    afresh with ``x + 0.5 * randn`` clipped to [0, 1]; a new permutation every
    epoch; the data is one tensor on ``device``. ``X`` is the NumPy array
    (moving it to the device is part of the timed work, as in ``fit``).
    """
    device = torch.device(device)
    torch.manual_seed(SEED)
    module = ReferenceAutoencoder().to(device)
    if channels_last:
        module = module.to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(module.parameters(), lr=LR)
    criterion = nn.MSELoss()
    side = int(round(X.shape[1] ** 0.5))
    data = torch.from_numpy(X).reshape(-1, 1, side, side).to(device)
    generator = torch.Generator(device=device)
    generator.manual_seed(SEED)
    n = len(data)
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator, device=device)
        for start in range(0, n, batch_size):
            clean = data[order[start : start + batch_size]]
            noise = torch.randn(clean.shape, generator=generator, device=device)
            noisy = (clean + SIGMA * noise).clamp_(0.0, 1.0)
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
                loss = criterion(module(noisy), clean)
            loss.backward()
            optimizer.step()
    return module


def plain_transform(module, X, batch_size, device, *, amp=False):
    """Denoise ``X`` (NumPy, flat) with a plain ``inference_mode`` loop."""
    device = torch.device(device)
    side = int(round(X.shape[1] ** 0.5))
    inputs = torch.from_numpy(X).reshape(-1, 1, side, side)
    out = np.empty_like(X)
    outputs = torch.from_numpy(out).reshape(-1, 1, side, side)
    module.eval()
    with torch.inference_mode():
        for start in range(0, len(inputs), batch_size):
            chunk = inputs[start : start + batch_size].to(device)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
                result = module(chunk)
            outputs[start : start + batch_size].copy_(result.float().clamp_(0, 1))
    return out


def skdae_fit(X, batch_size, device, *, epochs=1, channels_last=True, graphs=True):
    with (
        skdae_switch("_use_channels_last", channels_last),
        skdae_switch("_use_cuda_graphs", graphs),
    ):
        return DenoisingAutoencoder(
            noise=GaussianNoise(SIGMA),
            batch_size=batch_size,
            max_epochs=epochs,
            lr=LR,
            device=device,
            random_state=SEED,
        ).fit(X)


def plain_module_like(dae, device, *, channels_last=False):
    """A fresh ReferenceAutoencoder holding the weights of a fitted ``dae``."""
    module = ReferenceAutoencoder()
    module.load_state_dict(dae.net_.module_.network.state_dict())
    module = module.to(device).eval()
    if channels_last:
        module = module.to(memory_format=torch.channels_last)
    return module


def train_variant(name, X, batch_size, device):
    """Run one training variant of section 1 / 6."""
    if name == "plain":
        return lambda: plain_fit(X, batch_size, device)
    if name == "plain+CL":
        return lambda: plain_fit(X, batch_size, device, channels_last=True)
    if name == "plain-bf16":
        return lambda: plain_fit(X, batch_size, device, amp=True)
    if name == "skdae":
        return lambda: skdae_fit(X, batch_size, device)
    if name == "skdae-NCHW":
        return lambda: skdae_fit(X, batch_size, device, channels_last=False)
    if name == "skdae-eager":
        return lambda: skdae_fit(X, batch_size, device, graphs=False)
    raise ValueError(name)


# ================================================================= matmul peak
def matmul_gflops(device, size=2048, reps=3, dtype=torch.float32):
    """float32 GFLOP/s of ``reps`` multiplications of two size x size matrices."""
    gen = torch.Generator().manual_seed(SEED)
    a = torch.randn(size, size, generator=gen, dtype=dtype).to(device)
    b = torch.randn(size, size, generator=gen, dtype=dtype).to(device)
    out = torch.empty(size, size, dtype=dtype, device=device)
    torch.mm(a, b, out=out)  # warm-up

    def run():
        for _ in range(reps):
            torch.mm(a, b, out=out)

    wall, cpu, _ = timed(run, device)
    flops = 2.0 * size**3 * reps
    return flops / wall / 1e9, flops / cpu / 1e9


# ============================================================ 1. training speed
def bench_training(X, cfg, device, variants, mm_log=None):
    """Interleaved repeats of every variant at every batch size."""
    n = len(X)
    results = {}
    rows = []
    for batch in cfg["train_batches"]:
        # warm-up: one short run of each variant (oneDNN primitives, allocator)
        for name in variants:
            train_variant(name, X[: cfg["warmup_n"]], batch, device)()
        walls = {name: [] for name in variants}
        cpus = {name: [] for name in variants}
        for rep in range(cfg["train_repeats"]):
            k = rep % len(variants)  # rotate the order: no variant always first
            for name in variants[k:] + variants[:k]:
                wall, cpu, _ = timed(train_variant(name, X, batch, device), device)
                walls[name].append(wall)
                cpus[name].append(cpu)
            if mm_log is not None:  # matmul peak under the same load, interleaved
                mm_log.append(matmul_gflops(device, cfg["mm_size"], cfg["mm_reps"]))
        per_batch = {}
        for name in variants:
            ips = [n / w for w in walls[name]]
            cpu_ips = [n / c for c in cpus[name]] if cpus[name][0] > 0 else None
            per_batch[name] = {
                "images_per_s": summary(ips),
                "images_per_cpu_s": summary(cpu_ips) if cpu_ips else None,
                "wall_s": walls[name],
                "cpu_s": cpus[name],
            }
        plain = per_batch["plain"]["images_per_s"]["median"]
        for name in variants:
            paired = [
                walls["plain"][i] / walls[name][i] for i in range(len(walls[name]))
            ]
            per_batch[name]["ratio_vs_plain"] = (
                per_batch[name]["images_per_s"]["median"] / plain
            )
            per_batch[name]["paired_ratio_vs_plain"] = summary(paired)
            if per_batch[name]["images_per_cpu_s"]:
                per_batch[name]["cpu_ratio_vs_plain"] = (
                    per_batch[name]["images_per_cpu_s"]["median"]
                    / per_batch["plain"]["images_per_cpu_s"]["median"]
                )
            s = per_batch[name]["images_per_s"]
            p = per_batch[name]["paired_ratio_vs_plain"]
            rows.append(
                [
                    batch,
                    name,
                    _fmt(s["median"]),
                    f"{_fmt(s['min'])}-{_fmt(s['max'])}",
                    f"{per_batch[name]['ratio_vs_plain']:.2f}",
                    f"{p['median']:.2f} ({p['min']:.2f}-{p['max']:.2f})",
                    f"{per_batch[name].get('cpu_ratio_vs_plain', float('nan')):.2f}",
                ]
            )
        results[str(batch)] = per_batch
    print_table(
        f"1. Training speed on {device}: {n} MNIST images, 1 epoch, "
        f"{cfg['train_repeats']} interleaved repeats after a warm-up",
        [
            "batch",
            "variant",
            "images/s (median)",
            "min-max",
            "ratio vs plain",
            "paired ratio (min-max)",
            "CPU-time ratio",
        ],
        rows,
    )
    return {"n_images": n, "epochs": 1, "repeats": cfg["train_repeats"], **results}


# =========================================================== 2. inference speed
def bench_inference(dae, X, cfg, device, amp_variant=False):
    n = len(X)
    sweep_x = X[: cfg["infer_sweep_n"]]
    plain = plain_module_like(dae, device)
    plain_transform(plain, X[:1000], 512, device)  # warm-up
    dae.transform(X[:1000])

    sweep = {}
    for batch in cfg["infer_batches"]:
        wall, _, _ = timed(
            lambda b=batch: plain_transform(plain, sweep_x, b, device), device
        )
        sweep[batch] = len(sweep_x) / wall
    best = max(sweep, key=sweep.get)
    skdae_sweep = {}
    if cfg["skdae_infer_sweep"]:
        for batch in cfg["infer_batches"]:
            with skdae_inference_batch(batch):
                wall, _, _ = timed(lambda: dae.transform(sweep_x), device)
            skdae_sweep[batch] = len(sweep_x) / wall

    variants = {"skdae": lambda: dae.transform(X)}
    if cfg["infer_plain_512"] or best == 512:
        variants["plain@512"] = lambda: plain_transform(plain, X, 512, device)
    if best != 512:
        variants[f"plain@{best}"] = lambda: plain_transform(plain, X, best, device)
    if cfg["skdae_infer_sweep"] and device == "cpu":
        plain_cl = plain_module_like(dae, device, channels_last=True)
        plain_transform(plain_cl, X[:1000], best, device)
        variants[f"plain+CL@{best}"] = lambda: plain_transform(
            plain_cl, X, best, device
        )
    if amp_variant:
        variants[f"plain-bf16@{best}"] = lambda: plain_transform(
            plain, X, best, device, amp=True
        )
    names = list(variants)
    walls = {name: [] for name in names}
    for rep in range(cfg["infer_repeats"]):
        k = rep % len(names)
        for name in names[k:] + names[:k]:
            wall, _, _ = timed(variants[name], device)
            walls[name].append(wall)
    out = {"n_images": n, "plain_batch_sweep": sweep, "best_plain_batch": best}
    if skdae_sweep:
        out["skdae_batch_sweep"] = skdae_sweep
    rows = []
    for name in names:
        ips = summary([n / w for w in walls[name]])
        paired = summary(
            [
                walls[f"plain@{best}"][i] / walls[name][i]
                for i in range(len(walls[name]))
            ]
        )
        out[name] = {"images_per_s": ips, "paired_ratio_vs_best_plain": paired}
        rows.append(
            [
                name,
                _fmt(ips["median"]),
                f"{_fmt(ips['min'])}-{_fmt(ips['max'])}",
                f"{ips['median'] / summary([n / w for w in walls[f'plain@{best}']])['median']:.2f}",
                f"{paired['median']:.2f} ({paired['min']:.2f}-{paired['max']:.2f})",
            ]
        )
    if "plain@512" in out:
        out["ratio_vs_plain_512"] = (
            out["skdae"]["images_per_s"]["median"]
            / out["plain@512"]["images_per_s"]["median"]
        )
    out["ratio_vs_best_plain"] = (
        out["skdae"]["images_per_s"]["median"]
        / out[f"plain@{best}"]["images_per_s"]["median"]
    )
    print_table(
        f"2. Inference speed on {device}: transform of {n} MNIST test images, "
        f"{cfg['infer_repeats']} interleaved repeats (plain batch sweep on "
        f"{len(sweep_x)} images: "
        + ", ".join(f"{b}: {_fmt(v)}/s" for b, v in sweep.items())
        + (
            "; skdae chunk sweep: "
            + ", ".join(f"{b}: {_fmt(v)}/s" for b, v in skdae_sweep.items())
            if skdae_sweep
            else ""
        )
        + ")",
        [
            "variant",
            "images/s (median)",
            "min-max",
            f"ratio vs plain@{best}",
            "paired ratio (min-max)",
        ],
        rows,
    )
    return out


# ==================================================================== 3. scaling
def bench_scaling(X_all, cfg, device):
    batch = cfg["scaling_batch"]
    out = {"batch_size": batch, "fit": {}, "transform": {}}
    skdae_fit(X_all[:500], batch, device)  # warm-up
    model = skdae_fit(X_all[:1000], batch, device)
    model.transform(X_all[:1000])
    rows = []
    for n in cfg["scaling_fit"]:
        walls = [
            timed(lambda n=n: skdae_fit(X_all[:n], batch, device), device)[0]
            for _ in range(cfg["scaling_repeats"])
        ]
        wall = statistics.median(walls)
        out["fit"][str(n)] = {"seconds": walls, "us_per_image": wall / n * 1e6}
        rows.append(["fit (1 epoch)", n, f"{wall:.2f}", f"{wall / n * 1e6:.0f}"])
    for n in cfg["scaling_transform"]:
        walls = [
            timed(lambda n=n: model.transform(X_all[:n]), device)[0]
            for _ in range(cfg["scaling_repeats"])
        ]
        wall = statistics.median(walls)
        out["transform"][str(n)] = {"seconds": walls, "us_per_image": wall / n * 1e6}
        rows.append(["transform", n, f"{wall:.2f}", f"{wall / n * 1e6:.0f}"])
    for kind in ("fit", "transform"):
        # flatness: spread of the time per image over sizes >= 4k (the 1k point
        # carries the fixed costs: validation, net construction, warm caches)
        per = [v["us_per_image"] for k, v in out[kind].items() if int(k) >= 4000]
        out[kind + "_flatness_max_over_min"] = max(per) / min(per) if per else None
    flat = {
        kind: "n/a"
        if out[kind + "_flatness_max_over_min"] is None
        else f"{out[kind + '_flatness_max_over_min']:.2f}"
        for kind in ("fit", "transform")
    }
    print_table(
        f"3. Scaling on {device}: Fashion-MNIST training images, batch {batch} "
        f"(fit flatness {flat['fit']}, transform flatness {flat['transform']}: "
        "max/min time per image over n >= 4k)",
        ["operation", "images", "seconds", "us per image"],
        rows,
    )
    return out


# ===================================================================== 4. memory
class PeakRSS:
    """Peak resident memory of the enclosed block, in bytes.

    Linux: the kernel's high-water mark (``VmHWM``) is reset by writing 5 to
    ``/proc/self/clear_refs``, so it gives the true peak of the block; a thread
    sampling ``/proc/self/statm`` every millisecond is the fallback (and a
    cross-check). Elsewhere ``ru_maxrss`` is used, which is only right when the
    block raises the process's lifetime peak.
    """

    def __init__(self):
        self.page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self.proc = Path("/proc/self/statm").exists()

    def rss(self):
        if self.proc:
            return int(Path("/proc/self/statm").read_text().split()[1]) * self.page
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _hwm(self):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return None

    def _sample(self):
        while not self._stop.wait(0.001):
            self.sampled = max(self.sampled, self.rss())

    def __enter__(self):
        gc.collect()
        self.method = "ru_maxrss"
        if self.proc:
            self.method = "sampling /proc/self/statm"
            try:
                Path("/proc/self/clear_refs").write_text("5")
                self.method = "VmHWM after clear_refs"
            except OSError:
                pass
        self.baseline = self.rss()
        self.sampled = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        if self.proc:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self.sampled = max(self.sampled, self.rss())
        if self.proc:
            self._stop.set()
            self._thread.join()
        hwm = self._hwm() if self.method.startswith("VmHWM") else None
        self.peak = max(self.sampled, hwm or 0)
        self.hwm = hwm


def memory_child(kind, n, batch, threads):
    """Run in a subprocess: print one JSON line with the peak memory of ``kind``."""
    torch.set_num_threads(threads)
    X = np.ascontiguousarray(load_fashion_mnist().data[:n], dtype=np.float32)
    # warm-up on a few images, so that one-time allocations (lazy imports, oneDNN
    # primitive caches, the allocator's arenas) are not counted against the data
    dae = skdae_fit(X[:256], batch, "cpu")
    dae.transform(X[:1024])
    if kind == "fit":
        dae = DenoisingAutoencoder(
            noise=GaussianNoise(SIGMA),
            batch_size=batch,
            max_epochs=1,
            device="cpu",
            random_state=SEED,
        )
    monitor = PeakRSS()
    with monitor:
        wall = time.perf_counter()
        result = dae.transform(X) if kind == "transform" else dae.fit(X)
        wall = time.perf_counter() - wall
    data_bytes = X.nbytes
    extra = monitor.peak - monitor.baseline
    if kind == "transform":
        extra -= result.nbytes  # the output array is what transform returns
    import resource

    print(
        json.dumps(
            {
                "kind": kind,
                "n_images": n,
                "batch_size": batch,
                "data_mb": data_bytes / 2**20,
                "baseline_rss_mb": monitor.baseline / 2**20,
                "peak_rss_mb": monitor.peak / 2**20,
                "extra_mb": extra / 2**20,
                "extra_over_data": extra / data_bytes,
                "method": monitor.method,
                "sampled_peak_mb": monitor.sampled / 2**20,
                "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                / 1024,
                "seconds": wall,
            }
        )
    )


def bench_memory(cfg, threads):
    out = {}
    rows = []
    for kind, n in (
        ("transform", cfg["memory_transform_n"]),
        ("fit", cfg["memory_fit_n"]),
    ):
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--memory-child",
            kind,
            str(n),
            str(cfg["scaling_batch"]),
            "--threads",
            str(threads),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            out[kind] = {"error": proc.stderr[-2000:]}
            rows.append([kind, n, "error", "", "", ""])
            continue
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        out[kind] = res
        if kind == "transform":
            target, ok = "< 100 MB extra", res["extra_mb"] < 100
        else:
            target, ok = "< 3x data", res["extra_over_data"] < 3
        rows.append(
            [
                kind,
                n,
                f"{res['data_mb']:.0f}",
                f"{res['extra_mb']:.1f}",
                f"{res['extra_over_data']:.2f}",
                f"{target}: {'met' if ok else 'NOT met'}",
            ]
        )
        out[kind]["target_met"] = ok
    print_table(
        "4. Peak memory beyond the input (and, for transform, the output) array, "
        "float32 Fashion-MNIST, measured in a fresh subprocess after a warm-up "
        f"({out.get('transform', {}).get('method', '?')})",
        ["operation", "images", "data MB", "extra MB", "extra / data", "target"],
        rows,
    )
    return out


# ====================================================================== 5. FLOPs
def conv_macs(module, image_shape=(28, 28)):
    """Multiply-accumulates of the (transposed) convolutions for one image."""
    total = 0
    hooks = []

    def conv_hook(m, inputs, output):
        nonlocal total
        kh, kw = m.kernel_size
        total += output.numel() * (m.in_channels // m.groups) * kh * kw

    def convt_hook(m, inputs, output):
        nonlocal total
        kh, kw = m.kernel_size
        total += inputs[0].numel() * (m.out_channels // m.groups) * kh * kw

    for m in module.modules():
        if isinstance(m, nn.ConvTranspose2d):
            hooks.append(m.register_forward_hook(convt_hook))
        elif isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
    with torch.no_grad():
        module(torch.zeros(1, 1, *image_shape))
    for h in hooks:
        h.remove()
    return total


def bench_flops(training, mm_log, device):
    macs = conv_macs(ReferenceAutoencoder())
    forward = 2 * macs
    train = 3 * forward  # backward ~ 2x forward (input and weight gradients)
    peak_wall = summary([g[0] for g in mm_log])
    out = {
        "conv_macs_per_image": macs,
        "forward_flop_per_image": forward,
        "training_flop_per_image": train,
        "matmul_peak_gflops": peak_wall,
        "rows": {},
    }
    rows = []
    for batch, per_batch in training.items():
        if not isinstance(per_batch, dict):
            continue
        for name, res in per_batch.items():
            gflops = res["images_per_s"]["median"] * train / 1e9
            pct = 100 * gflops / peak_wall["median"]
            out["rows"][f"{batch}/{name}"] = {"gflops": gflops, "percent_of_peak": pct}
            rows.append([batch, name, f"{gflops:.2f}", f"{pct:.1f} %"])
    print_table(
        f"5. Achieved training FLOP rate on {device}: {forward / 1e6:.2f} MFLOP forward, "
        f"~{train / 1e6:.1f} MFLOP per training image (convolutions only, backward "
        f"~ 2x forward); float32 matmul peak {peak_wall['median']:.1f} GFLOP/s "
        f"(median of {len(mm_log)}, {peak_wall['min']:.1f}-{peak_wall['max']:.1f}), "
        "measured interleaved with section 1",
        ["batch", "variant", "GFLOP/s", "% of matmul peak"],
        rows,
    )
    return out


# ================================================================ machine info
def _version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:  # e.g. run from a checkout on PYTHONPATH
        module = sys.modules.get(name.replace("-", "_"))
        return getattr(module, "__version__", None)


def machine_info(devices):
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info = {
        "cpu_model": cpu,
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else None,
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "skorch": _version("skorch"),
        "scikit-learn": _version("scikit-learn"),
        "numpy": np.__version__,
        "skdae": _version("skdae"),
        "torch_num_threads": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "devices": devices,
    }
    if "cuda" in devices:
        info["cuda_device"] = torch.cuda.get_device_name()
        info["cuda_version"] = torch.version.cuda
    return info


# ======================================================================== main
def run_device(
    device,
    cfg,
    sections,
    X_train,
    X_test,
    X_fashion,
    results,
    *,
    cuda,
    X_train_cuda=None,
):
    key = "cuda" if cuda else "cpu"
    res = results.setdefault(key, {})
    mm_log = []
    train_variants = cfg["train_variants"]
    if cuda:
        train_variants = ("plain", "plain-bf16", "skdae-eager", "skdae")
        X_train = X_train_cuda
    if 1 in sections or 5 in sections:
        res["training"] = bench_training(
            X_train, cfg, device, list(train_variants), mm_log=mm_log
        )
    if 2 in sections:
        dae = skdae_fit(X_train[:1000], 128, device)
        res["inference"] = bench_inference(dae, X_test, cfg, device, amp_variant=cuda)
    if 3 in sections:
        res["scaling"] = bench_scaling(X_fashion, cfg, device)
    if 5 in sections and mm_log:
        res["flops"] = bench_flops(
            {k: v for k, v in res["training"].items() if k.isdigit()}, mm_log, device
        )


def targets_table(results):
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
    if "inference" in cpu:
        for label, key in (
            ("inference ratio >= 1.0 (plain@512)", "ratio_vs_plain_512"),
            ("inference ratio >= 1.0 (best plain batch)", "ratio_vs_best_plain"),
        ):
            if key not in cpu["inference"]:
                continue
            ratio = cpu["inference"][key]
            rows.append([label, f"{ratio:.2f}", "met" if ratio >= 1.0 else "NOT met"])
    mem = results.get("memory", {})
    if "extra_mb" in mem.get("transform", {}):
        v = mem["transform"]["extra_mb"]
        rows.append(
            ["transform < 100 MB extra", f"{v:.1f} MB", "met" if v < 100 else "NOT met"]
        )
    if "extra_over_data" in mem.get("fit", {}):
        v = mem["fit"]["extra_over_data"]
        rows.append(["fit < 3x dataset", f"{v:.2f}x", "met" if v < 3 else "NOT met"])
    if rows:
        print_table("Targets (CPU)", ["target", "measured", "status"], rows)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
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
    parser.add_argument("--sections", default="1,2,3,4,5,6")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--data-home", default=None, help="folder holding MNIST")
    parser.add_argument("--memory-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    if args.memory_child:
        kind, n, batch = args.memory_child
        memory_child(kind, int(n), int(batch), threads)
        return 0

    mode = "full" if args.full else "quick"
    cfg = SETTINGS[mode]
    sections = {int(s) for s in args.sections.split(",") if s.strip()}
    started = time.perf_counter()
    devices = ["cpu"]
    cuda_note = None
    if args.device in ("cuda", "auto") and 6 in sections:
        if torch.cuda.is_available():
            devices.append("cuda")
        else:
            cuda_note = (
                f"--device {args.device}: CUDA is not available on this machine "
                "(torch " + torch.__version__ + "); section 6 skipped."
            )
            print(cuda_note)
    date = datetime.datetime.now().astimezone()
    results = {
        "benchmark": "skdae speed",
        "date": date.isoformat(timespec="seconds"),
        "mode": mode,
        "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in cfg.items()},
        "machine": machine_info(devices),
    }
    if cuda_note:
        results["cuda"] = {"skipped": cuda_note}
    load = results["machine"]["load_average_at_start"]
    if load and load[0] > (os.cpu_count() or 1):
        print(
            f"Note: load average {load[0]:.1f} > {os.cpu_count()} CPUs: the machine is "
            "shared; absolute timings are noisy (compare the ratios), and with "
            "several threads per process try --threads 1."
        )
    print(
        f"skdae speed benchmark ({mode}), torch {torch.__version__}, "
        f"{threads} threads, CPU: {results['machine']['cpu_model']}"
    )

    data_home = args.data_home or (
        str(DEFAULT_DATA_HOME) if DEFAULT_DATA_HOME.exists() else None
    )
    X_train = X_train_cuda = X_test = X_fashion = None
    if sections & {1, 2, 5, 6}:
        mnist_train = load_mnist(data_home=data_home).data
        X_train = np.ascontiguousarray(mnist_train[: cfg["train_n"]])
        X_train_cuda = np.ascontiguousarray(mnist_train[: cfg["cuda_train_n"]])
        X_test = load_mnist(data_home=data_home, subset="test").data
    if sections & {3, 6}:
        X_fashion = load_fashion_mnist().data

    output = args.output or (
        ROOT / "benchmarks" / "results" / f"speed-{date:%Y-%m-%d}.json"
    )

    def save():
        results["seconds"] = time.perf_counter() - started
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, indent=1, default=float) + "\n")

    run_device(
        "cpu", cfg, sections - {6}, X_train, X_test, X_fashion, results, cuda=False
    )
    save()
    if 4 in sections:
        results["memory"] = bench_memory(cfg, threads)
        save()
    if "cuda" in devices:
        cuda_sections = {1, 2, 3, 5}  # section 6: the speed sections on the GPU
        run_device(
            "cuda",
            cfg,
            cuda_sections,
            X_train,
            X_test,
            X_fashion,
            results,
            cuda=True,
            X_train_cuda=X_train_cuda,
        )
        save()
    results["targets"] = targets_table(results)
    save()
    print(f"\nwrote {output} ({results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
