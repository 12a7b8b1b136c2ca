"""Quality against classical denoisers: the reference recipe on six noise settings.

For clipped Gaussian noise 0.1 / 0.3 / 0.5 and salt-and-pepper noise 0.05 /
0.1 / 0.2: the noisy input, the reference network trained with that noise
(the reference recipe: 20 epochs, batch 20, Adam 1e-3, MSE at full scale) and
every classical denoiser with its parameter tuned on held-out training images.
"""

from .noise_settings import label

NOISES = ("gauss-0.1", "gauss-0.3", "gauss-0.5", "sp-0.05", "sp-0.1", "sp-0.2")


def classical(run, report):
    """The reference network against every classical denoiser."""
    for key in NOISES:
        rows = [run.noisy_row(key), run.model_row("reference", key)]
        rows += [run.classical_row(m, key) for m in run.methods]
        report.add(
            "classical_denoisers", key, rows, f"Classical denoisers -- {label(key)}"
        )


EXPERIMENTS = {"classical": classical}
