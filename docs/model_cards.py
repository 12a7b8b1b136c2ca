"""The model cards of ``docs/pretrained.rst``, written from the shipped cards.

``docs/conf.py`` calls :func:`write_model_cards` when the build starts: it
renders each card of :mod:`skdae.pretrained` (the JSON files beside the model
files, the one place the cards live) as reStructuredText into
``docs/generated/pretrained_cards.inc``, which ``pretrained.rst`` includes. The
``.inc`` suffix keeps Sphinx from reading it as a page of its own.
"""

from importlib import resources

from skdae import pretrained

NOT_MEASURED = (
    "Not measured yet: ``python -m benchmarks pretrained --update-cards`` "
    "writes the table here."
)


def _literal(text):
    return f"``{text}``"


def _size(name):
    resource = resources.files("skdae.pretrained") / "models" / f"{name}.skdae"
    return resource.stat().st_size / 1e6 if hasattr(resource, "stat") else None


def _table(benchmark):
    if benchmark is None:
        return [NOT_MEASURED, ""]
    lines = [f".. list-table:: {benchmark['title']}", "   :header-rows: 1", ""]
    for row in [benchmark["header"], *benchmark["rows"]]:
        lines.append(f"   * - {row[0]}")
        lines += [f"     - {cell}" for cell in row[1:]]
    lines += [
        "",
        f"Measured by ``{benchmark['command']}``; full results (every method's "
        f"time, machine, versions) in ``{benchmark['source']}``.",
        "",
    ]
    return lines


def render_card(name):
    """One model card as reStructuredText lines."""
    card = pretrained.model_card(name)
    heading = f"``{name}``: {card['description']}"
    size = _size(name)
    stored = f"weights stored as {card['weights_dtype']}"
    if size is not None:
        stored += f", a {size:.1f} MB file"
    lines = [
        f".. _pretrained_{name}:",
        "",
        heading,
        "-" * len(heading),
        "",
        f":Task: {card['task']}",
        f":Architecture: {_literal(card['architecture'])}, "
        f"{card['parameters']:,} parameters ({stored})",
        f":Training data: {card['training_data']}",
        f":Recipe: {card['recipe']}",
        f":Device: {card['device']}",
        f":Training time: {card['training_time']}",
        f":Seed: {card['seed']}",
        f":Reproduce: {_literal(card['reproduce'])}",
        f":Load: {_literal(f'skdae.pretrained.load({name!r})')}, or "
        f"{_literal(f'skdae denoise --model {name} INPUT...')}",
        "",
    ]
    return lines + _table(card["benchmark"])


def write_model_cards(path):
    """Write every shipped model's card to ``path`` (a ``.inc`` file)."""
    lines = []
    for name in pretrained.available():
        lines += render_card(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
