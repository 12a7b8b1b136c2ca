"""
==================================
The reference denoising experiment
==================================

Train the reference convolutional denoising autoencoder on MNIST digits
corrupted with clipped Gaussian noise (``sigma=0.5``), look at what it does to
noisy test digits, follow its training and validation loss, and measure PSNR
and SSIM on the test set.

The reference recipe is the default of :class:`~skdae.DenoisingAutoencoder`:
two convolution + max-pooling stages (1→32→64 channels), two transposed
convolutions back to one channel and a sigmoid, trained with the mean squared
error and Adam. Given a noise model as ``noise=``, the autoencoder learns from
clean images alone: every training batch is corrupted afresh on every epoch.
"""

# %%
# Load a subset of MNIST
# ----------------------
# :func:`~skdae.datasets.load_mnist` reads the IDX files from the local data
# home (``SKDAE_DATA_HOME``, else ``~/skdae_data``); with ``download=True`` it
# downloads them there with torchvision when they are found nowhere. ``subset``
# chooses the training or the test split; pixels are scaled to [0, 1] and every
# image is a flat row of 28 x 28 = 784 values. To keep this example fast on a CPU we train
# on a subset of the training images and evaluate on the first official test
# images.

import matplotlib.pyplot as plt

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.datasets import load_mnist
from skdae.metrics import psnr, ssim
from skdae.plotting import DenoisingComparisonDisplay, LossCurveDisplay

N_TRAIN, N_TEST, N_EPOCHS = 4000, 1000, 4

train = load_mnist(subset="train", download=True)
test = load_mnist(subset="test", download=True)
X_train = train.data[:N_TRAIN]
X_test = test.data[:N_TEST]
print(f"MNIST: {len(train.data)} training and {len(test.data)} test images")
print(f"using the first {N_TRAIN} training and the first {N_TEST} test images")

# %%
# Train the denoiser
# ------------------
# ``noise=GaussianNoise(0.5)`` corrupts each training batch with fresh noise;
# the clean images are the targets. ``validation_fraction=0.1`` holds out 10 %
# of the training images (with fixed noise) to record a validation loss every
# epoch. Compared with the reference recipe (20 epochs, batches of 20,
# ``lr=1e-3``), we train for a few epochs with larger batches and a larger
# learning rate, which gets close in a fraction of the time.

dae = DenoisingAutoencoder(
    noise=GaussianNoise(sigma=0.5),
    max_epochs=N_EPOCHS,
    batch_size=64,
    lr=2e-3,
    validation_fraction=0.1,
    random_state=0,
)
dae.fit(X_train)
print(
    f"trained {dae.n_iter_} epochs on {dae.device_} in "
    f"{sum(dae.history_[:, 'dur']):.1f} s; latent code {dae.latent_shape_}"
)

# %%
# The loss curves
# ---------------
# :class:`~skdae.plotting.LossCurveDisplay` draws the per-epoch losses stored
# in the skorch history (``dae.history_``) and marks the epoch with the lowest
# validation loss. The validation loss is computed on held-out images with
# the same noise every epoch, so its values compare across epochs.

curve = LossCurveDisplay.from_estimator(dae)
curve.ax_.set_title("Reference autoencoder, Gaussian noise (sigma=0.5)")
plt.show()

# %%
# Denoise test images
# -------------------
# The test images are corrupted with the same kind of noise, drawn once with a
# fixed seed. :class:`~skdae.plotting.DenoisingComparisonDisplay` shows the
# noisy input, the denoised output and the clean image of a few digits, each
# titled with its PSNR against the clean image.

X_noisy = GaussianNoise(sigma=0.5, random_state=1).fit_transform(X_test)
X_denoised = dae.transform(X_noisy)

DenoisingComparisonDisplay.from_predictions(X_test, X_noisy, X_denoised, n_images=8)
plt.show()

# %%
# PSNR and SSIM on the test images
# --------------------------------
# Both metrics are computed per image and then averaged over the test images
# (see :ref:`metrics_conventions`). ``dae.score`` gives the same mean PSNR.

rows = [("noisy input", X_noisy), ("denoised", X_denoised)]
print(f"{'test images':<14}{'PSNR (dB)':>10}{'SSIM':>8}")
for name, images in rows:
    print(f"{name:<14}{psnr(X_test, images):>10.2f}{ssim(X_test, images):>8.3f}")
print(f"\ndae.score(X_noisy, X_test) = {dae.score(X_noisy, X_test):.2f} dB")

# %%
# Even after a few epochs on a subset, the denoiser gains several dB of PSNR
# and a much higher SSIM than the noisy input. Training longer, on all training
# images and with the reference batch size, improves it further: ``skdae demo``
# runs the full recipe and writes these figures and scores.
