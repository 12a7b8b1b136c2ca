"""
=====================================
Comparison with classical denoisers
=====================================

How does a denoising autoencoder compare with classical image denoisers on
the same noisy MNIST test digits? We compare

- a **median filter** (:func:`scipy.ndimage.median_filter`),
- **total-variation** denoising
  (:func:`skimage.restoration.denoise_tv_chambolle`),
- **non-local means** (:func:`skimage.restoration.denoise_nl_means`, with the
  noise level estimated by :func:`skimage.restoration.estimate_sigma`),
- **PCA** (:class:`sklearn.decomposition.PCA` fitted on clean training digits;
  a noisy digit is projected onto the principal components and reconstructed),
- the reference **denoising autoencoder** (:class:`~skdae.DenoisingAutoencoder`),

with PSNR and SSIM. Each classical method has one parameter, which we tune on
a small held-out slice of *training* images, never on the test images used for
the comparison.
"""

# %%
# Data
# ----
# Clipped Gaussian noise with ``sigma=0.5``, as in the reference recipe. The
# training images are split into the images the autoencoder and the PCA learn
# from and a small tuning slice for the parameters of the classical methods.
import time

import matplotlib.pyplot as plt
import numpy as np
from scipy.ndimage import median_filter
from skimage.restoration import denoise_nl_means, denoise_tv_chambolle, estimate_sigma
from sklearn.decomposition import PCA

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.datasets import load_mnist
from skdae.metrics import psnr, ssim
from skdae.plotting import DenoisingComparisonDisplay

N_TRAIN, N_TUNE, N_TEST, N_EPOCHS = 4000, 100, 500, 3

# The MNIST files are read from $SKDAE_DATA_HOME or ~/skdae_data, or downloaded
# there with torchvision when found nowhere (download=True).
X_train_all = load_mnist(download=True).data
X_train = X_train_all[:N_TRAIN]
X_tune = X_train_all[N_TRAIN : N_TRAIN + N_TUNE]
X_test = load_mnist(subset="test", download=True).data[:N_TEST]
print(
    f"training images 0-{N_TRAIN - 1} (autoencoder, PCA), {N_TUNE} further training "
    f"images to tune the classical methods, the first {N_TEST} test images to "
    f"compare; autoencoder trained for {N_EPOCHS} epochs"
)

X_tune_noisy = GaussianNoise(0.5, random_state=2).fit_transform(X_tune)
X_test_noisy = GaussianNoise(0.5, random_state=1).fit_transform(X_test)

# %%
# The classical denoisers
# -----------------------
# Each function denoises a batch of flat images with one parameter value. The
# filters work on the 28 x 28 images one at a time (the median filter on the
# whole stack with a window that does not mix images).


def as_images(X):
    return X.reshape(-1, 28, 28)


def median(X, size):
    return median_filter(as_images(X), size=(1, size, size)).reshape(len(X), -1)


def total_variation(X, weight):
    return np.stack(
        [denoise_tv_chambolle(image, weight=weight) for image in as_images(X)]
    ).reshape(len(X), -1)


def nl_means(X, h_factor):
    out = []
    for image in as_images(X).astype(np.float64):
        sigma = estimate_sigma(image)
        out.append(
            denoise_nl_means(
                image,
                h=h_factor * sigma,
                sigma=sigma,
                patch_size=5,
                patch_distance=6,
                fast_mode=True,
            )
        )
    return np.stack(out).reshape(len(X), -1)


pca_models = {}


def pca(X, n_components):
    if n_components not in pca_models:  # fitted once, on the clean training images
        pca_models[n_components] = PCA(n_components, random_state=0).fit(X_train)
    model = pca_models[n_components]
    return np.clip(model.inverse_transform(model.transform(X)), 0, 1)


classical = {
    "median filter": (median, "size", [3, 5]),
    "total variation": (total_variation, "weight", [0.1, 0.2, 0.4, 0.8]),
    "non-local means": (nl_means, "h / sigma", [0.2, 0.4, 0.8, 1.2]),
    "PCA": (pca, "n_components", [16, 32, 64, 128]),
}

# %%
# Tune each parameter on the tuning slice
# ---------------------------------------
# The value with the best mean PSNR on the noisy tuning images wins.

best = {}
for name, (denoise, param, values) in classical.items():
    scores = [psnr(X_tune, denoise(X_tune_noisy, value)) for value in values]
    best[name] = values[int(np.argmax(scores))]
    tried = ", ".join(f"{v}: {s:.2f}" for v, s in zip(values, scores))
    print(f"{name:<16} {param} -> PSNR on the tuning slice  {tried}")
    print(f"{'':<16} chosen {param} = {best[name]}")

# %%
# Train the denoising autoencoder
# -------------------------------
# The reference network, trained from the clean training images with fresh
# Gaussian noise on every batch (a shortened schedule: a few epochs, batches of
# 64, ``lr=2e-3``).

start = time.perf_counter()
dae = DenoisingAutoencoder(
    noise=GaussianNoise(0.5),
    max_epochs=N_EPOCHS,
    batch_size=64,
    lr=2e-3,
    random_state=0,
).fit(X_train)
print(f"autoencoder trained in {time.perf_counter() - start:.1f} s")

# %%
# Compare on the test images
# --------------------------

outputs = {"noisy input": X_test_noisy}
seconds = {"noisy input": 0.0}
labels = {"noisy input": "noisy input"}
for name, (denoise, param, _) in classical.items():
    start = time.perf_counter()
    outputs[name] = denoise(X_test_noisy, best[name])
    seconds[name] = time.perf_counter() - start
    labels[name] = f"{name} ({param}={best[name]})"
start = time.perf_counter()
outputs["autoencoder"] = dae.transform(X_test_noisy)
seconds["autoencoder"] = time.perf_counter() - start
labels["autoencoder"] = "denoising autoencoder"

print(f"{'method':<36}{'PSNR (dB)':>10}{'SSIM':>8}{'time (s)':>10}")
for name, images in outputs.items():
    print(
        f"{labels[name]:<36}{psnr(X_test, images):>10.2f}"
        f"{ssim(X_test, images):>8.3f}{seconds[name]:>10.2f}"
    )

# %%
# A few test digits, with the PSNR of each image:

denoised = {name: images for name, images in outputs.items() if name != "noisy input"}
disp = DenoisingComparisonDisplay.from_predictions(
    X_test, X_test_noisy, denoised, n_images=6
)
for ax in disp.axes_[:, 0]:
    ax.set_ylabel(ax.get_ylabel().replace(" ", "\n", 1), fontsize="small")
plt.show()

# %%
# Discussion
# ----------
# Clipped Gaussian noise of ``sigma=0.5`` is heavy: on the black background,
# where most MNIST pixels are, clipping leaves only the positive half of the
# noise, so the noise is not even zero-mean. The local filters (median, total
# variation, non-local means) assume zero-mean noise and have no notion of
# what a digit looks like, so they keep a grey haze and blur the strokes. PCA
# knows the digits through its components but reconstructs every image from
# the same few of them, and noise that falls into those components stays. The
# autoencoder learns both the shape of digits and the statistics of this very
# noise from the training images, and it is the clear winner on both metrics,
# even after a short training; it is also fast at test time, once trained.
