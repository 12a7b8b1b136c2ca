"""Blind models: one model for Gaussian sigma ~ U[0.1, 0.5] against per-level models.

Every loss of ``blind_losses`` trains one blind model and one model per level
(0.1, 0.3, 0.5), all of architecture ``blind_arch``. The goal compares the
blind model of the last loss with the best per-level model at each level,
whatever its loss: within 0.5 dB.
"""

from .quality_run import best

GROUP = "blind_models"
BLIND_NOISE = "blind-gauss"
LEVELS = ("gauss-0.1", "gauss-0.3", "gauss-0.5")


def blind(run, report):
    arch = run.s.get("blind_arch") or "reference"
    losses = run.s.get("blind_losses") or ["mse"]
    rows = []
    for level in LEVELS:
        rows.append(run.noisy_row(level))
        per_level = [run.model_row(arch, level, loss=loss) for loss in losses]
        blind_rows = [
            run.model_row(
                arch,
                BLIND_NOISE,
                eval_key=level,
                name=f"skdae {arch} blind (loss {loss})",
                loss=loss,
            )
            for loss in losses
        ]
        rows += per_level + blind_rows
        top, last = best(per_level), blind_rows[-1]
        report.target(
            GROUP,
            f"blind {arch} model (loss {losses[-1]}) within 0.5 dB of the best "
            f"per-level model at {level}",
            last["psnr"] - top["psnr"],
            -0.5,
            f"blind {last['psnr']:.2f} dB vs per-level {top['psnr']:.2f} dB "
            f"({top['method']})",
        )
    report.add(
        GROUP,
        BLIND_NOISE,
        rows,
        f"Blind {arch} model, sigma ~ U[0.1, 0.5]",
        noise_column=True,
    )


EXPERIMENTS = {"blind": blind}
