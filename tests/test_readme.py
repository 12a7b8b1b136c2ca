"""The README's quick start runs as written (on real MNIST)."""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_start_runs(mnist_dir, monkeypatch):
    text = (ROOT / "README.md").read_text()
    quick_start = text.split("## Quick start", 1)[1]
    code = re.search(r"```python\n(.*?)```", quick_start, re.S).group(1)
    assert "load_mnist" in code and "GridSearchCV" in code
    monkeypatch.chdir(ROOT)  # the README's paths are relative to the repository
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102
    assert namespace["search"].best_params_ == {"noise__sigma": 0.1}
    assert namespace["pipe"].score(namespace["X_test"], namespace["X_test"]) > 14


def test_readme_starts_with_the_two_commands():
    lines = (ROOT / "README.md").read_text().splitlines()
    blocks = [i for i, line in enumerate(lines) if line.startswith("```bash")]
    first, second = lines[blocks[0] + 1], lines[blocks[1] + 1]
    assert "skdae demo" in first and "pip install" in first
    assert "pytest" in second and '".[test]"' in second
    ci = (ROOT / ".ci" / "run").read_text()
    assert "Run the test suite" in ci and os.access(ROOT / ".ci" / "run", os.R_OK)
