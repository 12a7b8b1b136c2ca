"""Quality of the architectures: reference, residual and U-Net, same recipe.

Three noise settings, each with its goal: clipped Gaussian 0.5 (best
architecture >= reference + 2 dB), salt and pepper 0.2 (best architecture >=
median 3x3 + 5 dB), unclipped Gaussian 25/255 (best architecture > non-local
means, and > BM3D on the BM3D subset).
"""

from .noise_settings import label
from .quality_run import ARCHITECTURES, best

GROUP = "architectures"


def _architecture_rows(run, key):
    return [run.noisy_row(key)] + [run.model_row(a, key) for a in ARCHITECTURES]


def gaussian_05(run, report):
    key = "gauss-0.5"
    rows = _architecture_rows(run, key)
    ref, top = rows[1], best(rows[2:])
    report.target(
        GROUP,
        "Gaussian 0.5: best architecture >= reference + 2 dB (same recipe)",
        top["psnr"] - ref["psnr"],
        2.0,
        f"{top['method']} {top['psnr']:.2f} dB vs reference {ref['psnr']:.2f} dB",
    )
    report.add(GROUP, key, rows, f"Architectures -- {label(key)}")


def salt_pepper_02(run, report):
    key = "sp-0.2"
    rows = _architecture_rows(run, key)
    top = best(rows[1:])
    median = run.classical_row("median 3x3", key)
    rows.append(median)
    report.target(
        GROUP,
        "salt & pepper 0.2: best architecture >= median 3x3 + 5 dB",
        top["psnr"] - median["psnr"],
        5.0,
        f"{top['method']} {top['psnr']:.2f} dB vs median {median['psnr']:.2f} dB",
    )
    report.add(GROUP, key, rows, f"Architectures -- {label(key)}")


def gaussian_25(run, report):
    key = "gauss-25"
    rows = _architecture_rows(run, key)
    top = best(rows[1:])
    nlm = run.classical_row("non-local means", key)
    rows.append(nlm)
    report.target(
        GROUP,
        "Gaussian 25/255 unclipped: best architecture > non-local means",
        top["psnr"] - nlm["psnr"],
        0.0,
        f"{top['method']} {top['psnr']:.2f} dB vs NLM {nlm['psnr']:.2f} dB",
        strict=True,
    )
    if "BM3D" in run.methods:
        bm3d = run.classical_row("BM3D", key)
        rows.append(bm3d)
        report.target(
            GROUP,
            "Gaussian 25/255 unclipped: best architecture > BM3D "
            f"(first {run.n_bm3d} test images)",
            top["psnr_subset"] - bm3d["psnr"],
            0.0,
            f"{top['method']} {top['psnr_subset']:.2f} dB vs BM3D "
            f"{bm3d['psnr']:.2f} dB",
            strict=True,
        )
    else:
        run.notes.append(
            "Gaussian 25/255: the BM3D goal is not evaluated (BM3D not run)"
        )
    report.add(GROUP, key, rows, f"Architectures -- {label(key)}")


EXPERIMENTS = {
    "arch-gauss-0.5": gaussian_05,
    "arch-sp-0.2": salt_pepper_02,
    "arch-gauss-25": gaussian_25,
}
