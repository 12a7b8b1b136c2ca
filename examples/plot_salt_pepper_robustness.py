"""
====================================================
Salt-and-pepper noise: which noise to train with?
====================================================

Impulse ("salt-and-pepper") noise replaces a fraction of the pixels with pure
white (1) or pure black (0) and leaves the others intact, a very different
corruption from additive Gaussian noise. Here we train two reference
autoencoders on the same MNIST digits, one with
:class:`~skdae.GaussianNoise` and one with :class:`~skdae.SaltPepperNoise`,
and evaluate both on both kinds of noise over a range of levels with
:meth:`NoiseLevelDisplay.from_estimator
<skdae.plotting.NoiseLevelDisplay.from_estimator>`.
"""

# %%
# Data and the two noise models
# -----------------------------
import matplotlib.pyplot as plt
import numpy as np

from skdae import DenoisingAutoencoder, GaussianNoise, SaltPepperNoise
from skdae.datasets import load_mnist
from skdae.plotting import DenoisingComparisonDisplay, NoiseLevelDisplay

N_TRAIN, N_TEST, N_EPOCHS = 3000, 500, 3

# The MNIST files are read from $SKDAE_DATA_HOME or ~/skdae_data, or downloaded
# there with torchvision when found nowhere (download=True).
X_train = load_mnist(download=True).data[:N_TRAIN]
X_test = load_mnist(subset="test", download=True).data[:N_TEST]
print(
    f"training on the first {N_TRAIN} MNIST training images for {N_EPOCHS} "
    f"epochs, testing on the first {N_TEST} test images"
)

# %%
# A look at the two corruptions, at the levels used for training:
# ``sigma=0.5`` for Gaussian noise (clipped to [0, 1]) and ``amount=0.2``
# (20 % of the pixels replaced) for salt-and-pepper noise. Each noisy digit is
# titled with its PSNR against the clean digit of the bottom row.

gaussian = GaussianNoise(sigma=0.5)
salt_pepper = SaltPepperNoise(amount=0.2)

shown = X_test[:6]
examples = {
    "Gaussian\nsigma=0.5": GaussianNoise(0.5, random_state=0).fit_transform(shown),
    "salt & pepper\namount=0.2": SaltPepperNoise(0.2, random_state=0).fit_transform(
        shown
    ),
    "clean": shown,
}
DenoisingComparisonDisplay(examples, reference="clean").plot()
plt.show()

# %%
# Train one denoiser per noise model
# ----------------------------------
# Both are trained from the clean images with the ``noise`` parameter: every
# batch gets fresh noise of that kind on every epoch.


def train(noise):
    dae = DenoisingAutoencoder(
        noise=noise, max_epochs=N_EPOCHS, batch_size=64, lr=2e-3, random_state=0
    )
    return dae.fit(X_train)


models = {"trained on Gaussian": train(gaussian)}
models["trained on salt & pepper"] = train(salt_pepper)

# %%
# Robustness across noise types and levels
# ----------------------------------------
# :meth:`~skdae.plotting.NoiseLevelDisplay.from_estimator` corrupts the clean
# test images at each level (with the same seed for every level and model),
# denoises them and plots the mean PSNR with a band of one standard deviation
# over images; the dashed line is the PSNR of the noisy input itself.

tests = {
    "Gaussian noise": (GaussianNoise(), "sigma", [0.1, 0.3, 0.5, 0.7]),
    "Salt-and-pepper noise": (SaltPepperNoise(), "amount", [0.05, 0.1, 0.2, 0.3]),
}
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
results = {}
for ax, (title, (noise, param, levels)) in zip(axes, tests.items()):
    for i, (name, dae) in enumerate(models.items()):
        disp = NoiseLevelDisplay.from_estimator(
            dae, X_test, noise=noise, levels=levels, param_name=param, ax=ax
        )
        disp.lines_[0].set_label(name)
        if i > 0:  # one "Noisy input" reference line is enough
            disp.reference_line_.remove()
        results[title, name] = disp.mean_scores
    results[title, "noisy input"] = disp.reference_scores
    ax.legend()
    ax.set_title(f"Tested on {title.lower()}")
plt.show()

# %%
# The same numbers as a table (mean PSNR in dB over the test images):

for title, (_, param, levels) in tests.items():
    print(f"\n{title}: mean PSNR (dB)")
    print(f"{'':<26}" + "".join(f"{f'{param}={level}':>13}" for level in levels))
    for name in ["noisy input", *models]:
        scores = np.asarray(results[title, name]).ravel()
        print(f"{name:<26}" + "".join(f"{score:>13.2f}" for score in scores))

# %%
# The model trained on salt-and-pepper noise is the better one on
# salt-and-pepper noise at every level, and the Gaussian model is the better
# one on the heavier Gaussian noise it was trained for. The salt-and-pepper
# model has learnt that most pixels are intact and only isolated white and
# black pixels must be replaced; the Gaussian model has learnt to smooth
# everything, which also removes impulses, but less cleanly. Both transfer
# only partly to the other corruption.
#
# At low Gaussian noise both denoisers score *below* the noisy input: a model
# trained briefly for heavy noise blurs away fine detail that a lightly
# corrupted image still has. A denoiser is only worth applying to the
# corruption it was trained for; see
# :ref:`sphx_glr_auto_examples_plot_grid_search_noise.py` for choosing the
# training noise level.
#
# What the salt-and-pepper model does to test digits with 20 % of their pixels
# replaced:

X_sp = SaltPepperNoise(0.2, random_state=1).fit_transform(X_test)
DenoisingComparisonDisplay.from_estimator(
    models["trained on salt & pepper"], X_sp, X_test, n_images=8
)
plt.show()
