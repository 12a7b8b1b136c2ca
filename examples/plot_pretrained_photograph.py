"""
=========================================================
Denoising a photograph with a shipped pretrained denoiser
=========================================================

skdae ships trained denoisers inside the package (:mod:`skdae.pretrained`):
a photograph is denoised without training anything and without a network
connection. This example denoises ``skimage.data.camera()`` with the shipped
blind grayscale model ``"gray"``, compares it with two classical denoisers of
scikit-image (non-local means, given the true noise level, and wavelet
denoising, which estimates it), and then fine-tunes the model on a few
patches of "one's own" images, here the grass texture of
``skimage.data.grass()``.

Everything runs offline, on the CPU, in well under a minute. The model's
training, size and benchmark figures are in its model card
(:ref:`pretrained`).
"""

# %%
# Three lines
# -----------
# A noisy photograph: ``skimage.data.camera()`` as floats in [0, 1], with
# Gaussian noise of sigma 25 (on the 0-255 scale), not clipped, as the
# standard benchmarks add it. The model is blind: it is not told the level.
import time

import matplotlib.pyplot as plt
import numpy as np
from skimage import data
from skimage.restoration import denoise_nl_means, denoise_wavelet

from skdae import pretrained
from skdae.metrics import psnr

SIGMA = 25 / 255
rng = np.random.default_rng(0)
clean = data.camera().astype(np.float32) / 255
noisy = (clean + SIGMA * rng.standard_normal(clean.shape)).astype(np.float32)

start = time.perf_counter()
dae = pretrained.load("gray")
denoised = dae.transform(noisy[np.newaxis])[0]
skdae_seconds = time.perf_counter() - start

print(pretrained.available()["gray"])
print(
    f"{dae.architecture!r} loaded and applied to a {clean.shape[0]}x"
    f"{clean.shape[1]} photograph in {skdae_seconds:.1f} s"
)

# %%
# Against classical denoisers
# ---------------------------
# NL-means with the settings the benchmark uses (given the true sigma), and
# BayesShrink wavelet denoising, which estimates the noise level itself, as
# the shipped model does. PSNR is in dB against the clean photograph.
start = time.perf_counter()
nl_means = denoise_nl_means(
    noisy, h=0.8 * SIGMA, sigma=SIGMA, patch_size=5, patch_distance=6, fast_mode=True
)
nl_means_seconds = time.perf_counter() - start
start = time.perf_counter()
wavelet = denoise_wavelet(noisy, method="BayesShrink", mode="soft", rescale_sigma=True)
wavelet_seconds = time.perf_counter() - start


def score(image):
    return psnr(clean[np.newaxis], np.clip(image, 0, 1)[np.newaxis])


panels = {
    "clean": (clean, None),
    "noisy (sigma 25)": (noisy, None),
    "wavelet (BayesShrink)": (wavelet, wavelet_seconds),
    "NL-means (true sigma)": (nl_means, nl_means_seconds),
    'skdae pretrained "gray"': (denoised, skdae_seconds),
}
for name, (image, seconds) in panels.items():
    if name != "clean":
        took = "" if seconds is None else f", {seconds:.1f} s"
        print(f"{name:>24}: {score(image):.2f} dB{took}")

fig, axes = plt.subplots(1, 5, figsize=(15, 3.6))
for ax, (name, (image, _)) in zip(axes, panels.items()):
    ax.imshow(np.clip(image, 0, 1), cmap="gray", vmin=0, vmax=1)
    title = name if name == "clean" else f"{name}\n{score(image):.2f} dB"
    ax.set_title(title, fontsize=9)
    ax.axis("off")
fig.tight_layout()

# %%
# Fine-tuning on one's own images
# -------------------------------
# The loaded model is an ordinary fitted
# :class:`~skdae.DenoisingAutoencoder`: ``partial_fit`` trains it on for one
# more epoch, from the shipped weights, on new clean images (it adds the noise
# itself, from its ``noise`` parameter). Here the "own images" are the top
# half of a grass texture, and the bottom half is kept to measure the effect.
# Two hundred patches at a tenth of the learning rate take seconds; the
# shipped files hold no optimizer state, so Adam starts afresh.
grass = data.grass().astype(np.float32) / 255
own_images, held_out = [grass[:256]], grass[256:]
noisy_held_out = held_out + SIGMA * rng.standard_normal(held_out.shape).astype(
    np.float32
)


def held_out_psnr(model):
    estimate = model.transform(noisy_held_out[np.newaxis])[0]
    return psnr(held_out[np.newaxis], np.clip(estimate, 0, 1)[np.newaxis]), estimate


before, before_image = held_out_psnr(dae)
dae.set_params(patches_per_epoch=96, batch_size=16, lr=dae.lr / 10)
start = time.perf_counter()
for _ in range(2):
    dae.partial_fit(own_images)
tuning_seconds = time.perf_counter() - start
after, after_image = held_out_psnr(dae)
print(
    f"held-out grass: {psnr(held_out[None], noisy_held_out[None]):.2f} dB noisy, "
    f"{before:.2f} dB shipped model, {after:.2f} dB after fine-tuning on 2 x 96 "
    f"patches ({tuning_seconds:.0f} s)"
)

fig, axes = plt.subplots(1, 3, figsize=(10, 3.6))
crops = {
    "noisy": noisy_held_out,
    f"shipped model\n{before:.2f} dB": before_image,
    f"fine-tuned on grass\n{after:.2f} dB": after_image,
}
for ax, (name, image) in zip(axes, crops.items()):
    ax.imshow(np.clip(image[:128, :128], 0, 1), cmap="gray", vmin=0, vmax=1)
    ax.set_title(name, fontsize=9)
    ax.axis("off")
fig.tight_layout()

# %%
# The fine-tuned model is saved like any other; ``weights_dtype="float16"``
# and ``include_optimizer=False`` store it as compactly as the shipped ones:
#
# .. code-block:: python
#
#    dae.save("grass_denoiser.skdae", weights_dtype="float16", include_optimizer=False)
#
# From the command line, the shipped models denoise image files directly:
# ``skdae denoise --model gray photo.png denoised.png``.
plt.show()
