"""Tests of the skdae.plotting displays (headless, Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import doctest  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

import skdae.plotting  # noqa: E402
import skdae.plotting._comparison  # noqa: E402
import skdae.plotting._image_grid  # noqa: E402
import skdae.plotting._loss_curve  # noqa: E402
import skdae.plotting._noise_level  # noqa: E402
import skdae.plotting._search_results  # noqa: E402
from skdae import DenoisingAutoencoder, GaussianNoise, SaltPepperNoise  # noqa: E402
from skdae.metrics import make_denoising_scorer, psnr, ssim  # noqa: E402
from skdae.plotting import (  # noqa: E402
    DenoisingComparisonDisplay,
    LossCurveDisplay,
    NoiseLevelDisplay,
)
from skdae.plotting._search_results import score_curves  # noqa: E402

from ._helpers import make_blob_images  # noqa: E402

SIDE = 12


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    X = make_blob_images(64, SIDE, SIDE)
    X_noisy = GaussianNoise(0.3, random_state=1).fit_transform(X)
    return X, X_noisy


@pytest.fixture(scope="module")
def dae(data):
    X, _ = data
    return DenoisingAutoencoder(
        noise=GaussianNoise(0.3),
        max_epochs=2,
        batch_size=16,
        validation_fraction=0.25,
        random_state=0,
    ).fit(X)


@pytest.fixture(scope="module")
def plain_pipeline():
    """A pipeline ending in a DAE fitted without validation on 8x12 images."""
    X = make_blob_images(16, 8, 12, seed=2)
    dae = DenoisingAutoencoder(
        image_shape=(8, 12), max_epochs=2, batch_size=16, random_state=0
    )
    return Pipeline([("dae", dae)]).fit(X), X


@pytest.fixture(scope="module")
def search():
    X = make_blob_images(16, SIDE, SIDE, seed=3)
    pipe = Pipeline(
        [
            ("noise", GaussianNoise(random_state=0)),
            ("dae", DenoisingAutoencoder(max_epochs=1, batch_size=16, random_state=0)),
        ]
    )
    return GridSearchCV(pipe, {"noise__sigma": [0.1, 0.4]}, cv=2).fit(X)


def _assert_png(path):
    assert path.stat().st_size > 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------- DenoisingComparisonDisplay
def test_comparison_from_estimator_draws_noisy_denoised_clean(dae, data, tmp_path):
    X, X_noisy = data
    disp = DenoisingComparisonDisplay.from_estimator(dae, X_noisy, X)

    assert matplotlib.get_backend().lower() == "agg"
    assert disp.axes_.shape == (3, 8)
    assert len(disp.figure_.axes) == 24
    assert all(ax.figure is disp.figure_ for ax in disp.axes_.ravel())

    denoised = dae.transform(X_noisy[:8])
    expected_rows = (X_noisy[:8], denoised, X[:8])
    for row, expected in enumerate(expected_rows):
        for col in range(8):
            drawn = disp.axes_[row, col].get_images()
            assert len(drawn) == 1
            assert drawn[0] is disp.images_[row, col]
            np.testing.assert_allclose(
                drawn[0].get_array(), expected[col].reshape(SIDE, SIDE)
            )
    assert [disp.axes_[r, 0].get_ylabel() for r in range(3)] == [
        "Noisy",
        "Denoised",
        "Clean",
    ]

    expected_psnr = psnr(X[:8], denoised, per_image=True)
    assert list(disp.scores_) == ["Noisy", "Denoised"]
    np.testing.assert_allclose(disp.scores_["Denoised"], expected_psnr)
    np.testing.assert_allclose(
        disp.scores_["Noisy"], psnr(X[:8], X_noisy[:8], per_image=True)
    )
    for col, value in enumerate(expected_psnr):
        assert disp.axes_[1, col].get_title() == f"{value:.1f} dB"
    assert all(not ax.get_title() for ax in disp.axes_[2])

    path = tmp_path / "comparison.png"
    disp.figure_.savefig(path)
    _assert_png(path)


def test_comparison_transforms_only_the_selected_images(dae, data, monkeypatch):
    X, X_noisy = data
    seen = []
    original = dae.transform

    def spy(images):
        seen.append(np.array(images))
        return original(images)

    monkeypatch.setattr(dae, "transform", spy)
    indices = [5, 0, 17]
    disp = DenoisingComparisonDisplay.from_estimator(
        dae, X_noisy, X, indices=indices, n_images=2
    )
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], X_noisy[indices])
    assert disp.axes_.shape == (3, 3)
    np.testing.assert_allclose(disp.images_[2, 0].get_array(), X[5].reshape(SIDE, SIDE))

    disp = DenoisingComparisonDisplay.from_estimator(dae, X_noisy, X, n_images=3)
    assert disp.axes_.shape == (3, 3)
    assert len(seen[-1]) == 3


def test_comparison_n_images_larger_than_data(dae, data):
    X, X_noisy = data
    disp = DenoisingComparisonDisplay.from_estimator(
        dae, X_noisy[:3], X[:3], n_images=10
    )
    assert disp.axes_.shape == (3, 3)


def test_comparison_accepts_flat_3d_and_4d_layouts(data):
    X, X_noisy = data
    clean = X[:4].reshape(4, SIDE, SIDE)
    noisy = X_noisy[:4].reshape(4, 1, SIDE, SIDE)
    denoised = (clean + noisy[:, 0]) / 2
    disp = DenoisingComparisonDisplay.from_predictions(
        clean, noisy, denoised.reshape(4, -1)
    )
    assert disp.axes_.shape == (3, 4)
    np.testing.assert_allclose(disp.images_[0, 1].get_array(), noisy[1, 0])
    np.testing.assert_allclose(disp.images_[1, 1].get_array(), denoised[1])
    np.testing.assert_allclose(
        disp.scores_["Denoised"], psnr(clean, denoised, per_image=True)
    )


def test_comparison_non_square_flat_images_need_image_shape():
    rng = np.random.default_rng(0)
    clean = rng.random((3, 6 * 10))
    noisy = np.clip(clean + rng.normal(0, 0.2, clean.shape), 0, 1)
    with pytest.raises(ValueError, match="Cannot infer a square image"):
        DenoisingComparisonDisplay.from_predictions(clean, noisy, clean)
    disp = DenoisingComparisonDisplay.from_predictions(
        clean, noisy, clean, image_shape=(6, 10)
    )
    assert disp.images_[0, 0].get_array().shape == (6, 10)
    assert np.all(np.isinf(disp.scores_["Denoised"]))  # denoised == clean
    assert disp.axes_[1, 0].get_title() == "inf dB"


def test_comparison_uses_image_shape_of_pipeline_last_step(plain_pipeline):
    pipe, X = plain_pipeline  # flat 96-pixel images: not square
    X_noisy = GaussianNoise(0.2, random_state=0).fit_transform(X)
    disp = DenoisingComparisonDisplay.from_estimator(pipe, X_noisy, X, n_images=4)
    assert disp.images_[1, 0].get_array().shape == (8, 12)
    np.testing.assert_allclose(
        disp.scores_["Denoised"],
        psnr(X[:4], pipe.transform(X_noisy[:4]), per_image=True),
    )


def test_comparison_uses_image_shape_of_nested_pipeline(plain_pipeline):
    pipe, X = plain_pipeline
    nested = Pipeline([("inner", pipe)])  # fitted already: its last step is
    X_noisy = GaussianNoise(0.2, random_state=0).fit_transform(X)
    disp = DenoisingComparisonDisplay.from_estimator(nested, X_noisy, X, n_images=2)
    assert disp.images_[0, 0].get_array().shape == (8, 12)


def test_comparison_draws_on_given_axes(data):
    X, X_noisy = data
    fig, axes = plt.subplots(2, 3)  # any layout holding 3 x 2 axes
    disp = DenoisingComparisonDisplay.from_predictions(
        X, X_noisy, X, n_images=2, axes=axes.ravel(), cmap="viridis"
    )
    assert disp.figure_ is fig
    assert disp.axes_.shape == (3, 2)
    assert disp.axes_[1, 0] is axes.ravel()[2]
    assert disp.images_[0, 0].get_cmap().name == "viridis"

    with pytest.raises(ValueError, match=r"axes must hold 3 x 4 = 12 Axes .*got 6\."):
        DenoisingComparisonDisplay.from_predictions(
            X, X_noisy, X, n_images=4, axes=axes
        )


def test_comparison_bad_input(dae, data):
    X, X_noisy = data
    with pytest.raises(ValueError, match="different numbers of images"):
        DenoisingComparisonDisplay.from_estimator(dae, X_noisy[:10], X[:9])
    with pytest.raises(ValueError, match="different numbers of images"):
        DenoisingComparisonDisplay.from_predictions(X, X_noisy[:5], X)
    with pytest.raises(ValueError, match="different numbers of images"):
        DenoisingComparisonDisplay({"a": X[:3], "b": X_noisy[:4], "c": X[:3]}).plot()
    with pytest.raises(ValueError, match="images of different sizes"):
        DenoisingComparisonDisplay(
            {
                "a": X[:2],
                "b": X_noisy[:2].reshape(2, 6, 24),
                "c": X[:2].reshape(2, SIDE, SIDE),
            }
        ).plot()
    with pytest.raises(ValueError, match="single channel"):
        DenoisingComparisonDisplay(
            {"a": X[:2], "b": X_noisy[:2].reshape(2, 2, 6, SIDE), "c": X[:2]}
        ).plot()
    with pytest.raises(ValueError, match="indices must lie in"):
        DenoisingComparisonDisplay.from_estimator(dae, X_noisy, X, indices=[0, 64])
    with pytest.raises(ValueError, match="indices must be a non-empty"):
        DenoisingComparisonDisplay.from_estimator(dae, X_noisy, X, indices=[])
    with pytest.raises(ValueError, match="n_images must be a positive int"):
        DenoisingComparisonDisplay.from_estimator(dae, X_noisy, X, n_images=0)
    with pytest.raises(ValueError, match="image arrays are empty"):
        DenoisingComparisonDisplay({"a": X[:0], "b": X[:0], "c": X[:0]}).plot()


def test_comparison_unfitted_estimator(data):
    X, X_noisy = data
    with pytest.raises(NotFittedError):
        DenoisingComparisonDisplay.from_estimator(DenoisingAutoencoder(), X_noisy, X)
    unfitted = Pipeline([("dae", DenoisingAutoencoder())])
    with pytest.raises(NotFittedError):
        DenoisingComparisonDisplay.from_estimator(unfitted, X_noisy, X)


def test_comparison_named_rows_scored_against_reference(data):
    X, X_noisy = data
    clean, noisy = X[:5], X_noisy[:5]
    halfway = (clean + noisy) / 2
    rows = {"clean": clean, "noisy": noisy, "halfway": halfway, "exact": clean}
    disp = DenoisingComparisonDisplay(rows, reference="clean").plot()

    assert disp.axes_.shape == (4, 5)
    assert [ax.get_ylabel() for ax in disp.axes_[:, 0]] == list(rows)
    for row, images in enumerate(rows.values()):
        for col in range(5):
            np.testing.assert_allclose(
                disp.images_[row, col].get_array(), images[col].reshape(SIDE, SIDE)
            )
    assert list(disp.scores_) == ["noisy", "halfway", "exact"]
    np.testing.assert_allclose(
        disp.scores_["halfway"], psnr(clean, halfway, per_image=True)
    )
    assert np.all(disp.scores_["halfway"] > disp.scores_["noisy"])
    assert all(not ax.get_title() for ax in disp.axes_[0])  # the reference row
    for col in range(5):
        assert disp.axes_[1, col].get_title() == f"{disp.scores_['noisy'][col]:.1f} dB"
    assert disp.axes_[3, 0].get_title() == "inf dB"
    # one grey scale for every panel
    assert {image.get_clim() for image in disp.images_.ravel()} == {(0.0, 1.0)}


def test_comparison_ssim_or_no_scores(data):
    X, X_noisy = data
    rows = {"noisy": X_noisy[:3], "clean": X[:3]}
    disp = DenoisingComparisonDisplay(rows, reference="clean").plot(scoring="ssim")
    expected = ssim(X[:3], X_noisy[:3], per_image=True)
    np.testing.assert_allclose(disp.scores_["noisy"], expected)
    assert disp.axes_[0, 2].get_title() == f"SSIM {expected[2]:.2f}"
    assert expected[2] < 1

    disp = DenoisingComparisonDisplay(rows, reference="clean").plot(scoring=None)
    assert disp.scores_ == {}
    assert all(not ax.get_title() for ax in disp.axes_.ravel())

    disp = DenoisingComparisonDisplay(rows).plot()  # no reference: nothing scored
    assert disp.scores_ == {}
    assert all(not ax.get_title() for ax in disp.axes_.ravel())
    assert disp.axes_.shape == (2, 3)


def test_comparison_named_rows_bad_input(data):
    X, X_noisy = data
    rows = {"noisy": X_noisy[:2], "clean": X[:2]}
    with pytest.raises(ValueError, match=r"reference='Clean' is not one of .*noisy"):
        DenoisingComparisonDisplay(rows, reference="Clean").plot()
    with pytest.raises(ValueError, match="scoring must be 'psnr', 'ssim' or None"):
        DenoisingComparisonDisplay(rows, reference="clean").plot(scoring="mse")
    with pytest.raises(ValueError, match="scoring must be 'psnr', 'ssim' or None"):
        DenoisingComparisonDisplay(rows, reference="clean").plot(scoring=["psnr"])
    with pytest.raises(ValueError, match=r"reference=\['clean'\] is not one of"):
        DenoisingComparisonDisplay(rows, reference=["clean"]).plot()
    with pytest.raises(ValueError, match="rows must be a non-empty dict"):
        DenoisingComparisonDisplay([X[:2], X[:2]]).plot()
    with pytest.raises(ValueError, match="rows must be a non-empty dict"):
        DenoisingComparisonDisplay({}).plot()
    with pytest.raises(ValueError, match="row labels must be str"):
        DenoisingComparisonDisplay({0: X[:2]}).plot()
    with pytest.raises(ValueError, match="noisy must hold numbers"):
        DenoisingComparisonDisplay({"noisy": [["a", "b"]]}).plot()
    fig, axes = plt.subplots(2, 2)
    with pytest.raises(
        ValueError, match=r"axes must hold 2 x 3 = 6 Axes \(rows: noisy, clean;"
    ):
        DenoisingComparisonDisplay(
            {"noisy": X_noisy[:3], "clean": X[:3]}, reference="clean"
        ).plot(axes=axes)


def test_comparison_from_predictions_several_denoisers(data):
    X, X_noisy = data
    halfway = (X + X_noisy) / 2
    disp = DenoisingComparisonDisplay.from_predictions(
        X,
        X_noisy,
        {"halfway": halfway, "identity": X_noisy},
        indices=[3, 1],
        scoring="ssim",
    )
    labels = [ax.get_ylabel() for ax in disp.axes_[:, 0]]
    assert labels == ["Noisy", "halfway", "identity", "Clean"]
    assert list(disp.scores_) == ["Noisy", "halfway", "identity"]
    np.testing.assert_allclose(
        disp.scores_["halfway"], ssim(X[[3, 1]], halfway[[3, 1]], per_image=True)
    )
    np.testing.assert_allclose(disp.scores_["identity"], disp.scores_["Noisy"])
    np.testing.assert_allclose(
        disp.images_[1, 0].get_array(), halfway[3].reshape(SIDE, SIDE)
    )

    with pytest.raises(ValueError, match=r"X_denoised\['b'\]: 5\)"):
        DenoisingComparisonDisplay.from_predictions(
            X, X_noisy, {"a": halfway, "b": halfway[:5]}
        )
    with pytest.raises(ValueError, match=r"cannot use the row labels \['Clean'\]"):
        DenoisingComparisonDisplay.from_predictions(X, X_noisy, {"Clean": halfway})
    with pytest.raises(ValueError, match="X_denoised is an empty dict"):
        DenoisingComparisonDisplay.from_predictions(X, X_noisy, {})


# -------------------------------------------------------------- LossCurveDisplay
def test_loss_curve_from_estimator_with_validation(dae, tmp_path):
    disp = LossCurveDisplay.from_estimator(dae)
    train = np.asarray(dae.history_[:, "train_loss"])
    valid = np.asarray(dae.history_[:, "valid_loss"])

    assert len(disp.lines_) == 2
    train_line, valid_line = disp.lines_
    np.testing.assert_array_equal(train_line.get_xdata(), [1, 2])
    np.testing.assert_allclose(train_line.get_ydata(), train)
    np.testing.assert_allclose(valid_line.get_ydata(), valid)
    assert train_line.get_label() == "Training loss"
    assert valid_line.get_label() == "Validation loss"

    best = int(np.argmin(valid))
    assert disp.best_epoch_ == best + 1
    np.testing.assert_allclose(disp.best_marker_.get_xdata(), [best + 1])
    np.testing.assert_allclose(disp.best_marker_.get_ydata(), [valid[best]])

    ax = disp.ax_
    assert ax.get_xlabel() == "Epoch"
    assert "MSE" in ax.get_ylabel()
    assert ax.get_yscale() == "linear"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["Training loss", "Validation loss", f"Best epoch: {best + 1}"]

    path = tmp_path / "loss.png"
    disp.figure_.savefig(path)
    _assert_png(path)


def test_loss_curve_without_validation_from_pipeline(plain_pipeline):
    pipe, _ = plain_pipeline
    history = pipe[-1].history_
    assert "valid_loss" not in history[-1]

    disp = LossCurveDisplay.from_estimator(pipe, log_scale=True)
    assert len(disp.lines_) == 1
    np.testing.assert_allclose(disp.lines_[0].get_ydata(), history[:, "train_loss"])
    assert disp.best_epoch_ is None and disp.best_marker_ is None
    assert disp.ax_.get_yscale() == "log"
    assert [t.get_text() for t in disp.ax_.get_legend().get_texts()] == [
        "Training loss"
    ]


def test_loss_curve_direct_and_given_axes():
    fig, ax = plt.subplots()
    disp = LossCurveDisplay([0.5, 0.3, 0.2, 0.25], [0.4, 0.3, np.nan, 0.35])
    assert disp.plot(ax=ax) is disp
    assert disp.figure_ is fig and disp.ax_ is ax
    assert disp.best_epoch_ == 2  # the NaN epoch is skipped
    np.testing.assert_array_equal(disp.lines_[0].get_xdata(), [1, 2, 3, 4])


def test_loss_curve_bad_input():
    with pytest.raises(ValueError, match="one value per epoch"):
        LossCurveDisplay([0.3, 0.2], [0.3]).plot()
    with pytest.raises(ValueError, match="non-empty 1-D"):
        LossCurveDisplay([]).plot()
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(DenoisingAutoencoder())
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(Pipeline([("dae", DenoisingAutoencoder())]))
    with pytest.raises(ValueError, match="has no history_"):
        LossCurveDisplay.from_estimator(GaussianNoise().fit(np.zeros((2, 4))))


# ------------------------------------------------------------- NoiseLevelDisplay
def test_noise_level_from_cv_results(search, tmp_path):
    disp = NoiseLevelDisplay.from_cv_results(search)
    results = search.cv_results_
    order = np.argsort(np.asarray(results["param_noise__sigma"], dtype=float))
    mean = results["mean_test_score"][order]
    std = results["std_test_score"][order]

    assert len(disp.lines_) == 1
    line = disp.lines_[0]
    np.testing.assert_allclose(line.get_xdata(), [0.1, 0.4])
    np.testing.assert_allclose(line.get_ydata(), mean)
    band = disp.fill_between_[0].get_paths()[0].vertices
    np.testing.assert_allclose(band[:, 1].min(), np.min(mean - std))
    np.testing.assert_allclose(band[:, 1].max(), np.max(mean + std))
    assert disp.reference_line_ is None
    assert disp.ax_.get_xlabel() == "noise__sigma"
    assert disp.ax_.get_ylabel() == "PSNR (dB)"  # the DAE's own score
    assert disp.ax_.get_legend() is None  # a single unlabelled curve

    path = tmp_path / "noise_level.png"
    disp.figure_.savefig(path)
    _assert_png(path)


def test_noise_level_from_cv_results_labels():
    search = GridSearchCV(
        DenoisingAutoencoder(),
        {"noise__sigma": [0.1]},
        scoring="neg_mean_squared_error",
    )
    search.cv_results_ = {
        "param_noise__sigma": np.ma.MaskedArray([0.1], dtype=object),
        "mean_test_score": np.array([-0.1]),
        "std_test_score": np.array([0.01]),
    }
    disp = NoiseLevelDisplay.from_cv_results(search)
    assert disp.ax_.get_ylabel() == "neg_mean_squared_error"
    search.scoring = make_denoising_scorer("ssim")
    assert NoiseLevelDisplay.from_cv_results(search).ax_.get_ylabel() == "SSIM"
    disp = NoiseLevelDisplay.from_cv_results(search, score_name="my score")
    assert disp.ax_.get_ylabel() == "my score"


def _fake_results():
    """cv_results_ of a 3 x 2 grid over noise__sigma and dae__lr, two metrics."""
    sigma = [0.4, 0.1, 0.2, 0.4, 0.1, 0.2]
    lr = [1e-3, 1e-3, 1e-3, 1e-2, 1e-2, 1e-2]
    mean_psnr = [15.0, 21.0, 18.0, 16.0, 23.0, 19.0]
    return {
        "param_noise__sigma": np.ma.MaskedArray(sigma, dtype=object),
        "param_dae__lr": np.ma.MaskedArray(lr, dtype=object),
        "param_dae__max_epochs": np.ma.MaskedArray([5] * 6, dtype=object),
        "mean_test_psnr": np.array(mean_psnr),
        "std_test_psnr": np.arange(6) / 10,
        "mean_test_ssim": np.array(mean_psnr) / 30,
        "std_test_ssim": np.zeros(6),
    }


def test_noise_level_one_line_per_other_param_combination():
    results = _fake_results()
    disp = NoiseLevelDisplay.from_cv_results(
        results, score_name="psnr", param_name="noise__sigma"
    )
    assert len(disp.lines_) == 2
    labels = [line.get_label() for line in disp.lines_]
    assert labels == ["dae__lr=0.001", "dae__lr=0.01"]  # constant max_epochs left out
    for line in disp.lines_:
        np.testing.assert_allclose(line.get_xdata(), [0.1, 0.2, 0.4])
    np.testing.assert_allclose(disp.lines_[0].get_ydata(), [21.0, 18.0, 15.0])
    np.testing.assert_allclose(disp.lines_[1].get_ydata(), [23.0, 19.0, 16.0])
    assert disp.ax_.get_ylabel() == "PSNR (dB)"
    assert [t.get_text() for t in disp.ax_.get_legend().get_texts()] == labels

    disp = NoiseLevelDisplay.from_cv_results(results, score_name="ssim")
    np.testing.assert_allclose(disp.lines_[0].get_ydata(), [0.7, 0.6, 0.5])
    assert disp.ax_.get_ylabel() == "SSIM"


def test_noise_level_multimetric_needs_score_name():
    results = _fake_results()
    with pytest.raises(ValueError, match="pass score_name"):
        NoiseLevelDisplay.from_cv_results(results)
    with pytest.raises(ValueError, match="not among the metrics"):
        NoiseLevelDisplay.from_cv_results(results, score_name="mse")

    search = GridSearchCV(DenoisingAutoencoder(), {}, refit="ssim")
    search.cv_results_ = results
    disp = NoiseLevelDisplay.from_cv_results(search)  # the refit metric
    assert disp.ax_.get_ylabel() == "SSIM"


def test_noise_level_skips_candidates_without_the_param():
    # A grid given as a list of dicts: some candidates do not set the level.
    mask = [False, False, True]
    results = {
        "param_noise__sigma": np.ma.MaskedArray([0.3, 0.1, 0.0], mask=mask),
        "param_dae__lr": np.ma.MaskedArray([0.0, 0.0, 0.1], mask=[True, True, False]),
        "mean_test_score": np.array([20.0, 25.0, 99.0]),
        "std_test_score": np.array([1.0, 2.0, 3.0]),
    }
    disp = NoiseLevelDisplay.from_cv_results(results)
    assert len(disp.lines_) == 1
    np.testing.assert_allclose(disp.lines_[0].get_xdata(), [0.1, 0.3])
    np.testing.assert_allclose(disp.lines_[0].get_ydata(), [25.0, 20.0])


def test_noise_level_from_cv_results_bad_input(search):
    with pytest.raises(ValueError, match="no parameter 'noise__amount'"):
        NoiseLevelDisplay.from_cv_results(search, param_name="noise__amount")
    unfitted = GridSearchCV(DenoisingAutoencoder(), {"noise__sigma": [0.1]})
    with pytest.raises(NotFittedError):
        NoiseLevelDisplay.from_cv_results(unfitted)
    results = {
        "param_noise": np.ma.MaskedArray(["a", "b"], dtype=object),
        "mean_test_score": np.zeros(2),
        "std_test_score": np.zeros(2),
    }
    with pytest.raises(ValueError, match="must be numbers"):
        NoiseLevelDisplay.from_cv_results(results, param_name="noise")


def test_score_curves_reshapes_cv_results_on_its_own():
    curves = score_curves(_fake_results(), "noise__sigma", metric="psnr")
    np.testing.assert_allclose(curves.levels, [0.1, 0.2, 0.4])
    np.testing.assert_allclose(
        curves.mean_scores, [[21.0, 18.0, 15.0], [23.0, 19.0, 16.0]]
    )
    np.testing.assert_allclose(curves.std_scores, [[0.1, 0.2, 0.0], [0.4, 0.5, 0.3]])
    assert curves.curve_labels == ["dae__lr=0.001", "dae__lr=0.01"]
    assert curves.metric == "psnr"

    curves = score_curves(_fake_results(), "dae__lr", refit="ssim")
    np.testing.assert_allclose(curves.levels, [1e-3, 1e-2])
    assert curves.curve_labels == [
        "noise__sigma=0.4",
        "noise__sigma=0.1",
        "noise__sigma=0.2",
    ]
    np.testing.assert_allclose(curves.mean_scores[1], [0.7, 23 / 30])
    assert curves.metric == "ssim"


def test_score_curves_gaps_duplicates_and_no_std():
    results = {
        "param_noise__sigma": np.ma.MaskedArray([0.1, 0.3, 0.1, 0.1], dtype=object),
        "param_dae__lr": np.ma.MaskedArray(
            [0.1, 0.1, 0.2, 0.2], mask=[False, False, True, True], dtype=object
        ),
        "mean_test_score": np.array([20.0, 18.0, 22.0, 99.0]),
    }
    curves = score_curves(results, "noise__sigma")
    assert curves.metric is None and curves.std_scores is None
    assert curves.curve_labels == ["dae__lr=0.1", "(default)"]
    # the second curve has no candidate at 0.3; its duplicate at 0.1 is dropped
    np.testing.assert_allclose(curves.mean_scores, [[20.0, 18.0], [22.0, np.nan]])
    with pytest.raises(ValueError, match="no mean_test_"):
        score_curves({"param_a": results["param_dae__lr"]}, "a")


def test_noise_level_from_estimator_robustness_curve(dae, data, tmp_path):
    X, _ = data
    X = X[:16]
    levels = [0.1, 0.3, 0.5]
    noise = GaussianNoise(clip=True)
    disp = NoiseLevelDisplay.from_estimator(dae, X, noise=noise, levels=levels)

    expected_mean, expected_std, expected_ref = [], [], []
    for level in levels:
        noisy = clone(noise).set_params(sigma=level, random_state=0).transform(X)
        scores = psnr(X, dae.transform(noisy), per_image=True)
        expected_mean.append(scores.mean())
        expected_std.append(scores.std())
        expected_ref.append(psnr(X, noisy))

    assert len(disp.lines_) == 1
    np.testing.assert_allclose(disp.lines_[0].get_xdata(), levels)
    np.testing.assert_allclose(disp.lines_[0].get_ydata(), expected_mean)
    np.testing.assert_allclose(disp.std_scores, expected_std)
    np.testing.assert_allclose(disp.reference_line_.get_ydata(), expected_ref)
    assert disp.reference_line_.get_linestyle() == "--"
    assert np.all(np.diff(expected_ref) < 0)  # more noise, lower input PSNR
    assert disp.ax_.get_xlabel() == "sigma"
    assert disp.ax_.get_ylabel() == "PSNR (dB)"
    assert [t.get_text() for t in disp.ax_.get_legend().get_texts()] == [
        "Denoised",
        "Noisy input",
    ]

    path = tmp_path / "robustness.png"
    disp.figure_.savefig(path)
    _assert_png(path)


def test_noise_level_from_estimator_other_noise_and_scoring(dae, data):
    X, _ = data
    X = X[:8].reshape(8, SIDE, SIDE)
    disp = NoiseLevelDisplay.from_estimator(
        dae,
        X,
        noise=SaltPepperNoise(),
        levels=[0.0, 0.2],
        param_name="amount",
        scoring="ssim",
    )
    noisy = SaltPepperNoise(amount=0.2, random_state=0).transform(X)
    np.testing.assert_allclose(
        disp.lines_[0].get_ydata()[1], ssim(X, dae.transform(noisy))
    )
    # amount=0 leaves the input intact: its SSIM is exactly 1
    np.testing.assert_allclose(disp.reference_scores[0], 1.0)
    assert disp.ax_.get_ylabel() == "SSIM"


def test_noise_level_from_estimator_bad_input(dae, data):
    X, _ = data
    with pytest.raises(NotFittedError):
        NoiseLevelDisplay.from_estimator(
            DenoisingAutoencoder(), X, noise=GaussianNoise(), levels=[0.1]
        )
    with pytest.raises(ValueError, match="has no parameter 'amount'"):
        NoiseLevelDisplay.from_estimator(
            dae, X, noise=GaussianNoise(), levels=[0.1], param_name="amount"
        )
    with pytest.raises(ValueError, match="levels must be"):
        NoiseLevelDisplay.from_estimator(dae, X, noise=GaussianNoise(), levels=[])
    with pytest.raises(ValueError, match="scoring must be"):
        NoiseLevelDisplay.from_estimator(
            dae, X, noise=GaussianNoise(), levels=[0.1], scoring="mae"
        )


def test_noise_level_direct_bad_shapes():
    kwargs = {"param_name": "sigma", "score_name": "PSNR (dB)"}
    with pytest.raises(ValueError, match="mean_scores must have shape"):
        NoiseLevelDisplay([0.1, 0.2], [1.0, 2.0, 3.0], None, **kwargs).plot()
    with pytest.raises(ValueError, match="std_scores must have the shape"):
        NoiseLevelDisplay([0.1, 0.2], [1.0, 2.0], [1.0], **kwargs).plot()
    with pytest.raises(ValueError, match="curve_labels has 1 labels for 2 curves"):
        NoiseLevelDisplay(
            [0.1], [[1.0], [2.0]], None, curve_labels=["a"], **kwargs
        ).plot()
    with pytest.raises(ValueError, match="reference_scores must have"):
        NoiseLevelDisplay(
            [0.1, 0.2], [1.0, 2.0], None, reference_scores=[1.0], **kwargs
        ).plot()


# ------------------------------------------------------------------------ misc
def test_public_api_and_docstring_examples():
    assert sorted(skdae.plotting.__all__) == [
        "DenoisingComparisonDisplay",
        "LossCurveDisplay",
        "NoiseLevelDisplay",
    ]
    modules = [
        getattr(skdae.plotting, name)
        for name in (
            "_comparison",
            "_image_grid",
            "_loss_curve",
            "_noise_level",
            "_search_results",
        )
    ]
    for module in modules:
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0, module.__name__
        assert result.failed == 0, module.__name__
