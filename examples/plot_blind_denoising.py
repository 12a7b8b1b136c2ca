"""
======================================================
Blind denoising: one model for a range of noise levels
======================================================

A denoiser trained at one noise level does poorly at another: trained for
sigma 0.5 it smooths away detail that light noise leaves intact, trained for
sigma 0.1 it leaves heavy noise in. In practice the noise level is rarely known,
so we want one *blind* model that works across a range of levels.

``GaussianNoise(sigma=(0.1, 0.5))`` draws a level per image, so a single
:class:`~skdae.DenoisingAutoencoder` sees the whole range while it trains. How
it weighs the images matters: with the mean squared error, the heavily
corrupted images dominate the loss and the blind model neglects light noise.
``loss="psnr"`` (:class:`~skdae.losses.PSNRLoss`) minimises minus the mean
per-image PSNR instead, where every image weighs the same.

To keep this example fast on a CPU, the U-Nets are small and see 1,500 MNIST
images for 3 epochs; ``python -m benchmarks quality --only blind`` has the full-scale
comparison.
"""

# %%
# Data
# ----
import numpy as np

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.architectures import UNet
from skdae.datasets import load_mnist
from skdae.metrics import psnr
from skdae.plotting import DenoisingComparisonDisplay, NoiseLevelDisplay

# The MNIST files are read from $SKDAE_DATA_HOME or ~/skdae_data, or downloaded
# there with torchvision when found nowhere (download=True).
X_train = load_mnist(download=True).data[:1500]
X_test = load_mnist(subset="test", download=True).data[:500]
test_levels = np.round(np.arange(0.05, 0.651, 0.05), 2)
noisy = {
    s: GaussianNoise(sigma=s, random_state=1).transform(X_test) for s in test_levels
}
EPOCHS = 3
print(f"{len(X_train)} training and {len(X_test)} test images, {EPOCHS} epochs")


def make_dae(sigma, loss="mse"):
    return DenoisingAutoencoder(
        noise=GaussianNoise(sigma=sigma),
        architecture=UNet(depth=2, channels=8),
        loss=loss,
        max_epochs=EPOCHS,
        batch_size=32,
        random_state=0,
    )


# %%
# One model per level, and two blind models
# -----------------------------------------
# Three models each trained at one level, and two blind models trained over
# sigma in [0.1, 0.5], one with each loss. All five see the same images for
# the same number of epochs.
models = {f"trained at {s}": make_dae(s).fit(X_train) for s in (0.1, 0.3, 0.5)}
models["blind, MSE loss"] = make_dae((0.1, 0.5)).fit(X_train)
models["blind, PSNR loss"] = make_dae((0.1, 0.5), loss="psnr").fit(X_train)

scores = {
    name: np.array([psnr(X_test, dae.transform(noisy[s])) for s in test_levels])
    for name, dae in models.items()
}

print(f"{'test sigma':24}" + "".join(f"{s:>8}" for s in (0.1, 0.3, 0.5)))
for name, values in scores.items():
    row = [values[np.flatnonzero(test_levels == s)[0]] for s in (0.1, 0.3, 0.5)]
    print(f"{name:24}" + "".join(f"{v:8.2f}" for v in row))

# %%
# PSNR across noise levels
# ------------------------
# Each single-level model is best near its own level and falls off away from
# it. The blind models stay close to the best single-level model over the whole
# training range, and the PSNR loss keeps the blind model closer at light
# noise. Outside the training range (sigma above 0.5) every model degrades.
disp = NoiseLevelDisplay(
    test_levels,
    np.array(list(scores.values())),
    None,
    param_name="test noise sigma",
    score_name="PSNR (dB)",
    curve_labels=list(scores),
    reference_scores=[psnr(X_test, noisy[s]) for s in test_levels],
).plot()
for line, name in zip(disp.lines_, scores):
    if name.startswith("blind"):
        line.set_linewidth(2.5)
    else:
        line.set_linestyle(":")
disp.ax_.axvspan(0.1, 0.5, color="0.9", zorder=0, label="blind training range")
disp.ax_.legend(fontsize=8)
disp.ax_.set_title("Small U-Nets on MNIST, 3 epochs")

# %%
# What the blind model makes of light and heavy noise
# ---------------------------------------------------
# The same network removes light and heavy noise without being told the level.
# At heavy noise it leaves a faint texture in the background: the price of
# weighing light noise as much as heavy noise, which shows more in SSIM than in
# PSNR (``benchmarks/README.md`` has both at full scale). Each image is titled
# with its PSNR against the clean digit of the bottom row.
blind = models["blind, PSNR loss"]
shown = slice(0, 6)
rows = {
    "sigma 0.1": noisy[0.1][shown],
    "denoised (0.1)": blind.transform(noisy[0.1][shown]),
    "sigma 0.5": noisy[0.5][shown],
    "denoised (0.5)": blind.transform(noisy[0.5][shown]),
    "clean": X_test[shown],
}
disp = DenoisingComparisonDisplay(rows, reference="clean").plot()
disp.figure_.suptitle("One blind model (PSNR loss), two noise levels")
