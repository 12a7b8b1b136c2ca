"""The README's snippets run as written (on real MNIST)."""

import os
import re
from pathlib import Path

import pytest

from skdae.metrics import psnr

ROOT = Path(__file__).resolve().parents[1]


def _python_blocks(text):
    return re.findall(r"```python\n(.*?)```", text, re.S)


@pytest.mark.slow
def test_readme_snippets_run(mnist_dir, monkeypatch, tmp_path):
    """All python blocks in order, in one namespace, starting with the quick start."""
    text = (ROOT / "README.md").read_text()
    blocks = _python_blocks(text)
    quick_start = _python_blocks(text.split("## Quick start", 1)[1])[0]
    assert blocks[0] == quick_start
    assert "load_mnist" in quick_start and "GridSearchCV" in quick_start
    monkeypatch.chdir(tmp_path)  # the snippets write model.skdae
    namespace = {}
    for i, code in enumerate(blocks):
        # the README's data path is relative to the repository
        code = code.replace('"../shared/data"', repr(str(mnist_dir.parent)))
        # the README states each block's time on an idle 2-core CPU; times are
        # not asserted here (a loaded CI machine takes several times longer)
        exec(compile(code, f"README.md block {i}", "exec"), namespace)  # noqa: S102
        if i == 0:
            # the quick start's pipeline denoises: 5 dB better than its noisy input
            X_test = namespace["X_test"]
            noisy = namespace["GaussianNoise"](sigma=0.5, random_state=0)
            noisy_psnr = psnr(X_test, noisy.transform(X_test))
            assert namespace["pipe"].score(X_test, X_test) > noisy_psnr + 5.0
            # its sweep over the pipeline's noise level: PSNR falls with sigma
            scores = namespace["search"].cv_results_["mean_test_score"]
            assert scores[0] > scores[1] > scores[2]
    assert (tmp_path / "model.skdae").is_file()
    # the architecture search scores denoising, not clean-to-clean reconstruction
    assert namespace["search"].scoring is not None


def test_readme_starts_with_the_two_commands():
    lines = (ROOT / "README.md").read_text().splitlines()
    blocks = [i for i, line in enumerate(lines) if line.startswith("```bash")]
    first, second = lines[blocks[0] + 1], lines[blocks[1] + 1]
    assert "skdae demo" in first and "pip install" in first
    assert "pytest" in second and '".[test]"' in second
    ci = ROOT / ".ci" / "run"
    assert "Run the test suite" in ci.read_text()
    assert os.access(ci, os.X_OK), ".ci/run must be executable"
