"""
===================================
When self-supervision fails
===================================

Self-supervised training (``training="neighbor2neighbor"`` or
``"noise2self"``) learns from noisy images alone because the noise of a pixel
cannot be predicted from the other pixels: it is independent from pixel to
pixel and has mean zero. Real noise does not always behave. This example
trains the same self-supervised U-Net on one photograph under three kinds of
noise of similar strength:

* independent Gaussian noise, as the method assumes;
* *correlated* noise, shared by neighbouring pixels (as after demosaicing,
  JPEG compression or resampling);
* *clipped* noise, saturated at black and white (as in an 8-bit image of a
  scene with deep shadows), which no longer has mean zero there.

See :ref:`self_supervised` for what to do about each.
"""

# %%
# Three noisy versions of one photograph
# --------------------------------------
# The correlated noise is white noise averaged over 2x2 windows (then scaled
# back to the same standard deviation, 0.1), so every pixel shares its noise
# with its neighbours. The clipped noise is stronger (0.2) to make its
# saturation visible: the camera man's coat is nearly black.
import matplotlib.pyplot as plt
import numpy as np
from scipy import ndimage
from skimage import data

from skdae import DenoisingAutoencoder
from skdae.architectures import UNet
from skdae.metrics import psnr

clean = data.camera()[::2, ::2] / 255.0  # 256x256
rng = np.random.default_rng(0)
white = rng.normal(0, 1, clean.shape)
shared = ndimage.uniform_filter(white, 2)
shared /= shared.std()
noisy = {
    "independent": clean + 0.1 * white,
    "correlated": clean + 0.1 * shared,
    "clipped": np.clip(clean + 0.2 * white, 0, 1),
}

# %%
# The same self-supervised model for each
# ---------------------------------------
# Trained on 16 crops of 64x64 of each noisy photograph, with the settings of
# :ref:`sphx_glr_auto_examples_plot_self_supervised.py`. The figure shows the
# middle of the photograph; the PSNRs are of the whole of it.


def crops(image):
    return image.reshape(4, 64, 4, 64).swapaxes(1, 2).reshape(16, 64, 64)


dark = clean < 0.15  # the coat and the shadows: 26 % of the pixels
denoised = {}
for name, image in noisy.items():
    dae = DenoisingAutoencoder(
        training="neighbor2neighbor",
        architecture=UNet(channels=16),
        patch_size=48,
        augment=True,
        patches_per_epoch=64,
        max_epochs=40,
        batch_size=8,
        lr=3e-3,
        random_state=0,
    ).fit(crops(image))
    denoised[name] = dae.transform(image[np.newaxis])[0]
    bias = (denoised[name] - clean)[dark].mean()
    print(
        f"{name:>11}: noisy {psnr(clean, image):.2f} dB -> denoised "
        f"{psnr(clean, denoised[name]):.2f} dB; mean error in the shadows {bias:+.3f}"
    )

fig, axes = plt.subplots(2, 3, figsize=(10, 7), layout="constrained")
for column, name in enumerate(noisy):
    for row, image in enumerate((noisy[name], denoised[name])):
        ax = axes[row, column]
        ax.imshow(np.clip(image, 0, 1)[96:224, 64:192], cmap="gray", vmin=0, vmax=1)
        kind = "noisy" if row == 0 else "denoised"
        ax.set_title(f"{name} noise, {kind}\n{psnr(clean, image):.2f} dB")
        ax.axis("off")
plt.show()

# %%
# What the figure shows
# ---------------------
# (The numbers below were measured on one machine; they move by about a tenth
# of a dB with the number of CPU threads.) With independent noise the model
# gains about 8 dB (20.0 to about 28.3 dB). With correlated noise of the same
# strength it gains about 2.5 dB (to about 22.5 dB):
# a pixel's noise *can* be predicted from its neighbours, so the network
# learns to keep the blotches, which are as much "signal" to it as the
# photograph. Noise2self does no better here (20.7 dB in a check outside this
# example). With clipped noise the shadows come out lighter than they are
# (mean error about +0.06 in the dark pixels, against +0.01 or less with
# independent noise):
# near black only upward noise survives the clipping, so the noisy mean,
# which self-supervision learns, is biased.
#
# What to do: for correlated noise, sub-sample the images (keep every second
# pixel in each direction) until neighbours no longer share noise, or take two
# independent exposures and use Noise2Noise, ``fit(noisy_a, noisy_b)``. For
# clipped noise, work on the raw (unclipped) data if the camera gives it, or
# train the supervised model on clean images with
# ``GaussianNoise(sigma, clip=True)``, which learns the clipping.
