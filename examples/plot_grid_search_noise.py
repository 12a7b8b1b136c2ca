"""
===================================
Grid searches over the noise level
===================================

A noise level can be searched over in two ways that answer different
questions (see :ref:`choosing_noise`):

1. **A robustness sweep.** With the noise model as a *pipeline step*, every
   candidate is corrupted at fit *and* at score time with its own noise level:
   the search measures how well each level is undone by a model trained for
   it.
2. **Choosing the training noise.** With the noise model as the ``noise``
   *parameter* of the autoencoder, it only corrupts training batches; a scorer
   made by :func:`~skdae.metrics.make_denoising_scorer` applies one fixed test
   corruption to the validation folds, so all candidates are judged on the
   same task.

Both searches are plotted with
:meth:`NoiseLevelDisplay.from_cv_results
<skdae.plotting.NoiseLevelDisplay.from_cv_results>`. The grids are tiny (three
values, two folds, two epochs on 1,400 images) so that the example runs
quickly; real searches want more data and epochs.
"""

# %%
# Data
# ----
import matplotlib.pyplot as plt
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.datasets import load_mnist
from skdae.metrics import make_denoising_scorer
from skdae.plotting import NoiseLevelDisplay

N_TRAIN, N_EPOCHS, CV = 1400, 2, 2

# The MNIST files are read from $SKDAE_DATA_HOME or ~/skdae_data, or downloaded
# there with torchvision when found nowhere (download=True).
X_train = load_mnist(download=True).data[:N_TRAIN]
print(
    f"using the first {N_TRAIN} MNIST training images, {CV}-fold CV, "
    f"{N_EPOCHS} epochs per fit"
)


def make_dae(**params):
    """A fast variant of the reference recipe for this example."""
    return DenoisingAutoencoder(
        max_epochs=N_EPOCHS, batch_size=16, lr=3e-3, random_state=0, **params
    )


# %%
# 1. Robustness sweep: the noise as a pipeline step
# -------------------------------------------------
# ``pipe.fit(X, X)`` corrupts ``X`` in the ``noise`` step and trains the
# autoencoder to map it back to the clean ``X``. The default score of the
# pipeline is the autoencoder's ``score``: the mean PSNR of the denoised
# validation images, which the ``noise`` step has corrupted at the *same* level
# as the training images. ``refit=False``: we only want the curve.

robustness = Pipeline([("noise", GaussianNoise(random_state=0)), ("dae", make_dae())])
sweep = GridSearchCV(robustness, {"noise__sigma": [0.2, 0.5, 0.8]}, cv=CV, refit=False)
sweep.fit(X_train, X_train)

for sigma, score in zip(
    sweep.cv_results_["param_noise__sigma"], sweep.cv_results_["mean_test_score"]
):
    print(f"sigma={sigma}: mean validation PSNR {score:.2f} dB")

# %%
# The PSNR falls as the noise grows: the sweep shows how much quality each
# level costs, and its "best" candidate is simply the mildest noise. It cannot
# choose a training noise level, because each candidate is graded on a
# different task.

disp = NoiseLevelDisplay.from_cv_results(sweep, param_name="noise__sigma")
disp.ax_.set_title("Robustness sweep: trained and scored at each level")
plt.show()

# %%
# 2. Choosing the training noise for a fixed test corruption
# ----------------------------------------------------------
# Now the test corruption is fixed, Gaussian noise with ``sigma=0.5`` and a
# fixed seed, and lives in the scorer. The autoencoder is trained from the clean
# images with its ``noise`` parameter, which corrupts training batches only, and
# the grid searches over that parameter, ``dae__noise__sigma``. The search is
# fitted on the clean images: the scorer corrupts each validation fold, denoises
# it and compares the result with the clean fold.

choose = Pipeline([("dae", make_dae(noise=GaussianNoise()))])
scorer = make_denoising_scorer(noise=GaussianNoise(0.5, random_state=0))
search = GridSearchCV(
    choose,
    {"dae__noise__sigma": [0.2, 0.5, 0.8]},
    scoring=scorer,
    cv=CV,
    refit=False,
)
search.fit(X_train)

for sigma, score in zip(
    search.cv_results_["param_dae__noise__sigma"], search.cv_results_["mean_test_score"]
):
    print(f"trained with sigma={sigma}: PSNR on sigma=0.5 test noise {score:.2f} dB")
print(f"best: {search.best_params_}")

# %%
# Every candidate now solves the same task, so the scores are comparable and
# the best training noise can be read off. Training with too little noise
# leaves the model unprepared for the test corruption; training with much more
# noise than the test images carry makes it smooth away detail it could have
# kept.

disp = NoiseLevelDisplay.from_cv_results(search, param_name="dae__noise__sigma")
disp.ax_.set_title("Training noise chosen for test noise sigma=0.5")
disp.ax_.axvline(0.5, color="0.6", linestyle=":", label="test noise")
disp.ax_.legend()
plt.show()

# %%
# With ``refit=True`` (the default, turned off here to save time) the search
# would retrain the best candidate on all images as ``search.best_estimator_``.
# With the little training done here, the absolute PSNR values are low; with
# more images and epochs (try ``N_TRAIN = 6000`` and ``N_EPOCHS = 10``) every
# curve moves up, but the way to read them stays the same.
