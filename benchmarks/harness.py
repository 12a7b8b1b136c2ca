"""What every benchmark shares: data, timing, the environment record, output.

* :func:`load_images` is the only place where the benchmarks load a data set;
* :func:`timed` and :func:`timer_seconds` take the timings (wall clock with the
  accelerator synchronised, and CPU time);
* :func:`summary` and :func:`ratio` summarise repeated measurements;
* :func:`machine` and :func:`versions` record where and with what it ran;
* :func:`write_json`, :func:`markdown_table` and :func:`log` write the results.
"""

import contextlib
import datetime
import gc
import json
import os
import platform
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import torch
from torch.utils.benchmark import Timer

from skdae.datasets import load_fashion_mnist, load_mnist

ROOT = Path(__file__).resolve().parents[1]
#: the repository's data, beside the checkout (never copied into it)
DEFAULT_DATA_HOME = ROOT.parent / "shared" / "data"
#: where a run writes its JSON unless told otherwise (not tracked)
RESULTS_DIR = ROOT / "benchmarks" / "results"

_LOADERS = {"mnist": load_mnist, "fashion-mnist": load_fashion_mnist}


def default_data_home():
    """``../shared/data`` beside the checkout if it exists, else skdae's search path."""
    return str(DEFAULT_DATA_HOME) if DEFAULT_DATA_HOME.exists() else None


# ------------------------------------------------------------------------ data
def load_images(dataset, subset, *, data_home=None):
    """Flat float32 images of one subset of a data set, C-contiguous.

    Parameters
    ----------
    dataset : {"mnist", "fashion-mnist"}
    subset : {"train", "test"}
    data_home : str, default=None
        Folder searched first (see :func:`skdae.datasets.load_mnist`).

    Returns
    -------
    X : ndarray of shape (n_images, 784), float32 in [0, 1]
    """
    # the benchmarks' only call of skdae's loaders
    X, _ = _LOADERS[dataset](subset=subset, data_home=data_home, return_X_y=True)
    return np.ascontiguousarray(X, dtype=np.float32)


# ---------------------------------------------------------------------- timing
def synchronize(device):
    """Wait for the work queued on ``device`` (a no-op on the CPU)."""
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn, device="cpu"):
    """Run ``fn()`` once; return (wall seconds, process CPU seconds, result).

    For calls that take seconds (a training epoch, a transform of 10,000
    images), repeated by the caller in interleaved, rotating order so that every
    variant sees the same load; :func:`timer_seconds` would run each call twice
    more as warm-up and cannot interleave variants.
    """
    gc.collect()
    synchronize(device)
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    synchronize(device)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def timer_seconds(fn, *, min_run_time=0.2, threads=None):
    """Median seconds of one ``fn()`` call, by ``torch.utils.benchmark.Timer``.

    The Timer warms up, synchronises the accelerator, picks the number of calls
    per measurement and runs with ``threads`` torch threads (default: the
    current number): use it for calls short enough to repeat (a matrix
    multiplication, a transform of a few thousand images).
    """
    timer = Timer(
        stmt="fn()",
        globals={"fn": fn},
        num_threads=threads or torch.get_num_threads(),
    )
    return timer.blocked_autorange(min_run_time=min_run_time).median


def summary(values):
    """Median, min, max, quartiles and the values themselves (sorted)."""
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


def interleaved(variants, repeats, device, *, after_round=None):
    """Wall and CPU seconds of every variant, ``repeats`` rounds, rotating order.

    ``variants`` maps names to zero-argument callables. Round ``r`` starts with
    variant ``r % len(variants)``, so that no variant always runs first.
    ``after_round()``, when given, runs after every round (a measurement that
    should see the same load as the variants).
    """
    names = list(variants)
    walls = {name: [] for name in names}
    cpus = {name: [] for name in names}
    for rep in range(repeats):
        k = rep % len(names)
        for name in names[k:] + names[:k]:
            wall, cpu, _ = timed(variants[name], device)
            walls[name].append(wall)
            cpus[name].append(cpu)
        if after_round is not None:
            after_round()
    return walls, cpus


def paired_ratios(baseline_walls, walls):
    """Per-round ratio baseline time / variant time (> 1: the variant is faster)."""
    return summary([b / w for b, w in zip(baseline_walls, walls)])


# ----------------------------------------------------------------- environment
def package_version(name):
    """Installed version of ``name``, else its ``__version__``, else None."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:  # e.g. skdae from a checkout
        module = sys.modules.get(name.replace("-", "_"))
        return getattr(module, "__version__", None)


def cpu_model():
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    name = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return name


def machine():
    """The machine, its load and torch's threads and accelerator."""
    return {
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else None,
        # other jobs on the machine slow the timings down: record the load
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "torch_num_threads": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "cuda_device": torch.cuda.get_device_name()
        if torch.cuda.is_available()
        else None,
        "cuda_version": torch.version.cuda,
    }


def versions(packages):
    """Python's version and those of ``packages`` (None where one is missing)."""
    return {"python": platform.python_version()} | {
        name: package_version(name) for name in packages
    }


def warn_if_loaded(load_average):
    """Say so when the machine runs more than one job per CPU."""
    if load_average and load_average[0] > (os.cpu_count() or 1):
        print(
            f"Note: load average {load_average[0]:.1f} > {os.cpu_count()} CPUs: the "
            "machine is shared; absolute timings are noisy (compare the ratios), and "
            "with several threads per process try --threads 1."
        )


# ---------------------------------------------------------------------- output
def now():
    """The local time, for file names and the ``date`` of a record."""
    return datetime.datetime.now().astimezone()


def write_json(path, document):
    """Write ``document`` as indented JSON (NumPy scalars as numbers)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, default=_json_default) + "\n")


def jsonable(value):
    """``value`` as JSON writes it: NumPy scalars as numbers, tuples as lists."""
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return value


def _json_default(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def markdown_table(title, header, rows):
    """A Markdown table under a ``###`` title (ready to paste into the README)."""
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def print_table(title, header, rows):
    """Print :func:`markdown_table` and return its text."""
    text = markdown_table(title, header, rows)
    print("\n" + text, flush=True)
    return text


def number(x, digits=0):
    """``x`` with thousands separators."""
    return f"{x:,.{digits}f}"


def log(message):
    """Print ``message`` with the time of day."""
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)
