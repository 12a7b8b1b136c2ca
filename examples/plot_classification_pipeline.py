"""
===========================================
Denoising before a classifier in a pipeline
===========================================

Can a denoising autoencoder rescue a classifier that has to work on noisy
images? We compare the accuracy of a logistic regression on MNIST digits in
three settings:

1. on **clean** digits (the best one can hope for),
2. on **noisy** digits directly,
3. on noisy digits **denoised** by a :class:`~skdae.DenoisingAutoencoder` in a
   :class:`~sklearn.pipeline.Pipeline` in front of the classifier.

The pipeline needs one precaution, explained below: the autoencoder is trained
on its own first and then frozen with :class:`sklearn.frozen.FrozenEstimator`.
"""

# %%
# Data
# ----
# The test images carry clipped Gaussian noise with ``sigma=0.5``; the noisy
# training images get an independent draw of the same noise.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.datasets import load_mnist

N_TRAIN, N_TEST, N_EPOCHS = 4000, 2000, 3

# The MNIST files are read from $SKDAE_DATA_HOME or ~/skdae_data, or downloaded
# there with torchvision when found nowhere (download=True).
X_train, y_train = load_mnist(return_X_y=True, download=True)
X_test, y_test = load_mnist(subset="test", return_X_y=True, download=True)
X_train, y_train = X_train[:N_TRAIN], y_train[:N_TRAIN]
X_test, y_test = X_test[:N_TEST], y_test[:N_TEST]
print(
    f"first {N_TRAIN} MNIST training images (autoencoder: {N_EPOCHS} epochs; "
    f"classifiers), first {N_TEST} test images"
)

X_train_noisy = GaussianNoise(0.5, random_state=1).fit_transform(X_train)
X_test_noisy = GaussianNoise(0.5, random_state=2).fit_transform(X_test)

# %%
# Why the autoencoder cannot simply be trained inside the pipeline
# -----------------------------------------------------------------
# ``Pipeline.fit(X, y)`` passes the *class labels* ``y`` to the ``fit`` of
# every step. :class:`~skdae.DenoisingAutoencoder` ignores a 1-D ``y`` and then
# learns to reconstruct its input: trained inside the pipeline on noisy digits,
# it would learn to reproduce the noisy digits, noise included, instead of
# removing the noise. Nothing in the labels tells it what a clean digit is.
#
# So we train the denoiser first, from the clean training images with fresh
# noise on every batch (we could equally fit it on pairs,
# ``fit(X_train_noisy, X_train)``):

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
# and put it into the pipeline wrapped in
# :class:`~sklearn.frozen.FrozenEstimator`. A frozen estimator's ``fit`` does
# nothing, so fitting the pipeline, and also cloning it in
# :func:`~sklearn.model_selection.cross_val_score` or a grid search, trains only
# the classifier and keeps the trained denoiser as it is.

denoise_then_classify = make_pipeline(
    FrozenEstimator(dae), LogisticRegression(max_iter=1000)
)
denoise_then_classify.fit(X_train_noisy, y_train)

# %%
# The two baselines: the same classifier on clean digits and on noisy digits.

on_clean = LogisticRegression(max_iter=1000).fit(X_train, y_train)
on_noisy = LogisticRegression(max_iter=1000).fit(X_train_noisy, y_train)

# %%
# Accuracy on the test digits
# ---------------------------

results = [
    ("clean digits", "LogisticRegression", on_clean.score(X_test, y_test)),
    ("noisy digits", "LogisticRegression", on_noisy.score(X_test_noisy, y_test)),
    (
        "noisy digits",
        "denoiser + LogisticRegression",
        denoise_then_classify.score(X_test_noisy, y_test),
    ),
    (
        "noisy digits",
        "clean-trained LogisticRegression",
        on_clean.score(X_test_noisy, y_test),
    ),
]
print(f"{'test images':<14}{'model':<34}{'accuracy':>9}")
for data, model, accuracy in results:
    print(f"{data:<14}{model:<34}{accuracy:>9.3f}")

fig, ax = plt.subplots(figsize=(7, 2.6), layout="constrained")
names = [f"{model}\non {data}" for data, model, _ in results]
accuracies = [accuracy for _, _, accuracy in results]
bars = ax.barh(names[::-1], accuracies[::-1], color=["0.6", "C0", "C1", "C2"])
ax.bar_label(bars, fmt="%.3f", padding=3)
ax.set(xlim=(0, 1), xlabel="Test accuracy")
plt.show()

# %%
# Noise costs the linear classifier accuracy, and a classifier trained on clean
# digits does much worse still on noisy ones (last row). Putting the denoiser in
# front recovers a good part of the gap to clean digits: the classifier then
# sees images that look like digits again.
#
# The pipeline behaves like any other scikit-learn estimator: it predicts
# labels for noisy images in one call.

print("predicted:", denoise_then_classify.predict(X_test_noisy[:10]))
print("true:     ", np.asarray(y_test[:10]))
