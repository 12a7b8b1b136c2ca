"""skdae estimators inside Pipeline and GridSearchCV."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skdae import DenoisingAutoencoder, GaussianNoise, SaltPepperNoise
from skdae.metrics import make_denoising_scorer, psnr

from ._helpers import make_blob_images

DAE = dict(max_epochs=3, batch_size=10, random_state=0)


def test_pipeline_noise_then_dae(blobs):
    X_train, X_test = blobs
    pipe = Pipeline(
        [
            ("noise", GaussianNoise(sigma=0.3, random_state=0)),
            ("dae", DenoisingAutoencoder(**DAE)),
        ]
    )
    pipe.fit(X_train, X_train)  # noisy inputs, clean targets
    noisy = GaussianNoise(sigma=0.3, random_state=0).transform(X_test)
    # score corrupts X_test with the same noise step, then compares with clean y
    assert pipe.score(X_test, X_test) == pytest.approx(
        psnr(X_test, pipe[-1].transform(noisy))
    )
    assert pipe.score(X_test, X_test) > psnr(X_test, noisy) + 2.0


def test_robustness_sweep_over_pipeline_noise(blobs):
    """noise__sigma in a pipeline: the same corruption at fit and at score."""
    X_train, _ = blobs
    pipe = Pipeline(
        [("noise", GaussianNoise(random_state=0)), ("dae", DenoisingAutoencoder(**DAE))]
    )
    search = GridSearchCV(pipe, {"noise__sigma": [0.1, 0.3, 0.5]}, cv=3)
    search.fit(X_train, X_train)
    scores = search.cv_results_["mean_test_score"]
    # heavier corruption is harder to undo: PSNR falls with sigma (so the
    # "best" sigma of such a sweep is always the lowest: it chooses nothing)
    assert scores[0] > scores[1] > scores[2]
    # the heaviest level is undone: better than the noisy input (9.3 dB)
    noisy = GaussianNoise(0.5, random_state=0).transform(X_train)
    assert scores[2] > psnr(X_train, noisy) + 2.0


def test_choosing_training_noise_for_fixed_test_noise(blobs):
    """dae__noise__sigma with a fixed test corruption in the scorer."""
    X_train, _ = blobs
    dae = DenoisingAutoencoder(
        noise=GaussianNoise(), max_epochs=25, batch_size=10, random_state=0
    )
    pipe = Pipeline([("dae", dae)])
    scorer = make_denoising_scorer(noise=GaussianNoise(0.4, random_state=0))
    search = GridSearchCV(pipe, {"dae__noise__sigma": [0.0, 0.4]}, scoring=scorer, cv=2)
    search.fit(X_train)
    no_noise, matched = search.cv_results_["mean_test_score"]
    # a model never shown noise does not learn to remove it
    assert matched > no_noise + 0.5
    assert search.best_params_ == {"dae__noise__sigma": 0.4}


def test_grid_search_in_parallel(blobs):
    X_train, _ = blobs
    search = GridSearchCV(
        DenoisingAutoencoder(noise=SaltPepperNoise(), max_epochs=1, random_state=0),
        {"noise__amount": [0.05, 0.2]},
        cv=2,
        n_jobs=2,
    ).fit(X_train[:80])
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.n_iter_ == 1


def test_dae_before_classifier_ignores_labels():
    X = make_blob_images(60)
    labels = X.reshape(60, 12, 12)[:, :6].sum(axis=(1, 2)) > X.sum(axis=1) / 2
    pipe = Pipeline(
        [
            ("dae", DenoisingAutoencoder(max_epochs=1, random_state=0)),
            ("clf", LogisticRegression(max_iter=200)),
        ]
    )
    pipe.fit(X, labels.astype(int))
    assert pipe.predict(X).shape == (60,)
