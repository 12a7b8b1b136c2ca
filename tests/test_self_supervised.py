"""Training and model selection from noisy images alone: training="noise2self"
and "neighbor2neighbor", Noise2Noise, and metrics.make_self_supervised_scorer."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae._blind_spot import (
    BlindSpotMasking,
    MaskedTargets,
    draw_positions,
    mask_images,
    n_masked,
)
from skdae._neighbour_subsampling import (
    NeighbourSubsampling,
    SubsampledTargets,
    draw_cells,
    subsample,
)
from skdae._random import draw_seed, torch_generator
from skdae.architectures import ARCHITECTURES
from skdae.metrics import make_self_supervised_scorer, psnr

from ._helpers import make_blob_images

SIGMA = 0.2
SELF_SUPERVISED = ["noise2self", "neighbor2neighbor"]


@pytest.fixture(scope="module")
def noisy_blobs():
    """300 clean 12x12 blob images and a noisy copy (Gaussian 0.2, unclipped).

    The noisy held-out images (the last 60) have a PSNR of 15.9 dB.
    """
    clean = make_blob_images(300, seed=0).reshape(-1, 12, 12)
    rng = np.random.default_rng(1)
    noisy = clean + rng.normal(0, SIGMA, clean.shape)
    return clean, noisy


def n2s(**params):
    defaults = {
        "training": "noise2self",
        "max_epochs": 2,
        "batch_size": 10,
        "random_state": 0,
        "device": "cpu",
    }
    return DenoisingAutoencoder(**{**defaults, **params})


def nb2n(**params):
    return n2s(**{"training": "neighbor2neighbor", **params})


# ------------------------------------------------------------------ the masks
@pytest.mark.parametrize("density", [0.01, 0.02, 0.1, 0.5])
def test_positions_are_distinct_with_the_requested_density(density):
    generator = torch_generator(0)
    positions = draw_positions(50, 20, 30, density, generator)
    m = max(1, round(density * 600))
    assert positions.shape == (50, m)
    assert int(positions.min()) >= 0 and int(positions.max()) < 600
    for row in positions:  # distinct within each image
        assert len(set(row.tolist())) == m
    # different images get different positions
    assert len({tuple(sorted(row.tolist())) for row in positions}) == 50


def test_positions_cover_every_pixel_uniformly():
    generator = torch_generator(1)
    positions = draw_positions(4000, 8, 8, 0.05, generator)  # 3 of 64 per image
    counts = torch.bincount(positions.flatten(), minlength=64).double()
    expected = 4000 * 3 / 64
    assert counts.min() > 0.75 * expected and counts.max() < 1.25 * expected


def test_at_least_one_pixel_is_hidden():
    assert n_masked(4, 4, 0.001) == 1
    assert draw_positions(3, 4, 4, 0.001, torch_generator(0)).shape == (3, 1)


@pytest.mark.parametrize("shape", [(1, 2), (2, 1), (2, 2), (3, 3), (1, 9), (12, 12)])
def test_neighbour_replacement_is_another_pixel_of_the_window(shape):
    h, w = shape
    # every pixel (in every channel) holds a value naming its position
    index = torch.arange(h * w, dtype=torch.float64).reshape(1, 1, h, w)
    images = torch.cat([index, index + 1000]).reshape(1, 2, h, w).repeat(40, 1, 1, 1)
    before = images.clone()
    generator = torch_generator(2)
    positions = draw_positions(40, h, w, 0.3, generator)
    masked = mask_images(images, positions, "neighbour", generator)
    assert torch.equal(images, before)  # the input is not changed
    flat = masked.reshape(40, 2, h * w)
    hidden = torch.zeros(40, h * w, dtype=torch.bool)
    hidden.scatter_(1, positions, True)
    # pixels not hidden are unchanged
    assert torch.equal(
        flat[~hidden.unsqueeze(1).expand_as(flat)].reshape(-1),
        before.reshape(40, 2, h * w)[~hidden.unsqueeze(1).expand_as(flat)],
    )
    for i in range(40):
        for p in positions[i].tolist():
            source = int(flat[i, 0, p])
            assert source != p  # never the pixel itself
            assert int(flat[i, 1, p]) == source + 1000  # the same pixel in each channel
            assert abs(source // w - p // w) <= 2 and abs(source % w - p % w) <= 2


def test_local_mean_replacement_is_the_mean_of_the_eight_neighbours():
    rng = np.random.default_rng(0)
    images = torch.from_numpy(rng.random((5, 3, 6, 7)))
    generator = torch_generator(3)
    positions = draw_positions(5, 6, 7, 0.2, generator)
    masked = mask_images(images, positions, "local_mean", generator)
    for i in range(5):
        for p in positions[i].tolist():
            r, c = divmod(p, 7)
            window = images[i, :, max(r - 1, 0) : r + 2, max(c - 1, 0) : c + 2]
            n = window.shape[1] * window.shape[2] - 1
            expected = (window.sum(dim=(1, 2)) - images[i, :, r, c]) / n
            torch.testing.assert_close(masked[i, :, r, c], expected)


def test_single_pixel_images_cannot_be_masked():
    with pytest.raises(ValueError, match="at least 2 pixels"):
        draw_positions(3, 1, 1, 0.5, torch_generator(0))


def test_the_loss_is_taken_on_the_hidden_pixels_only(noisy_blobs):
    _, noisy = noisy_blobs
    model = n2s(max_epochs=1).fit(noisy[:40])
    net = model.net_
    generator = torch_generator(4)
    inputs = torch.rand(6, 1, 12, 12, generator=generator)
    masked, targets = BlindSpotMasking(0.05).mask(inputs, inputs, generator)
    assert isinstance(targets, MaskedTargets)
    prediction = torch.rand(6, 1, 12, 12, generator=generator)
    loss = net.get_loss(prediction, targets)
    hidden = torch.zeros(6, 144, dtype=torch.bool)
    hidden.scatter_(1, targets.positions, True)
    hidden = hidden.reshape(6, 1, 12, 12)
    expected = ((prediction - inputs)[hidden] ** 2).mean()
    torch.testing.assert_close(loss, expected)
    # predictions elsewhere do not count
    changed = torch.where(hidden, prediction, prediction + 5.0)
    torch.testing.assert_close(net.get_loss(changed, targets), expected)
    # the identity, which supervised training on X itself would learn, is
    # penalised: the masked input differs from the target at the hidden pixels
    assert float(net.get_loss(masked, targets)) > 0


# ------------------------------------------------------- neighbour sub-sampling
def test_cells_pair_each_pixel_with_an_edge_neighbour_uniformly():
    first, second = draw_cells(400, 10, 9, torch_generator(0))
    assert first.shape == second.shape == (400, 5, 4)
    # rows and columns inside the 2x2 cell: exactly one of them differs
    rows = (first // 2 - second // 2).abs()
    cols = (first % 2 - second % 2).abs()
    assert torch.equal(rows + cols, torch.ones_like(rows))
    counts = torch.bincount(first.flatten(), minlength=4) / first.numel()
    assert torch.allclose(counts, torch.full((4,), 0.25), atol=0.01)
    # given the first pixel, both its edge neighbours are drawn
    pairs = torch.bincount((first * 4 + second).flatten(), minlength=16)
    assert int((pairs > 0).sum()) == 8


def test_subsample_picks_the_drawn_pixel_of_every_cell_in_every_channel():
    generator = torch_generator(1)
    images = torch.rand(3, 2, 7, 9, generator=generator)  # odd: last row/col out
    first, _ = draw_cells(3, 7, 9, generator)
    out = subsample(images, first)
    assert out.shape == (3, 2, 3, 4)
    for n in range(3):
        for i in range(3):
            for j in range(4):
                r, c = 2 * i + first[n, i, j] // 2, 2 * j + first[n, i, j] % 2
                torch.testing.assert_close(out[n, :, i, j], images[n, :, r, c])


@pytest.mark.parametrize("shape", [(1, 7), (5, 1)])
def test_lines_are_cut_into_pairs_of_neighbours(shape):
    generator = torch_generator(3)
    images = torch.rand(50, 1, *shape, generator=generator)
    first, second = draw_cells(50, *shape, generator)
    assert first.shape == (50, shape[0] // 2 or 1, shape[1] // 2 or 1)
    assert torch.equal(first + second, torch.ones_like(first))
    a, b = subsample(images, first), subsample(images, second)
    flat = images.flatten(1)
    for n in range(50):  # the two values are neighbours: positions 2k, 2k+1
        for k, (u, v) in enumerate(zip(a[n].flatten(), b[n].flatten())):
            pair = {float(flat[n, 2 * k]), float(flat[n, 2 * k + 1])}
            assert {float(u), float(v)} == pair


def test_single_pixel_images_cannot_be_subsampled(noisy_blobs):
    with pytest.raises(ValueError, match="at least 2 pixels, got 1x1"):
        draw_cells(3, 1, 1, torch_generator(0))
    _, noisy = noisy_blobs
    with pytest.raises(ValueError, match="at least 2 pixels, got 1x1"):
        nb2n(image_shape=(1, 1)).fit(noisy[:10, :1, 0])


def test_the_subsampled_loss_adds_the_regulariser():
    generator = torch_generator(2)
    noisy = torch.rand(4, 1, 8, 8, generator=generator)
    denoised = torch.rand(4, 1, 8, 8, generator=generator)
    inputs, targets = NeighbourSubsampling(1.5).pair(noisy, denoised, generator)
    assert isinstance(targets, SubsampledTargets)
    assert inputs.shape == targets.targets.shape == (4, 1, 4, 4)
    prediction = torch.rand(4, 1, 4, 4, generator=generator)
    mse = torch.nn.functional.mse_loss
    loss = targets.loss(mse, prediction)
    # the paper's form: |f(g1) - g2|^2 + gamma |f(g1) - g2 - (g1(f) - g2(f))|^2,
    # with the cells recovered from where the inputs and targets came from
    g1_f = denoised.flatten()[_source_pixels(noisy, inputs)].reshape(inputs.shape)
    g2_f = denoised.flatten()[_source_pixels(noisy, targets.targets)].reshape(
        inputs.shape
    )
    diff = prediction - targets.targets
    expected = (diff**2).mean() + 1.5 * ((diff - (g1_f - g2_f)) ** 2).mean()
    torch.testing.assert_close(loss, expected)
    # without the network's output there is no correction
    _, plain = NeighbourSubsampling(1.5).pair(noisy, None, generator)
    torch.testing.assert_close(plain.corrected, plain.targets)


def _source_pixels(images, picked):
    """Flat indices in ``images`` of the (distinct) values of ``picked``."""
    flat = images.flatten()
    return torch.stack([(flat == v).nonzero()[0, 0] for v in picked.flatten()])


def test_neighbor2neighbor_trains_on_half_size_pairs(noisy_blobs, monkeypatch):
    _, noisy = noisy_blobs
    seen = []
    original = NeighbourSubsampling.pair

    def recording(self, inputs, denoised, generator):
        pair = original(self, inputs, denoised, generator)
        seen.append((inputs.shape, denoised is not None, pair[0].shape))
        return pair

    monkeypatch.setattr(NeighbourSubsampling, "pair", recording)
    nb2n(max_epochs=1, batch_size=20).fit(noisy[:20])
    assert seen == [((20, 1, 12, 12), True, (20, 1, 6, 6))]


def test_neighbor2neighbor_learns_from_noisy_images_alone(noisy_blobs):
    clean, noisy = noisy_blobs
    baseline = psnr(clean[240:], np.clip(noisy[240:], 0, 1))
    model = nb2n(architecture="unet", max_epochs=10).fit(noisy[:240])
    denoised = model.score(noisy[240:], clean[240:])
    # measured: 20.4 dB (noise2self: 23.0 dB on these 12x12 images, whose 6x6
    # sub-images are small), against 15.9 dB for the noisy images
    assert denoised > baseline + 4.0, (baseline, denoised)
    # the regulariser's network output is computed without gradient, and the
    # fit leaves no generator behind
    assert "_mask_generator" not in model.net_.__dict__


# ------------------------------------------------------------------ training
def test_noise2self_learns_from_noisy_images_alone(noisy_blobs):
    clean, noisy = noisy_blobs
    baseline = psnr(clean[240:], np.clip(noisy[240:], 0, 1))
    assert 15.5 < baseline < 16.5
    model = n2s(architecture="unet", max_epochs=10).fit(noisy[:240])
    denoised = model.score(noisy[240:], clean[240:])
    assert denoised > baseline + 4.0, (baseline, denoised)
    # the plain objective on the noisy images alone learns (close to) the
    # identity: blind-spot masking is what makes it learn the signal
    plain = clone(model).set_params(training="supervised")
    with pytest.warns(UserWarning, match="outside \\[0, 1\\]"):
        plain.fit(noisy[:240])
    assert plain.score(noisy[240:], clean[240:]) < denoised - 2.0


def test_noise2noise_learns_from_two_noisy_copies(noisy_blobs):
    clean, noisy_a = noisy_blobs
    noisy_b = clean + np.random.default_rng(2).normal(0, SIGMA, clean.shape)
    baseline = psnr(clean[240:], np.clip(noisy_a[240:], 0, 1))
    model = DenoisingAutoencoder(
        architecture="unet", max_epochs=10, batch_size=10, random_state=0
    )
    with pytest.warns(UserWarning, match="outside \\[0, 1\\]"):
        model.fit(noisy_a[:240], noisy_b[:240])
    # 17.9 dB: noisier targets than noise2self's learn more slowly
    assert model.score(noisy_a[240:], clean[240:]) > baseline + 1.5


@pytest.mark.parametrize("training", SELF_SUPERVISED)
def test_self_supervised_fits_are_reproducible(training, noisy_blobs):
    _, noisy = noisy_blobs
    a = n2s(training=training).fit(noisy[:60])
    b = n2s(training=training).fit(noisy[:60])
    c = n2s(training=training, random_state=1).fit(noisy[:60])
    np.testing.assert_array_equal(a.transform(noisy[:5]), b.transform(noisy[:5]))
    assert a.history_[:, "train_loss"] == b.history_[:, "train_loss"]
    assert a.history_[:, "train_loss"] != c.history_[:, "train_loss"]


def test_masks_are_fresh_every_epoch(monkeypatch):
    seen = []
    original = BlindSpotMasking.mask

    def recording(self, inputs, targets, generator):
        masked, masked_targets = original(self, inputs, targets, generator)
        seen.append(masked_targets.positions.clone())
        return masked, masked_targets

    monkeypatch.setattr(BlindSpotMasking, "mask", recording)
    n2s(max_epochs=2, batch_size=10).fit(make_blob_images(10, seed=3))
    assert len(seen) == 2  # one batch per epoch
    assert not torch.equal(seen[0], seen[1])


@pytest.mark.parametrize("training", SELF_SUPERVISED)
def test_target_images_are_refused(training, noisy_blobs):
    clean, noisy = noisy_blobs
    match = f"training='{training}' learns from the noisy images X alone"
    model = n2s(training=training)
    with pytest.raises(ValueError, match=match):
        model.fit(noisy[:20], clean[:20])
    with pytest.raises(ValueError, match="takes no target images y"):
        n2s(training=training, patch_size=8).fit(list(noisy[:3]), list(clean[:3]))
    assert not hasattr(model, "net_")


@pytest.mark.parametrize("training", SELF_SUPERVISED)
def test_a_noise_model_is_refused(training, noisy_blobs):
    _, noisy = noisy_blobs
    with pytest.raises(ValueError, match="noise=None"):
        n2s(training=training, noise=GaussianNoise(0.1)).fit(noisy[:20])


@pytest.mark.parametrize("training", SELF_SUPERVISED)
def test_class_labels_are_ignored_as_in_a_pipeline(training, noisy_blobs):
    _, noisy = noisy_blobs
    labels = np.arange(20) % 2
    a = n2s(training=training).fit(noisy[:20], labels)
    b = n2s(training=training).fit(noisy[:20])
    np.testing.assert_array_equal(a.transform(noisy[:3]), b.transform(noisy[:3]))


@pytest.mark.parametrize("training", SELF_SUPERVISED)
def test_noisy_targets_outside_unit_range_give_no_warning(
    training, noisy_blobs, recwarn
):
    _, noisy = noisy_blobs
    n2s(training=training, max_epochs=1).fit(noisy[:20])
    assert not [w for w in recwarn if "outside [0, 1]" in str(w.message)]


def test_invalid_parameters_are_refused(noisy_blobs):
    _, noisy = noisy_blobs
    for params in (
        {"training": "noise2void"},
        {"mask_density": 0.0},
        {"mask_density": 1.5},
        {"mask_replacement": "zero"},
    ):
        with pytest.raises(ValueError, match=next(iter(params))):
            n2s(**params).fit(noisy[:10])


@pytest.mark.parametrize("architecture", sorted(ARCHITECTURES))
@pytest.mark.parametrize(
    "params",
    [
        {"mask_replacement": "neighbour"},
        {"mask_replacement": "local_mean"},
        {"training": "neighbor2neighbor"},
    ],
    ids=["neighbour", "local_mean", "neighbor2neighbor"],
)
def test_every_architecture_and_mode(architecture, params, noisy_blobs):
    _, noisy = noisy_blobs
    model = n2s(architecture=architecture, max_epochs=1, **params).fit(noisy[:20])
    out = model.transform(noisy[:4])
    assert out.shape == (4, 12, 12) and np.isfinite(out).all()


@pytest.mark.parametrize("training", SELF_SUPERVISED)
def test_colour_patches_tiles_and_validation(training):
    rng = np.random.default_rng(0)
    clean = rng.random((3, 24, 20, 3)) * 0.5 + 0.25  # channels-last colour
    noisy = clean + rng.normal(0, 0.1, clean.shape)
    model = n2s(
        training=training,
        patch_size=8,
        augment=True,
        patches_per_epoch=40,
        validation_fraction=0.34,
        early_stopping=True,
        n_iter_no_change=1,
        max_epochs=3,
    ).fit(list(noisy))
    assert model.n_channels_ == 3
    losses = model.history_[:, "valid_loss"]
    assert np.isfinite(losses).all()
    whole = model.transform(noisy)
    tiled = model.set_params(tile_size=16).transform(noisy)
    assert whole.shape == noisy.shape
    assert psnr(whole, tiled) > 40


@pytest.mark.parametrize("training", SELF_SUPERVISED)
def test_self_supervision_in_a_pipeline(training, noisy_blobs):
    _, noisy = noisy_blobs
    pipe = make_pipeline(
        FunctionTransformer(lambda x: x.reshape(len(x), -1)), n2s(training=training)
    )
    out = pipe.fit(noisy[:30]).transform(noisy[:5])
    assert out.shape == (5, 144)


def test_parameters_survive_clone_pickle_and_model_files(noisy_blobs, tmp_path):
    _, noisy = noisy_blobs
    model = n2s(mask_density=0.05, mask_replacement="local_mean", max_epochs=1)
    assert clone(model).get_params()["mask_density"] == 0.05
    model.fit(noisy[:20])
    for copy in (
        pickle.loads(pickle.dumps(model)),
        DenoisingAutoencoder.load(model.save(tmp_path / "m.skdae")),
    ):
        params = copy.get_params()
        assert params["training"] == "noise2self"
        assert params["mask_density"] == 0.05
        assert params["mask_replacement"] == "local_mean"
        np.testing.assert_array_equal(
            copy.transform(noisy[:3]), model.transform(noisy[:3])
        )
    # resumed training keeps masking: a warm start continues identically
    loaded = DenoisingAutoencoder.load(tmp_path / "m.skdae")
    model.partial_fit(noisy[:20])
    loaded.partial_fit(noisy[:20])
    np.testing.assert_array_equal(
        loaded.transform(noisy[:3]), model.transform(noisy[:3])
    )


def test_an_old_pickle_trains_supervised(noisy_blobs):
    _, noisy = noisy_blobs
    model = DenoisingAutoencoder(max_epochs=1, random_state=0).fit(noisy[:10])
    state = model.__getstate__()
    for name in ("training", "mask_density", "mask_replacement"):
        state.pop(name)
    old = DenoisingAutoencoder.__new__(DenoisingAutoencoder)
    old.__setstate__(state)
    assert old.get_params()["training"] == "supervised"


# ------------------------------------------------------------------ the scorer
def test_scorer_is_deterministic_and_negative(noisy_blobs):
    _, noisy = noisy_blobs
    model = n2s().fit(noisy[:60])
    scorer = make_self_supervised_scorer(random_state=0)
    value = scorer(model, noisy[60:90])
    assert value < 0
    assert value == scorer(model, noisy[60:90])
    assert value != make_self_supervised_scorer(random_state=1)(model, noisy[60:90])
    # flat, 4-D and list input: the same images, the same masks, the same score
    assert scorer(model, noisy[60:90].reshape(30, -1)) == pytest.approx(value)
    assert scorer(model, noisy[60:90, np.newaxis]) == pytest.approx(value)
    assert np.isfinite(scorer(model, list(noisy[60:63])))
    # y is ignored
    assert scorer(model, noisy[60:90], np.zeros(30)) == value


def test_scorer_estimates_the_clean_error_plus_the_noise_variance(noisy_blobs):
    """For independent zero-mean noise, the J-invariant loss is the error of
    the masked prediction on the clean images plus sigma**2."""
    clean, noisy = noisy_blobs
    model = n2s(architecture="unet", max_epochs=4).fit(noisy[:200])
    loss = -make_self_supervised_scorer(n_masks=20, random_state=0)(model, noisy[200:])
    clean_error = np.mean((model.transform(noisy[200:]) - clean[200:]) ** 2)
    # the masked prediction is a little worse than the plain one
    assert SIGMA**2 + 0.5 * clean_error < loss < SIGMA**2 + 3 * clean_error + 0.01


def test_pair_scorer_is_the_error_between_subsampled_images(noisy_blobs):
    _, noisy = noisy_blobs
    model = nb2n().fit(noisy[:60])
    X = noisy[60:90]
    scorer = make_self_supervised_scorer(method="neighbor2neighbor", n_masks=3)
    # the same pairs by hand, from the same seed
    generator = torch_generator(draw_seed(0))
    images = torch.from_numpy(X[:, np.newaxis])
    errors = []
    for _ in range(3):
        first, second = draw_cells(30, 12, 12, generator)
        denoised = model.transform(subsample(images, first)[:, 0].numpy())
        errors.append((denoised - subsample(images, second)[:, 0].numpy()) ** 2)
    assert scorer(model, X) == pytest.approx(-np.mean(errors))
    # flat, 4-D and list input: the same images and pairs, the same score
    assert scorer(model, X.reshape(30, -1)) == pytest.approx(scorer(model, X))
    assert scorer(model, X[:, np.newaxis]) == pytest.approx(scorer(model, X))
    assert np.isfinite(scorer(model, list(X[:3])))
    assert "neighbor2neighbor" in repr(scorer)


@pytest.mark.parametrize("shape", [(6, 10, 8, 3), (6, 6, 6, 3), (6, 8, 8, 1)])
def test_pair_scorer_reads_channels_last_as_channels_first(shape):
    """The half-size images keep their channels, whatever their size: a 3x3
    sub-image of 3 channels is not read as 3 channels of 3x3 the other way."""
    noisy = np.random.default_rng(0).random(shape)
    first = np.ascontiguousarray(np.moveaxis(noisy, -1, 1))
    model = nb2n(max_epochs=1).fit(noisy)
    scorer = make_self_supervised_scorer(method="neighbor2neighbor")
    assert scorer(model, noisy) == pytest.approx(scorer(model, first))
    assert scorer(model, list(noisy[:2])) < 0  # (h, w, c) images in a list
    # an explicit channel axis is kept
    explicit = nb2n(max_epochs=1, channel_axis=-1).fit(noisy)
    assert scorer(explicit, noisy) == pytest.approx(
        scorer(explicit.set_params(channel_axis=1), first)
    )


def test_pair_scorer_refuses_a_pipeline_on_flat_rows(noisy_blobs):
    _, noisy = noisy_blobs
    flat = noisy[:20].reshape(20, -1)
    pipe = make_pipeline(
        FunctionTransformer(lambda x: x.reshape(len(x), -1)),
        nb2n(image_shape=(12, 12)),
    ).fit(flat)
    scorer = make_self_supervised_scorer(method="neighbor2neighbor")
    with pytest.raises(ValueError, match="pipeline fitted on flat rows of 144"):
        scorer(pipe, flat)
    assert make_self_supervised_scorer()(pipe, flat) < 0  # the masked score works


class _Dense(torch.nn.Module):
    """Not fully convolutional: a linear layer over the 12x12 pixels."""

    fully_convolutional = False

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(144, 144)

    def forward(self, x):
        return self.linear(x.flatten(1)).view_as(x)


def test_a_network_of_one_size_is_refused_for_neighbor2neighbor(noisy_blobs):
    _, noisy = noisy_blobs
    model = nb2n(architecture=_Dense)
    with pytest.raises(ValueError, match="needs images of the one size"):
        model.fit(noisy[:20])
    assert not hasattr(model, "net_")
    # blind-spot training keeps the size: it works
    assert n2s(architecture=_Dense, max_epochs=1).fit(noisy[:20]).n_iter_ == 1


def test_scorer_refuses_bad_parameters():
    with pytest.raises(ValueError, match="mask_density"):
        make_self_supervised_scorer(mask_density=0)
    with pytest.raises(ValueError, match="n_masks"):
        make_self_supervised_scorer(n_masks=0)
    with pytest.raises(ValueError, match="replacement"):
        make_self_supervised_scorer(replacement="zero")
    with pytest.raises(ValueError, match="method"):
        make_self_supervised_scorer(method="noise2void")


@pytest.mark.parametrize(
    "training, method",
    [
        ("noise2self", "noise2self"),
        ("noise2self", "neighbor2neighbor"),
        ("neighbor2neighbor", "neighbor2neighbor"),
    ],
)
def test_grid_search_on_noisy_data_picks_the_clean_data_optimum(
    training, method, noisy_blobs
):
    """The candidate chosen by the self-supervised scorer on noisy data alone
    is within 0.3 dB (clean PSNR) of the one a search on clean data chooses."""
    clean, noisy = noisy_blobs
    train, test = np.arange(200), np.arange(200, 300)
    grid = {"max_epochs": [1, 8], "architecture": ["reference", "unet"]}
    search = GridSearchCV(
        n2s(training=training),
        grid,
        scoring=make_self_supervised_scorer(method=method, random_state=0),
        cv=[(train, test)],
        refit=False,
    ).fit(noisy)
    # the search scored on clean data: each candidate (the same fits, by
    # random_state) rated by its PSNR against the clean held-out images
    clean_psnr, naive = {}, {}
    for params in search.cv_results_["params"]:
        key = tuple(sorted(params.items()))
        model = n2s(training=training, **params).fit(noisy[train])
        clean_psnr[key] = model.score(noisy[test], clean[test])
        # the error against the noisy images without masking: not J-invariant
        naive[key] = -np.mean((model.transform(noisy[test]) - noisy[test]) ** 2)
    best_clean = max(clean_psnr.values())
    chosen = clean_psnr[tuple(sorted(search.best_params_.items()))]
    # a meaningful test: the candidates differ by far more than 0.3 dB, and a
    # score without masking picks a worse one (measured, noise2self: 17.6
    # against 22.6 dB; neighbor2neighbor: 18.4 against 19.8 dB)
    assert best_clean - min(clean_psnr.values()) > 2.0
    assert clean_psnr[max(naive, key=naive.get)] < best_clean - 0.3
    assert chosen >= best_clean - 0.3, (search.best_params_, clean_psnr)


def test_the_masked_scorer_misjudges_a_neighbor2neighbor_model(noisy_blobs):
    """Why the pair scorer exists: the masked score rates how a model copes
    with a hidden pixel, which a model trained on pairs never learned; on
    these candidates it prefers one 0.7 dB worse on clean data."""
    clean, noisy = noisy_blobs
    masked = make_self_supervised_scorer(random_state=0)
    pairs = make_self_supervised_scorer(method="neighbor2neighbor", random_state=0)
    small = nb2n(max_epochs=8).fit(noisy[:200])
    unet = nb2n(max_epochs=8, architecture="unet").fit(noisy[:200])
    X, Y = noisy[200:], clean[200:]
    assert unet.score(X, Y) > small.score(X, Y) + 0.5  # measured 19.8 vs 19.0 dB
    assert masked(small, X) > masked(unet, X)
    assert pairs(unet, X) > pairs(small, X)


@parametrize_with_checks(
    [
        DenoisingAutoencoder(
            training="noise2self",
            image_shape=(1, -1),
            max_epochs=2,
            batch_size=8,
            random_state=0,
        ),
        DenoisingAutoencoder(
            training="neighbor2neighbor",
            image_shape=(1, -1),
            max_epochs=2,
            batch_size=8,
            random_state=0,
        ),
    ]
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
