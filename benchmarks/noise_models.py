"""Quality on speckle, Poisson and masking noise: skdae against classical denoisers.

For each noise model: the noisy input, skdae's models of ``noise_model_archs``
(default: the reference network and the best architecture at Gaussian 0.5)
and the best of the classical denoisers (BM3D excepted), each tuned on held-out
training images. No goal is set: the comparison is recorded.
"""

from .noise_settings import label
from .quality_run import best

GROUP = "noise_models"


def _compare(run, report, key):
    archs = run.s.get("noise_model_archs") or ["reference", run.best_architecture()]
    archs = list(dict.fromkeys(archs))  # reference and best may coincide
    rows = [run.noisy_row(key)] + [run.model_row(a, key) for a in archs]
    classical = [m for m in run.methods if m != "BM3D"]
    best_classical = best([run.classical_row(m, key) for m in classical])
    rows.append(best_classical)
    top = best(rows[1:-1])
    report.target(
        GROUP,
        f"{label(key)}: best skdae model > best tuned classical "
        f"({best_classical['method']})",
        top["psnr"] - best_classical["psnr"],
        0.0,
        f"{top['method']} {top['psnr']:.2f} dB vs {best_classical['method']} "
        f"{best_classical['psnr']:.2f} dB",
        strict=True,
        goal=False,
    )
    report.add(
        GROUP,
        key,
        rows,
        f"Noise models -- {label(key)} (classical: best of {', '.join(classical)})",
    )


EXPERIMENTS = {
    "speckle": lambda run, report: _compare(run, report, "speckle-0.5"),
    "poisson": lambda run, report: _compare(run, report, "poisson-10"),
    "masking": lambda run, report: _compare(run, report, "masking-0.5"),
}
