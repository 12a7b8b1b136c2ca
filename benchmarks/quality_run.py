"""The state one quality run shares between its experiments.

:class:`QualityRun` holds the images (training, tuning and test slices), the
noisy images of every noise setting (drawn once, with fixed seeds), the trained
skdae models and the evaluated rows, so that an experiment asking for a model
or a row that another one already computed gets it for free. Every row is a
dict with the method, the noise, PSNR and SSIM over the test images and over
the first ``bm3d_test`` of them, and what was trained or tuned.
"""

import time

import numpy as np

from skdae import DenoisingAutoencoder
from skdae.architectures import ARCHITECTURES as _ARCHITECTURE_CLASSES
from skdae.metrics import psnr, ssim

from . import classical_denoisers
from .harness import jsonable, load_images, log
from .noise_settings import make_noise

SIDE = 28  # MNIST images are 28x28
ARCHITECTURES = tuple(_ARCHITECTURE_CLASSES)  # the names, in skdae's order


class QualityRun:
    """Data, models and evaluated rows of one run; see the module docstring."""

    def __init__(self, settings):
        self.s = settings
        self.notes = classical_denoisers.missing_packages()
        self.models = {}  # (architecture, noise key, loss) -> (estimator, info)
        self.evaluated = {}  # (method, noise key) -> row
        self._noisy = {}  # (noise key, "test" or "tune") -> noisy images
        X_train = load_images("mnist", "train", data_home=settings["data_home"])
        X_test = load_images("mnist", "test", data_home=settings["data_home"])
        n_tune = settings["n_tune"]
        self.X_tune = X_train[-n_tune:]
        self.X_train = X_train[: settings["n_train"] or len(X_train)]
        self.X_arch_train = X_train[: settings["arch_n_train"] or len(X_train)]
        # PCA: clean training images, never the tuning slice
        self.X_pca = X_train[: min(len(self.X_train), len(X_train) - n_tune)]
        self.X_test = X_test[: settings["n_test"] or len(X_test)]
        self.n_bm3d = min(settings["bm3d_test"], len(self.X_test))
        self.data_info = {
            "dataset": "MNIST (skdae.datasets.load_mnist)",
            "train_images_available": len(X_train),
            "test_images_available": len(X_test),
            "reference_train_images": len(self.X_train),
            "architecture_train_images": len(self.X_arch_train),
            "test_images": len(self.X_test),
            "tune_images": f"last {n_tune} training images",
            "pca_fit_images": len(self.X_pca),
            "bm3d_test_images": self.n_bm3d,
            "bm3d_tune_images": min(settings["bm3d_tune"], n_tune),
        }
        pca = classical_denoisers.PCADenoiser(
            self.X_pca, max(classical_denoisers.PCA_COMPONENTS)
        )
        self.methods = classical_denoisers.classical_methods(pca, settings["n_jobs"])
        if not settings.get("bm3d", True) and self.methods.pop("BM3D", None):
            self.notes.append("BM3D left out (--without-bm3d)")

    # ------------------------------------------------------------------ noise
    def noisy(self, key, split):
        """Noisy ``split`` ("test" or "tune") images of noise ``key`` (fixed seed)."""
        if (key, split) not in self._noisy:
            seed = self.s["test_noise_seed" if split == "test" else "tune_noise_seed"]
            clean = self.X_test if split == "test" else self.X_tune
            self._noisy[key, split] = make_noise(key, seed).fit_transform(clean)
        return self._noisy[key, split]

    # --------------------------------------------------------------- skdae
    def model(self, arch, key, loss="mse"):
        """(estimator, info) of ``arch`` trained on noise ``key`` with ``loss``."""
        if (arch, key, loss) in self.models:
            return self.models[arch, key, loss]
        noise = make_noise(key)
        reference = arch == "reference"
        X = self.X_train if reference else self.X_arch_train
        epochs = self.s["reference_epochs" if reference else "arch_epochs"]
        if key == "blind-gauss" and self.s.get("blind_epochs"):
            epochs = self.s["blind_epochs"]
        est = DenoisingAutoencoder(
            noise=noise,
            architecture=arch,
            max_epochs=epochs,
            batch_size=self.s["batch_size"],
            lr=self.s["lr"],
            loss=loss,
            random_state=self.s["seed"],
        )
        log(
            f"training {arch} on {len(X)} images, {epochs} epoch(s), noise {key}, "
            f"loss {loss}"
        )
        start = time.perf_counter()
        est.fit(X)
        seconds = time.perf_counter() - start
        info = {
            "architecture": arch,
            "noise": key,
            "noise_params": {
                k: jsonable(v)
                for k, v in noise.get_params().items()
                if k != "random_state"
            },
            "train_images": len(X),
            "epochs": epochs,
            "loss": loss,
            "batch_size": self.s["batch_size"],
            "train_time_s": round(seconds, 1),
            "final_train_loss": float(est.history_[-1, "train_loss"]),
            "device": str(est.device_),
        }
        log(f"  trained in {seconds:.1f} s, loss {info['final_train_loss']:.5f}")
        self.models[arch, key, loss] = (est, info)
        return self.models[arch, key, loss]

    def model_row(self, arch, key, *, eval_key=None, name=None, loss="mse"):
        """Row of the model (arch, key, loss) on the test images of ``eval_key``."""
        eval_key = eval_key or key
        name = name or f"skdae {arch}" + (f" (loss {loss})" if loss != "mse" else "")
        if (name, eval_key) in self.evaluated:
            return self.evaluated[name, eval_key]
        est, info = self.model(arch, key, loss)
        start = time.perf_counter()
        out = est.transform(self.noisy(eval_key, "test"))
        row = self._row(name, eval_key, out, seconds=time.perf_counter() - start)
        row.update(
            {
                "params": f"trained on {key}, loss {loss}",
                "loss": loss,
                "train_time_s": info["train_time_s"],
                "epochs": info["epochs"],
                "train_images": info["train_images"],
            }
        )
        self.evaluated[name, eval_key] = row
        return row

    # ------------------------------------------------------------- baselines
    def noisy_row(self, key):
        """Row of the noisy input itself."""
        if ("noisy input", key) not in self.evaluated:
            row = self._row("noisy input", key, self.noisy(key, "test"))
            row["params"] = ""
            self.evaluated["noisy input", key] = row
        return self.evaluated["noisy input", key]

    def classical_row(self, method, key):
        """Row of a classical denoiser, its parameter tuned on the tuning images."""
        if (method, key) in self.evaluated:
            return self.evaluated[method, key]
        function, grid, _ = self.methods[method]
        tune_clean = self.X_tune.reshape(-1, SIDE, SIDE).astype(np.float64)
        tune_noisy = self.noisy(key, "tune").reshape(-1, SIDE, SIDE).astype(np.float64)
        subset = method == "BM3D"  # BM3D is slow: a subset of images
        if subset:
            n = min(self.s["bm3d_tune"], len(tune_clean))
            tune_clean, tune_noisy = tune_clean[:n], tune_noisy[:n]
        start = time.perf_counter()
        param, tune_psnr, on_edge = classical_denoisers.tune(
            method, function, grid, tune_clean, tune_noisy, n_jobs=self.s["n_jobs"]
        )
        tune_seconds = time.perf_counter() - start
        test_noisy = self.noisy(key, "test").reshape(-1, SIDE, SIDE).astype(np.float64)
        if subset:
            test_noisy = test_noisy[: self.n_bm3d]
        start = time.perf_counter()
        out = np.clip(function(test_noisy, param), 0, 1)  # as the DAE outputs
        seconds = time.perf_counter() - start
        row = self._row(method, key, out, seconds=seconds, subset_only=subset)
        shown = ""
        if param is not None:
            shown = classical_denoisers.describe_param(method, param)
            shown += " (grid edge)" if on_edge else ""
        row.update(
            {
                "params": shown,
                "tuned_param": jsonable(param),
                "tune_psnr": tune_psnr,
                "tune_images": len(tune_clean),
                "tune_time_s": round(tune_seconds, 2),
            }
        )
        log(
            f"  {method:16s} {key:12s} {shown:28s} PSNR {row['psnr']:.2f} "
            f"(tune {tune_seconds:.1f} s, test {seconds:.1f} s)"
        )
        self.evaluated[method, key] = row
        return row

    def _row(self, name, key, estimate, seconds=None, subset_only=False):
        clean = self.X_test[: self.n_bm3d] if subset_only else self.X_test
        estimate = estimate.reshape(len(clean), -1)
        p = psnr(clean, estimate, per_image=True)
        q = ssim(clean, estimate, per_image=True)
        n = self.n_bm3d
        row = {
            "method": name,
            "noise": key,
            "n_images": len(clean),
            "psnr": float(p.mean()),
            "ssim": float(q.mean()),
            "psnr_subset": float(p[:n].mean()),
            "ssim_subset": float(q[:n].mean()),
        }
        if seconds is not None:
            row["eval_time_s"] = round(seconds, 2)
        return row

    # ------------------------------------------------------------- queries
    def model_infos(self):
        """What every trained model is, for the JSON record."""
        return [info for _, info in self.models.values()]

    def best_architecture(self):
        """``--best-arch``, else the best non-reference one at Gaussian 0.5."""
        if self.s.get("best_arch"):
            return self.s["best_arch"]
        rows = [self.evaluated.get((f"skdae {a}", "gauss-0.5")) for a in ARCHITECTURES]
        rows = [r for r in rows[1:] if r is not None]
        if not rows:
            return "residual"
        return best(rows)["method"].split()[-1]


def best(rows):
    """The row with the highest PSNR."""
    return max(rows, key=lambda r: r["psnr"])
