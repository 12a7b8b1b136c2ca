"""Inference speed: ``transform`` against a plain ``inference_mode`` loop.

The plain loop's batch size is swept first and the fastest one is the baseline
(``plain@<batch>``); skdae's chunk size can be swept too, through
``skdae.config_context(inference_batch_size=...)``. Then every variant denoises
the whole test set in interleaved repeats.
"""

import skdae

from .harness import (
    interleaved,
    number,
    paired_ratios,
    print_table,
    summary,
    timer_seconds,
)
from .loops import plain_module_like, plain_transform


def sweep_plain_batch(module, X, batches, device):
    """Images/s of the plain loop at each batch size (torch.utils.benchmark.Timer)."""
    return {
        b: len(X) / timer_seconds(lambda b=b: plain_transform(module, X, b, device))
        for b in batches
    }


def sweep_skdae_chunk(dae, X, batches):
    """Images/s of ``dae.transform`` at each ``inference_batch_size``."""
    speeds = {}
    for b in batches:
        with skdae.config_context(inference_batch_size=b):
            speeds[b] = len(X) / timer_seconds(lambda: dae.transform(X))
    return speeds


def measure_inference(
    dae,
    X,
    *,
    device,
    repeats,
    sweep_n,
    batches,
    plain_512=False,
    skdae_sweep=False,
    amp_variant=False,
):
    """The ``inference`` record of the speed JSON for a fitted ``dae``."""
    n = len(X)
    sweep_x = X[:sweep_n]
    plain = plain_module_like(dae, device)
    plain_transform(plain, X[:1000], 512, device)  # warm-up
    dae.transform(X[:1000])
    sweep = sweep_plain_batch(plain, sweep_x, batches, device)
    best = max(sweep, key=sweep.get)
    chunk_sweep = sweep_skdae_chunk(dae, sweep_x, batches) if skdae_sweep else {}

    variants = {"skdae": lambda: dae.transform(X)}
    if plain_512 or best == 512:
        variants["plain@512"] = lambda: plain_transform(plain, X, 512, device)
    if best != 512:
        variants[f"plain@{best}"] = lambda: plain_transform(plain, X, best, device)
    if skdae_sweep and device == "cpu":
        plain_cl = plain_module_like(dae, device, channels_last=True)
        plain_transform(plain_cl, X[:1000], best, device)  # warm-up
        variants[f"plain+CL@{best}"] = lambda: plain_transform(
            plain_cl, X, best, device
        )
    if amp_variant:
        variants[f"plain-bf16@{best}"] = lambda: plain_transform(
            plain, X, best, device, amp=True
        )
    walls, _ = interleaved(variants, repeats, device)

    record = {"n_images": n, "plain_batch_sweep": sweep, "best_plain_batch": best}
    if chunk_sweep:
        record["skdae_batch_sweep"] = chunk_sweep
    baseline = f"plain@{best}"
    rows = []
    for name in variants:
        ips = summary([n / w for w in walls[name]])
        paired = paired_ratios(walls[baseline], walls[name])
        record[name] = {"images_per_s": ips, "paired_ratio_vs_best_plain": paired}
        ratio = ips["median"] / summary([n / w for w in walls[baseline]])["median"]
        rows.append(
            [
                name,
                number(ips["median"]),
                f"{number(ips['min'])}-{number(ips['max'])}",
                f"{ratio:.2f}",
                f"{paired['median']:.2f} ({paired['min']:.2f}-{paired['max']:.2f})",
            ]
        )
    skdae_ips = record["skdae"]["images_per_s"]["median"]
    if "plain@512" in record:
        record["ratio_vs_plain_512"] = (
            skdae_ips / record["plain@512"]["images_per_s"]["median"]
        )
    record["ratio_vs_best_plain"] = (
        skdae_ips / record[baseline]["images_per_s"]["median"]
    )
    sweeps = ", ".join(f"{b}: {number(v)}/s" for b, v in sweep.items())
    if chunk_sweep:
        sweeps += "; skdae chunk sweep: " + ", ".join(
            f"{b}: {number(v)}/s" for b, v in chunk_sweep.items()
        )
    print_table(
        f"Inference speed on {device}: transform of {n} MNIST test images, "
        f"{repeats} interleaved repeats (plain batch sweep on {len(sweep_x)} "
        f"images: {sweeps})",
        [
            "variant",
            "images/s (median)",
            "min-max",
            f"ratio vs plain@{best}",
            "paired ratio (min-max)",
        ],
        rows,
    )
    return record
