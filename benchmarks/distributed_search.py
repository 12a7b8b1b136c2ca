"""One grid search three ways: sequential, on loky processes, on a Dask cluster.

``python -m benchmarks search [options]`` runs the same ``GridSearchCV`` over a
``Pipeline(GaussianNoise, DenoisingAutoencoder)`` on MNIST training images

* with ``n_jobs=1`` (one process, one torch thread);
* with ``n_jobs=N`` on joblib's default loky backend (N worker processes, which
  loky limits to ``cpu_count // N`` threads each);
* inside ``joblib.parallel_config(backend="dask")`` against a
  ``distributed.LocalCluster`` of N worker processes of one thread each (the
  user guide's setting; distributed's nanny gives each torch one thread).

Each way runs ``--repeats`` times in rotating order, after one warm-up search
(which pays the start of the processes and their imports: reported apart, as
``first search``). The table gives the median wall time, the speed-up over the
sequential search, and the overhead per fit: ``(wall * N - sequential wall) /
fits``, the worker-seconds a fit costs beyond its own computation (process
start-up excluded, data transfer and task handling included), and the same
in CPU seconds of this process and its worker processes, which other jobs on a
shared machine do not inflate. The scores of every way are checked to equal the
sequential ones bit for bit.

Needs ``pip install "skdae[distributed]"`` (which brings psutil, used for the
CPU times).
"""

import argparse
import statistics
import time

import joblib
import numpy as np
import torch
from sklearn.model_selection import GridSearchCV, ParameterGrid
from sklearn.pipeline import Pipeline

from skdae import DenoisingAutoencoder, GaussianNoise

from .harness import (
    RESULTS_DIR,
    default_data_home,
    load_images,
    log,
    machine,
    now,
    print_table,
    versions,
    warn_if_loaded,
    write_json,
)


def make_search(args, n_jobs=None):
    """The benchmark's search: ``lr`` x training noise level, ``--cv`` folds."""
    pipe = Pipeline(
        [
            ("noise", GaussianNoise(0.5, random_state=0)),
            (
                "dae",
                DenoisingAutoencoder(
                    max_epochs=args.epochs,
                    batch_size=args.batch_size,
                    device="cpu",
                    random_state=0,
                ),
            ),
        ]
    )
    grid = {"dae__lr": [1e-3, 3e-3], "noise__sigma": [0.3, 0.5]}
    return GridSearchCV(pipe, grid, cv=args.cv, n_jobs=n_jobs)


def process_tree_cpu_seconds():
    """CPU seconds used so far by this process and its live child processes.

    The loky and LocalCluster workers are children of this process and live
    across searches, so the difference over a search is the CPU time the whole
    search cost, whatever else runs on the machine.
    """
    import psutil

    total = 0.0
    me = psutil.Process()
    for process in [me, *me.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def run_search(search, X):
    """Wall seconds, CPU seconds of the process tree, and the mean scores."""
    cpu, start = process_tree_cpu_seconds(), time.perf_counter()
    search.fit(X, X)
    wall = time.perf_counter() - start
    cpu = process_tree_cpu_seconds() - cpu
    return wall, cpu, search.cv_results_["mean_test_score"]


def start_cluster(n_workers):
    """A LocalCluster of ``n_workers`` processes of one thread, and its Client."""
    import distributed

    start = time.perf_counter()
    cluster = distributed.LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    client.wait_for_workers(n_workers, timeout=120)
    return cluster, client, time.perf_counter() - start


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m benchmarks search", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--images", type=int, default=2000, help="MNIST training images")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=20)
    p.add_argument("--cv", type=int, default=2)
    p.add_argument(
        "--workers", type=int, default=2, help="processes of the loky and Dask searches"
    )
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--data-home", default=default_data_home())
    p.add_argument("--output", default=None, help="JSON file")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(1)  # the sequential search: one thread, as each worker
    document = {
        "benchmark": "distributed-search",
        "date": now().isoformat(),
        "settings": vars(args),
        "machine": machine(),
    }
    warn_if_loaded(document["machine"]["load_average_at_start"])
    X = load_images("mnist", "train", data_home=args.data_home)[: args.images]
    n_fits = len(ParameterGrid(make_search(args).param_grid)) * args.cv
    log(f"{len(X)} images, {n_fits} fits per search, {args.workers} workers")

    cluster, client, cluster_start = start_cluster(args.workers)
    log(f"LocalCluster started in {cluster_start:.1f} s")
    ways = {
        "sequential (n_jobs=1)": lambda: run_search(make_search(args, n_jobs=1), X),
        f"loky (n_jobs={args.workers})": lambda: run_search(
            make_search(args, n_jobs=args.workers), X
        ),
        f"Dask LocalCluster ({args.workers}x1 thread)": lambda: _on_dask(args, X),
    }
    first, scores = {}, {}
    walls, cpus = {name: [] for name in ways}, {name: [] for name in ways}
    try:
        for name, way in ways.items():  # warm-up: process start-up and imports
            first[name], _, scores[name] = way()
            log(f"first search, {name}: {first[name]:.1f} s")
        names = list(ways)
        for r in range(args.repeats):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                wall, cpu, got = ways[name]()
                walls[name].append(wall)
                cpus[name].append(cpu)
                np.testing.assert_array_equal(got, scores[name])
                log(f"{name}: {wall:.1f} s, {cpu:.1f} CPU s")
    finally:
        client.close()
        cluster.close()

    baseline = statistics.median(walls[names[0]])
    baseline_cpu = statistics.median(cpus[names[0]])
    rows, results = [], {}
    for i, name in enumerate(names):
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        workers = 1 if i == 0 else args.workers
        overhead = (wall * workers - baseline) / n_fits
        cpu_overhead = (cpu - baseline_cpu) / n_fits
        equal = bool(np.array_equal(scores[name], scores[names[0]]))
        results[name] = {
            "seconds": walls[name],
            "median_seconds": wall,
            "cpu_seconds": cpus[name],
            "median_cpu_seconds": cpu,
            "first_search_seconds": first[name],
            "speedup_over_sequential": baseline / wall,
            "overhead_seconds_per_fit": overhead,
            "cpu_overhead_seconds_per_fit": cpu_overhead,
            "scores_equal_sequential": equal,
        }
        rows.append(
            [
                name,
                f"{first[name]:.1f}",
                f"{wall:.1f}",
                f"{baseline / wall:.2f}x",
                "-" if i == 0 else f"{overhead:+.2f}",
                f"{cpu:.1f}",
                "-" if i == 0 else f"{cpu_overhead:+.2f}",
                "yes" if equal else "NO",
            ]
        )
    print_table(
        f"Grid search of {n_fits} fits ({len(X)} MNIST images, {args.epochs} "
        f"epoch(s), cv={args.cv}); LocalCluster start {cluster_start:.1f} s",
        [
            "search",
            "first search (s)",
            "median (s)",
            "speed-up",
            "overhead per fit (worker-s)",
            "CPU (s)",
            "CPU overhead per fit (s)",
            "scores = sequential",
        ],
        rows,
    )
    document.update(
        results=results,
        fits_per_search=n_fits,
        cluster_start_seconds=cluster_start,
        versions=versions(
            ["skdae", "torch", "scikit-learn", "joblib", "dask", "distributed"]
        ),
    )
    out = args.output or RESULTS_DIR / f"distributed-search-{now():%Y-%m-%d}.json"
    write_json(out, document)
    log(f"wrote {out}")
    return 0


def _on_dask(args, X):
    with joblib.parallel_config(backend="dask"):
        return run_search(make_search(args), X)


if __name__ == "__main__":
    raise SystemExit(main())
