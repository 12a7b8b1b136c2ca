"""Memory: peak resident memory of ``transform`` and ``fit`` beyond the data.

Each measurement runs in a fresh subprocess (``python -m benchmarks.memory
KIND N_IMAGES BATCH``), after a warm-up fit and transform on a few images, so
that the model, the optimizer and one batch's activations are in the baseline
and what is reported is what grows with the data. For ``transform`` the output
array, which is what it returns, is subtracted too.
"""

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import torch

from .harness import ROOT, load_images, print_table
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


def main(argv=None):
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
