"""Every architecture: image sizes, custom modules, encode/decode, tuning."""

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError, StrOptions
from torch import nn

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae._padding import PaddedNetwork
from skdae._training import _use_channels_last
from skdae.architectures import (
    ARCHITECTURES,
    BaseArchitecture,
    CustomArchitecture,
    Reference,
    Residual,
    ResidualUNet,
    UNet,
    resolve_architecture,
)
from skdae.architectures._registry import OWN_NETWORKS
from skdae.metrics import psnr
from skdae.networks import ReferenceAutoencoder

from ._helpers import make_blob_images

SMALL = {
    "reference": Reference(channels=(8, 16)),
    "residual": Residual(depth=4, channels=8),
    "unet": UNet(depth=2, channels=8),
    "resunet": ResidualUNet(depth=2, channels=8, blocks=1),
}


@pytest.mark.parametrize("name", SMALL)
@pytest.mark.parametrize("shape", [(28, 28), (32, 32), (17, 23)])
def test_odd_image_sizes(name, shape):
    X = np.random.default_rng(0).random((8, *shape))
    dae = DenoisingAutoencoder(
        architecture=SMALL[name], max_epochs=1, batch_size=8, random_state=0
    ).fit(X)
    out = dae.transform(X)
    assert out.shape == X.shape and np.all((out >= 0) & (out <= 1))


@pytest.mark.parametrize(
    "name, epochs",
    [("reference", 20), ("residual", 3), ("unet", 6), ("resunet", 4)],
)
def test_named_architectures_learn_from_defaults(name, epochs):
    """Defaults train on every seed tried: no dead start at a constant output."""
    X = make_blob_images(120, 16, 16, seed=1)
    noisy = GaussianNoise(0.3, random_state=0).transform(X)
    for seed in range(3):
        dae = DenoisingAutoencoder(
            noise=GaussianNoise(0.3),
            architecture=name,
            max_epochs=epochs,
            batch_size=20,
            random_state=seed,
        ).fit(X)
        out = dae.transform(noisy)
        assert out.std(axis=0).mean() > 0.05, f"constant output with seed {seed}"
        assert psnr(X, out) > psnr(X, noisy) + 2.0


def test_residual_and_unet_start_as_identity():
    x = torch.rand(2, 1, 16, 16)
    for arch in (Residual(), UNet(), ResidualUNet()):
        net = arch.build().eval()
        assert torch.equal(net(x), x)


def test_encode_decode_availability():
    X = make_blob_images(16, 12, 12)
    fit = dict(max_epochs=1, batch_size=8, random_state=0)
    ref = DenoisingAutoencoder(architecture="reference", **fit).fit(X)
    assert ref.decode(ref.encode(X)).shape == X.shape
    unet = DenoisingAutoencoder(architecture=UNet(depth=2, channels=4), **fit).fit(X)
    assert unet.latent_shape_ == (16, 3, 3)
    assert unet.encode(X).shape == (16, 16 * 3 * 3)
    with pytest.raises(NotImplementedError, match="skip connections"):
        unet.decode(unet.encode(X))
    res = DenoisingAutoencoder(architecture="residual", **fit).fit(X)
    assert res.latent_shape_ is None
    with pytest.raises(NotImplementedError, match="no bottleneck"):
        res.encode(X)


class Tiny(nn.Module):
    """A user's own network with a keyword argument and a bottleneck."""

    size_multiple = 2

    def __init__(self, width=4):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, width, 3, padding=1), nn.MaxPool2d(2))
        self.dec = nn.Sequential(
            nn.Upsample(scale_factor=2), nn.Conv2d(width, 1, 3, padding=1)
        )

    def encode(self, x):
        return self.enc(x)

    def decode(self, z):
        return torch.sigmoid(self.dec(z))

    def forward(self, x):
        return self.decode(self.encode(x))


def test_custom_module_class_and_kwargs():
    X = make_blob_images(16, 11, 11)
    plain = DenoisingAutoencoder(architecture=Tiny, max_epochs=1, random_state=0).fit(X)
    assert plain.transform(X).shape == X.shape
    assert plain.net_.module_.network.enc[0].out_channels == 4
    custom = DenoisingAutoencoder(
        architecture=CustomArchitecture(Tiny, {"width": 6}),
        max_epochs=1,
        random_state=0,
    ).fit(X)
    assert custom.net_.module_.network.enc[0].out_channels == 6
    assert custom.latent_shape_ == (6, 6, 6)  # 11 padded to 12, pooled once
    assert custom.decode(custom.encode(X)).shape == X.shape


def test_architecture_bad_values():
    X = make_blob_images(8, 8, 8)
    with pytest.raises(ValueError, match="architecture"):
        DenoisingAutoencoder(architecture="transformer").fit(X)
    with pytest.raises(ValueError, match="depth"):
        DenoisingAutoencoder(architecture=Residual(depth=1), max_epochs=1).fit(X)
    with pytest.raises(TypeError, match="nn.Module subclass"):
        DenoisingAutoencoder(
            architecture=CustomArchitecture(nn.Conv2d(1, 1, 3)), max_epochs=1
        ).fit(X)


def test_grid_search_over_architecture_size():
    X = make_blob_images(60, 12, 12)
    search = GridSearchCV(
        DenoisingAutoencoder(
            noise=GaussianNoise(0.3),
            architecture=Residual(channels=8),
            max_epochs=1,
            batch_size=10,
            random_state=0,
        ),
        {"architecture__depth": [3, 5]},
        cv=2,
    ).fit(X)
    assert search.best_estimator_.architecture.depth in (3, 5)
    depths = [p["architecture__depth"] for p in search.cv_results_["params"]]
    assert depths == [3, 5]


@pytest.mark.parametrize("name", ["residual", "unet", "resunet"])
def test_save_load_other_architectures(name, tmp_path):
    X = make_blob_images(16, 12, 12)
    dae = DenoisingAutoencoder(
        architecture=SMALL[name], max_epochs=1, random_state=0
    ).fit(X)
    loaded = DenoisingAutoencoder.load(dae.save(tmp_path / "m.skdae"))
    np.testing.assert_array_equal(loaded.transform(X), dae.transform(X))
    assert loaded.architecture.get_params() == SMALL[name].get_params()
    with pytest.raises(ValueError, match="custom networks|own architectures"):
        DenoisingAutoencoder(architecture=Tiny, max_epochs=1, random_state=0).fit(
            X
        ).save(tmp_path / "c.skdae")


def test_base_architecture_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        BaseArchitecture()

    class NoBuild(BaseArchitecture):
        pass

    with pytest.raises(TypeError, match="abstract.*build"):
        NoBuild()


@pytest.mark.parametrize(
    "architecture, parameter",
    [
        (Reference(channels=(0, 16)), "channels"),
        (Reference(channels=32), "channels"),
        (Reference(channels=(8, 16, 32)), "channels"),
        (Reference(channels=(8, 16.0)), "channels"),
        (Residual(depth=1), "depth"),
        (Residual(channels=0), "channels"),
        (Residual(depth=True), "depth"),
        (UNet(depth=0), "depth"),
        (UNet(channels=2.5), "channels"),
        (CustomArchitecture(nn.Conv2d(1, 1, 3)), "module"),
        (CustomArchitecture(int), "module"),
        (CustomArchitecture(Tiny, module_kwargs=[("width", 4)]), "module_kwargs"),
    ],
    ids=repr,
)
def test_build_validates_parameters(architecture, parameter):
    with pytest.raises(
        InvalidParameterError,
        match=f"'{parameter}' parameter of {type(architecture).__name__}",
    ):
        architecture.build()


def test_reference_channels_may_be_a_list():
    net = Reference(channels=[4, 6]).build()
    assert net.encode(torch.zeros(1, 1, 8, 8)).shape == (1, 6, 2, 2)


def test_architecture_names_are_listed_once():
    """The estimator's constraint, resolve_architecture and errors use ARCHITECTURES."""
    (options,) = [
        c
        for c in DenoisingAutoencoder._parameter_constraints["architecture"]
        if isinstance(c, StrOptions)
    ]
    assert options.options == set(ARCHITECTURES)
    for name, cls in ARCHITECTURES.items():
        assert type(resolve_architecture(name)) is cls
    with pytest.raises(ValueError, match="'reference', 'residual', 'unet'"):
        resolve_architecture("transformer")


def test_architecture_rejects_classes_that_are_not_modules():
    X = make_blob_images(8, 8, 8)
    with pytest.raises(InvalidParameterError, match="torch.nn.Module subclass"):
        DenoisingAutoencoder(architecture=int, max_epochs=1).fit(X)


def test_public_names_of_the_networks():
    assert type(Reference().build()) is ReferenceAutoencoder
    assert isinstance(resolve_architecture(Tiny), CustomArchitecture)


@pytest.mark.parametrize("name", ARCHITECTURES)
def test_own_networks_run_channels_last_but_not_subclasses(name):
    network = PaddedNetwork(ARCHITECTURES[name]())
    assert type(network.network) in OWN_NETWORKS
    assert _use_channels_last(network, "cpu")

    class Subclass(type(network.network)):
        """A user's subclass may view its feature maps: standard layout."""

    custom = PaddedNetwork(
        CustomArchitecture(Subclass, ARCHITECTURES[name]().get_params())
    )
    assert not _use_channels_last(custom, "cpu")


def test_residual_unet_is_bias_free_and_counts_its_weights():
    """No biases (homogeneous in the input) and the model-file size check agrees."""
    from skdae._model_files import parameter_count

    for arch, k in [(ResidualUNet(), 1), (ResidualUNet(3, 16, 2), 3)]:
        net = arch.build(k)
        assert not any(name.endswith("bias") for name, _ in net.named_parameters())
        assert parameter_count(arch, k) == sum(p.numel() for p in net.parameters())
    net = ResidualUNet(depth=2, channels=4, blocks=1).build().eval()
    with torch.no_grad():
        for tail in [net.tail.weight]:
            tail.normal_()
        x = torch.rand(1, 1, 8, 8)
        torch.testing.assert_close(net(3 * x), 3 * net(x))  # positively homogeneous
