"""Scaling: time per image of ``fit`` and ``transform`` from 1,000 to 60,000 images.

Flatness is the spread (max / min) of the time per image over the sizes of at
least 4,000 images: the 1,000-image point carries the fixed costs (validation,
building the network, cold caches).
"""

import statistics

from .harness import print_table, timed
from .loops import skdae_fit


def measure_scaling(X, *, fit_sizes, transform_sizes, repeats, batch, device):
    """The ``scaling`` record of the speed JSON."""
    record = {"batch_size": batch, "fit": {}, "transform": {}}
    skdae_fit(X[:500], batch, device)  # warm-up
    model = skdae_fit(X[:1000], batch, device)
    model.transform(X[:1000])
    calls = {
        "fit": (fit_sizes, lambda n: skdae_fit(X[:n], batch, device)),
        "transform": (transform_sizes, lambda n: model.transform(X[:n])),
    }
    rows = []
    for kind, (sizes, call) in calls.items():
        for n in sizes:
            walls = [
                timed(lambda n=n, call=call: call(n), device)[0] for _ in range(repeats)
            ]
            wall = statistics.median(walls)
            record[kind][str(n)] = {"seconds": walls, "us_per_image": wall / n * 1e6}
            label = "fit (1 epoch)" if kind == "fit" else kind
            rows.append([label, n, f"{wall:.2f}", f"{wall / n * 1e6:.0f}"])
    flat = {}
    for kind in calls:
        per = [v["us_per_image"] for k, v in record[kind].items() if int(k) >= 4000]
        ratio = max(per) / min(per) if per else None
        record[kind + "_flatness_max_over_min"] = ratio
        flat[kind] = "n/a" if ratio is None else f"{ratio:.2f}"
    print_table(
        f"Scaling on {device}: Fashion-MNIST training images, batch {batch} "
        f"(fit flatness {flat['fit']}, transform flatness {flat['transform']}: "
        "max/min time per image over n >= 4k)",
        ["operation", "images", "seconds", "us per image"],
        rows,
    )
    return record
