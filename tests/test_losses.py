"""The training losses: PSNRLoss and DenoisingAutoencoder(loss=...)."""

import numpy as np
import pytest
import torch

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.losses import PSNRLoss, resolve_loss
from skdae.metrics import psnr
from skdae.plotting import LossCurveDisplay

from ._helpers import make_blob_images

FAST = dict(max_epochs=2, batch_size=16, random_state=0, device="cpu")


# ---------------------------------------------------------------- PSNRLoss
def test_psnr_loss_is_minus_the_mean_psnr_metric():
    gen = torch.Generator().manual_seed(0)
    target = torch.rand(5, 1, 7, 9, generator=gen)
    # errors of very different sizes, as in a batch of mixed noise levels
    scale = torch.tensor([0.01, 0.03, 0.1, 0.3, 1.0]).view(5, 1, 1, 1)
    pred = target + scale * torch.randn(5, 1, 7, 9, generator=gen)
    expected = -psnr(target.flatten(1).numpy(), pred.flatten(1).numpy())
    assert PSNRLoss()(pred, target).item() == pytest.approx(expected, rel=1e-5)


def test_psnr_loss_weighs_every_image_the_same():
    """The gradient of each image is that of its MSE divided by its MSE."""
    target = torch.zeros(2, 1, 4, 4)
    pred = (target + torch.tensor([0.01, 0.5]).view(2, 1, 1, 1)).requires_grad_()
    PSNRLoss()(pred, target).backward()
    per_image = pred.grad.flatten(1).norm(dim=1)
    # the MSE's gradient is 50x larger for the second image, this one is 50x smaller
    assert per_image[0].item() == pytest.approx(50 * per_image[1].item(), rel=1e-4)
    mse_pred = pred.detach().clone().requires_grad_()
    torch.nn.MSELoss()(mse_pred, target).backward()
    mse_grad = mse_pred.grad.flatten(1).norm(dim=1)
    assert mse_grad[1].item() == pytest.approx(50 * mse_grad[0].item(), rel=1e-4)


def test_psnr_loss_finite_for_an_exact_reconstruction():
    target = torch.rand(3, 1, 5, 5)
    loss = PSNRLoss()(target.clone(), target)
    assert torch.isfinite(loss) and loss.item() == pytest.approx(-100.0)


def test_psnr_loss_in_half_precision():
    target = torch.rand(3, 1, 5, 5).half()
    loss = PSNRLoss()(target.clone(), target)
    assert loss.dtype == torch.float32 and loss.item() == pytest.approx(-100.0)


def test_psnr_loss_shape_mismatch():
    with pytest.raises(ValueError, match=r"same shape.*\(2, 1, 4, 4\).*\(2, 1, 4, 5\)"):
        PSNRLoss()(torch.zeros(2, 1, 4, 4), torch.zeros(2, 1, 4, 5))


def test_resolve_loss():
    assert resolve_loss("mse") is torch.nn.MSELoss
    assert resolve_loss("psnr") is PSNRLoss
    with pytest.raises(ValueError, match="Unknown loss 'l2'"):
        resolve_loss("l2")


# ------------------------------------------------- DenoisingAutoencoder(loss=)
@pytest.fixture(scope="module")
def psnr_model(blobs):
    X_train, X_test = blobs
    dae = DenoisingAutoencoder(
        noise=GaussianNoise(0.3), loss="psnr", **{**FAST, "max_epochs": 4}
    )
    return dae.set_params(batch_size=10).fit(X_train), X_test


def test_psnr_loss_trains(psnr_model):
    dae, X = psnr_model
    assert isinstance(dae.net_.criterion_, PSNRLoss)
    losses = dae.history_[:, "train_loss"]
    # minus the PSNR in dB: negative, and falling
    assert all(v < 0 for v in losses) and losses[-1] < losses[0] - 1.0
    noisy = GaussianNoise(0.3, random_state=3).fit_transform(X)
    assert dae.score(noisy, X) > psnr(X, noisy) + 3.0
    # the training loss is minus the PSNR that score reports (up to the noise draw)
    assert -losses[-1] == pytest.approx(dae.score(noisy, X), abs=2.0)


def test_blind_model_keeps_light_noise_in_view():
    """Over a range of noise levels, the PSNR loss does better on light noise."""
    X = make_blob_images(260)
    X_train, X_test = X[:200], X[200:]
    light = GaussianNoise(0.05, random_state=3).fit_transform(X_test)
    scores = {}
    for loss in ("mse", "psnr"):
        dae = DenoisingAutoencoder(
            GaussianNoise(sigma=(0.02, 0.5)),
            loss=loss,
            **{**FAST, "max_epochs": 6, "batch_size": 10},
        )
        scores[loss] = dae.fit(X_train).score(light, X_test)
    assert scores["psnr"] > scores["mse"] + 0.5


def test_bad_loss_parameter():
    with pytest.raises(ValueError, match="'loss' parameter"):
        DenoisingAutoencoder(loss="l2", **FAST).fit(np.zeros((10, 16)))


def test_early_stopping_threshold_in_db(recwarn):
    """A relative threshold on a negative loss would never stop: it is in dB."""
    X = make_blob_images(60)
    dae = DenoisingAutoencoder(
        loss="psnr",
        validation_fraction=0.2,
        early_stopping=True,
        n_iter_no_change=1,
        tol=100.0,  # no epoch gains 100 dB
        **{**FAST, "max_epochs": 6},
    ).fit(X)
    assert dae.n_iter_ == 2
    assert not [w for w in recwarn if "interrupted" in str(w.message)]


def test_changing_the_loss_before_resuming():
    X = make_blob_images(40)  # 3 batches of at most 16 per epoch
    dae = DenoisingAutoencoder(warm_start=True, **FAST).fit(X)
    assert isinstance(dae.net_.criterion_, torch.nn.MSELoss)

    def adam_steps():
        return {int(s["step"]) for s in dae.net_.optimizer_.state.values()}

    assert adam_steps() == {6}
    dae.fit(X)  # same loss: the optimizer carries on
    assert adam_steps() == {12}
    dae.set_params(loss="psnr").fit(X)
    assert isinstance(dae.net_.criterion_, PSNRLoss)
    # weights kept, optimizer started afresh (its moments were the MSE's)
    assert dae.n_iter_ == 6 and adam_steps() == {6}
    assert dae.history_[-1, "train_loss"] < 0 < dae.history_[3, "train_loss"]


def test_loss_survives_save_and_load(psnr_model, tmp_path):
    dae, X = psnr_model
    dae.save(tmp_path / "m.skdae")
    loaded = DenoisingAutoencoder.load(tmp_path / "m.skdae")
    assert loaded.loss == "psnr" and isinstance(loaded.net_.criterion_, PSNRLoss)
    np.testing.assert_array_equal(loaded.transform(X[:5]), dae.transform(X[:5]))


def test_loss_curve_of_a_psnr_model(psnr_model):
    dae, _ = psnr_model
    disp = LossCurveDisplay.from_estimator(dae)
    assert "PSNR" in disp.ax_.get_ylabel()
    with pytest.raises(ValueError, match="log_scale=True needs positive losses"):
        LossCurveDisplay.from_estimator(dae, log_scale=True)
