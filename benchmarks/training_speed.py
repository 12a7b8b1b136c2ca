"""Training speed: ``DenoisingAutoencoder.fit`` against the plain PyTorch loop.

Every variant of :data:`benchmarks.loops.TRAINING_VARIANTS` trains one epoch on
the same images at each batch size, after a warm-up of each (oneDNN
primitives, the allocator), in interleaved repeats whose order rotates. The
table reports medians, min-max, the ratio of medians to the plain loop and the
*paired* ratio of each repeat to the plain loop of the same round.
"""

from .harness import interleaved, number, paired_ratios, print_table, summary
from .loops import training_run


def measure_training(
    X, *, batches, variants, repeats, warmup_n, device, after_round=None
):
    """Images/s of every variant at every batch size, ``after_round()`` between rounds.

    Returns the ``training`` record of the speed JSON: ``n_images``, ``epochs``,
    ``repeats`` and, per batch size (as a string), per variant: images per
    second (wall and CPU time), the raw seconds and the ratios to ``plain``.
    """
    n = len(X)
    record = {"n_images": n, "epochs": 1, "repeats": repeats}
    rows = []
    for batch in batches:
        for name in variants:  # warm-up
            training_run(name, X[:warmup_n], batch, device)()
        runs = {name: training_run(name, X, batch, device) for name in variants}
        walls, cpus = interleaved(runs, repeats, device, after_round=after_round)
        record[str(batch)] = per_batch = _per_variant(n, walls, cpus)
        rows += [_row(batch, name, per_batch[name]) for name in variants]
    print_table(
        f"Training speed on {device}: {n} MNIST images, 1 epoch, "
        f"{repeats} interleaved repeats after a warm-up",
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
    return record


def _per_variant(n, walls, cpus):
    out = {}
    for name in walls:
        cpu_ips = [n / c for c in cpus[name]] if cpus[name][0] > 0 else None
        out[name] = {
            "images_per_s": summary([n / w for w in walls[name]]),
            "images_per_cpu_s": summary(cpu_ips) if cpu_ips else None,
            "wall_s": walls[name],
            "cpu_s": cpus[name],
        }
    plain = out["plain"]
    for name, res in out.items():
        res["ratio_vs_plain"] = (
            res["images_per_s"]["median"] / plain["images_per_s"]["median"]
        )
        res["paired_ratio_vs_plain"] = paired_ratios(walls["plain"], walls[name])
        if res["images_per_cpu_s"]:
            res["cpu_ratio_vs_plain"] = (
                res["images_per_cpu_s"]["median"] / plain["images_per_cpu_s"]["median"]
            )
    return out


def _row(batch, name, res):
    s, p = res["images_per_s"], res["paired_ratio_vs_plain"]
    return [
        batch,
        name,
        number(s["median"]),
        f"{number(s['min'])}-{number(s['max'])}",
        f"{res['ratio_vs_plain']:.2f}",
        f"{p['median']:.2f} ({p['min']:.2f}-{p['max']:.2f})",
        f"{res.get('cpu_ratio_vs_plain', float('nan')):.2f}",
    ]
