"""pyproject.toml declares exactly the third-party packages skdae imports."""

import ast
import re
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[1]

#: import name -> distribution name, where they differ
DISTRIBUTIONS = {"sklearn": "scikit-learn", "skimage": "scikit-image", "PIL": "pillow"}

#: imported lazily (inside functions, to keep ``import skdae`` light) but needed at
#: run time: matplotlib by the displays and the CLI, Pillow and tifffile by
#: skdae.datasets.load_images
LAZY_RUNTIME = {"matplotlib", "pillow", "tifffile"}


def _imported_packages():
    """Top-level third-party packages imported by skdae, split by whether the
    import is optional (inside a function or a try block, e.g. torchvision)."""
    required, optional = set(), set()
    for path in (ROOT / "skdae").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                package = name.split(".")[0]
                if package in sys.stdlib_module_names or package == "skdae":
                    continue
                (required if id(node) in top_level else optional).add(package)
    return required, optional - required


def _names(requirements):
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_dependencies_are_exactly_the_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    required, optional = _imported_packages()
    declared = _names(project["dependencies"])
    lazily_needed = {DISTRIBUTIONS.get(p, p) for p in optional}
    assert declared == {DISTRIBUTIONS.get(p, p) for p in required} | (
        lazily_needed & LAZY_RUNTIME
    )
    extras = set().union(
        *(_names(v) for v in project["optional-dependencies"].values())
    )
    assert lazily_needed - declared <= extras, lazily_needed - declared - extras
