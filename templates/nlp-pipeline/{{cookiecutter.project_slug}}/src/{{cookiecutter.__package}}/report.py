"""Write the evaluation where readers look: metrics.json, figures, and the Markdown blocks.

Numbers are never typed by hand: this module rewrites the README, the model card, the
datasheet and the decision records between their ``portfolio:NAME`` markers, and leaves every
word outside the markers to the author. Running it twice changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from .blocks import render_blocks
from .config import Config
from .evaluate import Evaluation
from .interactive import interactive_payload
from .markers import find_blocks, rewrite_blocks
from .plots import write_figures
from .provenance import code_files, record_provenance
from .site import write_site_data

__all__ = ["DOCUMENTS", "write_report"]

# The documents whose blocks the report writes; a document lacking a block is left alone there.
DOCUMENTS = (
    "README.md",
    "MODEL_CARD.md",
    "docs/DATASHEET.md",
    "docs/decisions/0001-threshold-by-cost.md",
    "docs/decisions/0002-deduplicate-before-splitting.md",
    "docs/decisions/0003-tune-and-calibrate-on-validation.md",
)


def write_report(config: Config, evaluation: Evaluation) -> list[Path]:
    """Write metrics.json, figures, every document's blocks, and their provenance.

    The provenance (fingerprints of the config, code and data behind the numbers) goes to
    ``reports/provenance.json``, so stale results can be detected.

    Returns the documents updated. A document that is missing is skipped; a block the
    document does not have is skipped too, so authors may delete sections they do not want.

    Raises:
        MarkerError: a document has a broken block (a start without an end, or twice).

    """
    config.reports_dir.mkdir(parents=True, exist_ok=True)
    metrics_path = config.reports_dir / "metrics.json"
    metrics_path.write_text(
        json.dumps(evaluation.metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    figures = write_figures(evaluation, config.reports_dir / "figures", items=config.dataset.items)
    updated = []
    for name in DOCUMENTS:
        path = config.root / name
        if not path.is_file():
            continue
        blocks = render_blocks(config, evaluation, path.parent, figures)
        present = find_blocks(path.read_text(encoding="utf-8"))
        wanted = {block: blocks[block] for block in present if block in blocks}
        if wanted:
            rewrite_blocks(path, wanted)
            updated.append(path)
    data = config.data.path
    data_files = sorted(p for p in data.rglob("*.txt") if p.is_file()) if data.is_dir() else [data]
    about = (
        [config.dataset.about] if config.dataset.about and config.dataset.about.is_file() else []
    )
    headline = evaluation.metrics["headline"]
    shown = sorted(
        figures.values(),
        key=lambda figure: figure.path.relative_to(config.root).as_posix() != headline["figure"],
    )
    site_data = write_site_data(
        config.root,
        headline=headline,
        figures=[
            {"path": figure.path.relative_to(config.root).as_posix(), "caption": figure.caption}
            for figure in shown
        ],
        interactive=interactive_payload(evaluation, items=config.dataset.items, seed=config.seed),
    )
    record_provenance(
        config.root,
        inputs=[config.path, *code_files(config.root), *data_files, *about],
        outputs=[metrics_path, *(figure.path for figure in figures.values()), site_data],
        documents=updated,
    )
    return updated
