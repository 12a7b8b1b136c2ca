"""Memory: peak resident memory of ``fit`` and ``transform``, in memory and on disk.

Two parts, every measurement in a fresh subprocess:

* the ``memory`` section of ``python -m benchmarks speed``
  (:func:`measure_memory`; worker ``python -m benchmarks.memory KIND N_IMAGES
  BATCH``): in-memory Fashion-MNIST, after a warm-up fit and transform on a few
  images, so that the model, the optimizer and one batch's activations are in
  the baseline and what is reported is what grows with the data (for
  ``transform`` the output array, which is what it returns, is subtracted too);
* ``python -m benchmarks memory`` (:func:`run_on_disk`; worker ``python -m
  benchmarks.memory disk CASE ...``): data larger than memory. Peak RSS of the
  whole process for fitting on a 200 MB and on a 2 GB memmap of 64x64 float32
  images (a fixed number of patches, so the time does not grow), of the same
  200 MB fitted from memory, and of :func:`skdae.transform_to` from the 2 GB
  memmap into a 2 GB memmap; and the training speed from a memmap in the page
  cache against the same images in memory (28x28 images, whole-image batches).
  The files go to a temporary folder (``--tmp``, default the system's) and are
  deleted afterwards.
"""

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import torch

from .harness import (
    RESULTS_DIR,
    ROOT,
    load_images,
    log,
    machine,
    now,
    print_table,
    versions,
    write_json,
)
from .loops import skdae_estimator, skdae_fit

#: what each operation should stay under
TARGETS = {
    "transform": ("< 100 MB extra", lambda r: r["extra_mb"] < 100),
    "fit": ("< 3x data", lambda r: r["extra_over_data"] < 3),
}


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


def peak_memory(kind, n, batch, data_home=None):
    """Peak memory of ``kind`` ("fit" or "transform") on ``n`` Fashion-MNIST images."""
    X = load_images("fashion-mnist", "train", data_home=data_home)[:n]
    # warm-up on a few images: lazy imports, oneDNN primitive caches and the
    # allocator's arenas are not counted against the data
    dae = skdae_fit(X[:256], batch, "cpu")
    dae.transform(X[:1024])
    if kind == "fit":
        dae = skdae_estimator(batch, "cpu")
    monitor = PeakRSS()
    with monitor:
        wall = time.perf_counter()
        result = dae.transform(X) if kind == "transform" else dae.fit(X)
        wall = time.perf_counter() - wall
    extra = monitor.peak - monitor.baseline
    if kind == "transform":
        extra -= result.nbytes  # the output array is what transform returns
    return {
        "kind": kind,
        "n_images": n,
        "batch_size": batch,
        "data_mb": X.nbytes / 2**20,
        "baseline_rss_mb": monitor.baseline / 2**20,
        "peak_rss_mb": monitor.peak / 2**20,
        "extra_mb": extra / 2**20,
        "extra_over_data": extra / X.nbytes,
        "method": monitor.method,
        "sampled_peak_mb": monitor.sampled / 2**20,
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "seconds": wall,
    }


def measure_memory(*, fit_n, transform_n, batch, threads, data_home=None):
    """The ``memory`` record of the speed JSON: one subprocess per operation."""
    record = {}
    rows = []
    for kind, n in (("transform", transform_n), ("fit", fit_n)):
        cmd = [sys.executable, "-m", "benchmarks.memory", kind, str(n), str(batch)]
        cmd += ["--threads", str(threads)]
        if data_home:
            cmd += ["--data-home", str(data_home)]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, check=False, cwd=ROOT
        )
        if proc.returncode != 0:
            record[kind] = {"error": proc.stderr[-2000:]}
            rows.append([kind, n, "error", "", "", ""])
            continue
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        target, check = TARGETS[kind]
        res["target_met"] = ok = check(res)
        record[kind] = res
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
    method = record.get("transform", {}).get("method", "?")
    print_table(
        "Peak memory beyond the input (and, for transform, the output) array, "
        f"float32 Fashion-MNIST, measured in a fresh subprocess after a warm-up "
        f"({method})",
        ["operation", "images", "data MB", "extra MB", "extra / data", "target"],
        rows,
    )
    return record


# ---------------------------------------------------------------- on disk
#: the on-disk cases: a small network (memory, not the model, is measured)
DISK_MODEL = {
    "architecture": "residual",
    "patch_size": 32,
    "batch_size": 32,
    "max_epochs": 1,
    "random_state": 0,
    "device": "cpu",
}


def _disk_model(**params):
    from skdae import DenoisingAutoencoder, GaussianNoise
    from skdae.architectures import Residual

    params = {**DISK_MODEL, **params}
    params["architecture"] = Residual(depth=2, channels=8)
    return DenoisingAutoencoder(noise=GaussianNoise(0.2), **params)


def write_images(path, n, side, *, seed=0, chunk=2048):
    """A .npy file of ``n`` float32 ``side`` x ``side`` random-ish images."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0, 1, side, dtype=np.float32)
    header = {
        "descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)),
        "fortran_order": False,
        "shape": (n, side, side),
    }
    # written through a file, not a memory map: this process's resident
    # memory (which its subprocesses' ru_maxrss inherits) stays small
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
        for start in range(0, n, chunk):
            k = min(chunk, n - start)
            shift = rng.random((k, 1, 1), dtype=np.float32)
            noise = rng.random((k, side, side), dtype=np.float32)
            block = 0.9 * ((0.5 * (ramp[None, None, :] + shift)) % 1) + 0.1 * noise
            f.write(block.astype(np.float32).tobytes())
    return Path(path)


def disk_case(case, path, n_patches, out_path=None):
    """One on-disk measurement, in this (fresh) process."""
    from skdae import transform_to

    X = np.load(path, mmap_mode="r")
    if case == "fit-memory":
        X = np.load(path)  # the same images, read into memory first
    warm = _disk_model(patches_per_epoch=64).fit(np.array(X[:64]))
    warm.transform(np.array(X[:64]))
    monitor = PeakRSS()
    with monitor:
        wall = time.perf_counter()
        if case in ("fit-memmap", "fit-memory"):
            _disk_model(patches_per_epoch=n_patches).fit(X)
        elif case == "transform-to-memmap":
            out = np.lib.format.open_memmap(
                out_path, mode="w+", dtype=np.float32, shape=X.shape
            )
            transform_to(warm, X, out)
            del out
        else:
            raise ValueError(case)
        wall = time.perf_counter() - wall
    return {
        "case": case,
        "n_images": int(X.shape[0]),
        "image_shape": list(X.shape[1:]),
        "data_mb": X.size * X.itemsize / 2**20,
        "baseline_rss_mb": monitor.baseline / 2**20,
        "peak_rss_mb": monitor.peak / 2**20,
        "extra_mb": (monitor.peak - monitor.baseline) / 2**20,
        "method": monitor.method,
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "seconds": wall,
    }


def disk_speed(path, repeats, batch):
    """Training seconds per epoch from memory and from a memmap, interleaved."""
    from skdae import DenoisingAutoencoder

    X_disk = np.load(path, mmap_mode="r")
    X_memory = np.load(path)
    walls = {"memory": [], "memmap": []}

    def fit(X):
        return DenoisingAutoencoder(
            max_epochs=1, batch_size=batch, random_state=0, device="cpu"
        ).fit(X)

    fit(X_memory[:200])  # warm-up
    for r in range(repeats):
        order = ("memory", "memmap") if r % 2 == 0 else ("memmap", "memory")
        for name in order:
            start = time.perf_counter()
            fit(X_memory if name == "memory" else X_disk)
            walls[name].append(time.perf_counter() - start)
    return {
        "n_images": int(X_disk.shape[0]),
        "image_shape": list(X_disk.shape[1:]),
        "batch_size": batch,
        "repeats": repeats,
        "seconds_memory": walls["memory"],
        "seconds_memmap": walls["memmap"],
        "memmap_over_memory_median": statistics.median(
            d / m for d, m in zip(walls["memmap"], walls["memory"])
        ),
        "memmap_over_memory_of_medians": statistics.median(walls["memmap"])
        / statistics.median(walls["memory"]),
        "memmap_over_memory_of_minima": min(walls["memmap"]) / min(walls["memory"]),
    }


def _worker(args):
    """``python -m benchmarks.memory disk CASE PATH ...``: print one JSON line."""
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.case == "speed":
        result = disk_speed(args.path, args.repeats, args.batch)
    else:
        result = disk_case(args.case, args.path, args.patches, args.out)
    print(json.dumps(result))


def _run_worker(case, path, args, **extra):
    cmd = [sys.executable, "-m", "benchmarks.memory", "disk", case, str(path)]
    cmd += ["--threads", str(args.threads), "--patches", str(args.patches)]
    for key, value in extra.items():
        cmd += [f"--{key}", str(value)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if proc.returncode != 0:
        return {"case": case, "error": proc.stderr[-3000:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_on_disk(args):
    """The ``memory`` command: on-disk fit, transform and speed; JSON and tables."""
    folder = Path(tempfile.mkdtemp(prefix="skdae-memory-", dir=args.tmp))
    small_n = args.small_mb * 2**20 // (64 * 64 * 4)
    large_n = args.large_mb * 2**20 // (64 * 64 * 4)
    record = {
        "benchmark": "memory",
        "date": now().isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(["skdae", "torch", "numpy", "zarr", "h5py"]),
        "settings": {
            "model": {**DISK_MODEL, "architecture": "Residual(depth=2, channels=8)"},
            "noise": "GaussianNoise(0.2)",
            "patches_per_epoch": args.patches,
            "threads": args.threads,
            "small_mb": args.small_mb,
            "large_mb": args.large_mb,
        },
        "cases": [],
    }
    try:
        log(f"writing {small_n} and {large_n} 64x64 images to {folder}")
        small = write_images(folder / "small.npy", small_n, 64, seed=0)
        large = write_images(folder / "large.npy", large_n, 64, seed=1)
        for case, path, extra in (
            ("fit-memory", small, {}),
            ("fit-memmap", small, {}),
            ("fit-memmap", large, {}),
            ("transform-to-memmap", large, {"out": folder / "out.npy"}),
        ):
            log(f"{case} on {path.name}")
            result = _run_worker(case, path, args, **extra)
            record["cases"].append(result)
            (folder / "out.npy").unlink(missing_ok=True)
        small.unlink()
        large.unlink()
        log("speed: memory against memmap")
        speed_path = write_images(folder / "mnist-sized.npy", args.speed_images, 28)
        record["speed"] = _run_worker(
            "speed", speed_path, args, repeats=args.repeats, batch=20
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = []
    for res in record["cases"]:
        if "error" in res:
            rows.append([res["case"], "error", "", "", "", ""])
            continue
        rows.append(
            [
                res["case"],
                f"{res['data_mb']:.0f}",
                f"{res['baseline_rss_mb']:.0f}",
                f"{res['peak_rss_mb']:.0f}",
                f"{res['extra_mb']:.0f}",
                f"{res['seconds']:.1f}",
            ]
        )
    tables = [
        print_table(
            "Peak RSS of the whole process, fresh subprocess per case "
            f"({args.patches} patches of 32x32 per fit; transform_to writes a "
            "float32 memmap as large as the input)",
            [
                "case",
                "input MB",
                "baseline RSS MB",
                "peak RSS MB",
                "peak - baseline MB",
                "s",
            ],
            rows,
        )
    ]
    speed = record["speed"]
    if "error" not in speed:
        tables.append(
            print_table(
                f"Training speed, {speed['n_images']} 28x28 float32 images, batch "
                f"{speed['batch_size']}, 1 epoch, {speed['repeats']} interleaved repeats",
                ["from", "median s", "runs (s)"],
                [
                    [
                        name,
                        f"{statistics.median(walls):.2f}",
                        ", ".join(f"{w:.2f}" for w in walls),
                    ]
                    for name, walls in (
                        ("memory", speed["seconds_memory"]),
                        ("memmap (page cache)", speed["seconds_memmap"]),
                    )
                ]
                + [
                    [
                        "memmap / memory",
                        f"{speed['memmap_over_memory_of_medians']:.3f} (of medians)",
                        f"{speed['memmap_over_memory_of_minima']:.3f} of minima, "
                        f"{speed['memmap_over_memory_median']:.3f} median of paired "
                        "ratios",
                    ]
                ],
            )
        )
    record["tables"] = tables
    output = args.output or RESULTS_DIR / f"memory-{now():%Y-%m-%d}.json"
    write_json(output, record)
    log(f"wrote {output}")
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["disk"]:
        parser = argparse.ArgumentParser(prog="python -m benchmarks.memory disk")
        parser.add_argument(
            "case",
            choices=("fit-memory", "fit-memmap", "transform-to-memmap", "speed"),
        )
        parser.add_argument("path")
        parser.add_argument("--out", default=None)
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--patches", type=int, default=2000)
        parser.add_argument("--repeats", type=int, default=3)
        parser.add_argument("--batch", type=int, default=20)
        return _worker(parser.parse_args(argv[1:]))
    if argv[:1] not in (["fit"], ["transform"]):
        parser = argparse.ArgumentParser(
            prog="python -m benchmarks memory",
            description="Peak RSS of fitting on 200 MB and 2 GB memmaps and of "
            "transform_to into an on-disk array; memmap against in-memory "
            "training speed.",
        )
        parser.add_argument("--small-mb", type=int, default=200)
        parser.add_argument("--large-mb", type=int, default=2048)
        parser.add_argument("--patches", type=int, default=2000)
        parser.add_argument("--speed-images", type=int, default=10000)
        parser.add_argument("--repeats", type=int, default=5)
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--tmp", default=None, help="folder for the data files")
        parser.add_argument("--output", type=Path, default=None)
        return run_on_disk(parser.parse_args(argv))
    return _in_memory_worker(argv)


def _in_memory_worker(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=("fit", "transform"))
    parser.add_argument("n_images", type=int)
    parser.add_argument("batch_size", type=int)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--data-home", default=None)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    result = peak_memory(args.kind, args.n_images, args.batch_size, args.data_home)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
