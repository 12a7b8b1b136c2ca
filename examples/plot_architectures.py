"""
===================================================
Comparing architectures: reference, residual, U-Net
===================================================

The reference network is a small convolutional autoencoder whose bottleneck
(64 maps of 7x7 for MNIST) forces it to compress the digit before rebuilding it.
:class:`~skdae.architectures.Residual` (DnCNN-style) and
:class:`~skdae.architectures.UNet` instead predict the *noise* and subtract it
from their input, keeping the fine detail that the bottleneck throws away.

We train the three on the same MNIST images with the same recipe (clipped
Gaussian noise of sigma 0.5, fresh on every epoch) and compare them visually and
by PSNR/SSIM on test images. To keep this example fast on a CPU, each network
is small and sees 1,500 training images for 3 epochs; ``python -m benchmarks quality``
has the full-scale numbers.
"""

# %%
# Data
# ----
import time

import matplotlib.pyplot as plt

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.architectures import Reference, Residual, UNet
from skdae.datasets import load_mnist
from skdae.metrics import psnr, ssim
from skdae.plotting import DenoisingComparisonDisplay

# The MNIST files are read from $SKDAE_DATA_HOME or ~/skdae_data, or downloaded
# there with torchvision when found nowhere (download=True).
X_train = load_mnist(download=True).data[:1500]
X_test = load_mnist(subset="test", download=True).data[:300]
noisy_test = GaussianNoise(sigma=0.5, random_state=1).transform(X_test)
print(f"{len(X_train)} training and {len(X_test)} test images")

# %%
# Training the three architectures with the same recipe
# -----------------------------------------------------
architectures = {
    "reference": Reference(),
    "residual": Residual(depth=6, channels=16),
    "unet": UNet(depth=2, channels=8),
}
results, denoised = {}, {}
for name, architecture in architectures.items():
    dae = DenoisingAutoencoder(
        noise=GaussianNoise(0.5),
        architecture=architecture,
        max_epochs=3,
        batch_size=32,
        random_state=0,
    )
    start = time.perf_counter()
    dae.fit(X_train)
    seconds = time.perf_counter() - start
    denoised[name] = dae.transform(noisy_test)
    results[name] = (
        psnr(X_test, denoised[name]),
        ssim(X_test, denoised[name]),
        seconds,
    )

print(f"{'':12}{'PSNR (dB)':>10}{'SSIM':>8}{'fit (s)':>9}")
print(f"{'noisy':12}{psnr(X_test, noisy_test):>10.2f}{ssim(X_test, noisy_test):>8.3f}")
for name, (p, s, t) in results.items():
    print(f"{name:12}{p:>10.2f}{s:>8.3f}{t:>9.1f}")

# %%
# What the networks make of the same noisy digits
# -----------------------------------------------
# The residual network and the U-Net keep thin strokes that the reference
# network's bottleneck blurs away. Each image is titled with its PSNR against
# the clean digit.
DenoisingComparisonDisplay.from_predictions(X_test, noisy_test, denoised, n_images=8)

# %%
# PSNR per architecture
# ---------------------
fig, ax = plt.subplots(figsize=(5, 3))
names = list(results)
ax.bar(names, [results[n][0] for n in names], color=["C0", "C1", "C2"])
ax.axhline(psnr(X_test, noisy_test), color="k", linestyle="--", label="noisy input")
ax.set_ylabel("PSNR (dB)")
ax.set_title("Gaussian noise, sigma 0.5")
ax.legend(loc="lower right")
fig.tight_layout()
