import re

from conftest import PROJECT, TrainedProject

from {{ cookiecutter.__package }} import report
from {{ cookiecutter.__package }}.markers import find_blocks
from {{ cookiecutter.__package }}.provenance import block_contents

PLACEHOLDER = "_Run `make all` to fill this section._"
# Spelled in two parts so that this file is not itself a narrative placeholder.
TODO = "TODO" + "(portfolio)"
MARKER = re.compile(r"<!-- portfolio:[^ ]+ -->\n.*?<!-- portfolio:[^ ]+ -->", re.DOTALL)


def test_every_block_is_filled_and_the_prose_is_untouched(trained: TrainedProject) -> None:
    for name in ("README.md", "MODEL_CARD.md", report.DECISION_RECORD.as_posix()):
        written = (trained.root / name).read_text(encoding="utf-8")
        original = (PROJECT / name).read_text(encoding="utf-8")
        blocks = block_contents(written)
        assert blocks, name
        assert set(blocks) == set(find_blocks(original)), name
        for block, content in blocks.items():
            assert content.strip(), (name, block)
            assert PLACEHOLDER not in content, (name, block)
        assert MARKER.sub("", written) == MARKER.sub("", original), name
        assert written.count(TODO) == original.count(TODO) > 0


def test_the_readme_states_the_test_auc_with_its_interval(trained: TrainedProject) -> None:
    results = block_contents((trained.root / "README.md").read_text(encoding="utf-8"))["results"]
    assert re.search(r"ROC-AUC\s+\|\s+0\.\d{3} \[0\.\d{3}, (0\.\d{3}|1\.000)\]", results)


def test_the_figures_are_written_and_linked(trained: TrainedProject) -> None:
    figures = block_contents((trained.root / "README.md").read_text(encoding="utf-8"))["figures"]
    for key in report.FIGURES:
        path = trained.config.paths.figures / f"{key}.png"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"(reports/figures/{key}.png)" in figures


def test_a_second_report_changes_nothing(trained: TrainedProject) -> None:
    before = {p: p.read_bytes() for p in trained.root.rglob("*.md")}
    figures = {p: p.read_bytes() for p in trained.config.paths.figures.iterdir()}
    report.report(trained.config)
    assert {p: p.read_bytes() for p in trained.root.rglob("*.md")} == before
    assert {p: p.read_bytes() for p in trained.config.paths.figures.iterdir()} == figures
