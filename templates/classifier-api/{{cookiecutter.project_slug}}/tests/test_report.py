import json
import re

from conftest import PROJECT, TrainedProject

from {{ cookiecutter.__package }} import (
    report,
)
from {{ cookiecutter.__package }}.data import (
    FeatureSchema,
    load_summary,
)
from {{ cookiecutter.__package }}.markers import (
    find_blocks,
)
from {{ cookiecutter.__package }}.provenance import (
    block_contents,
)

PLACEHOLDER = "_Run `make all` to fill this section._"
MARKER = re.compile(r"<!-- portfolio:[^ ]+ -->\n.*?<!-- portfolio:[^ ]+ -->", re.DOTALL)
DOCUMENTS = ("README.md", "MODEL_CARD.md", "docs/datasheet.md", report.DECISION_RECORD.as_posix())


def _block(trained: TrainedProject, name: str, document: str = "README.md") -> str:
    return block_contents((trained.root / document).read_text(encoding="utf-8"))[name]


def test_every_block_is_filled_and_the_prose_is_untouched(trained: TrainedProject) -> None:
    for name in DOCUMENTS:
        written = (trained.root / name).read_text(encoding="utf-8")
        original = (PROJECT / name).read_text(encoding="utf-8")
        blocks = block_contents(written)
        assert blocks, name
        assert set(blocks) == set(find_blocks(original)), name
        for block, content in blocks.items():
            assert content.strip(), (name, block)
            assert PLACEHOLDER not in content, (name, block)
        assert MARKER.sub("", written) == MARKER.sub("", original), name


def test_the_readme_states_the_test_auc_with_its_interval(trained: TrainedProject) -> None:
    results = _block(trained, "results")
    assert re.search(r"ROC-AUC\s+\|\s+0\.\d{3} \[0\.\d{3}, (0\.\d{3}|1\.000)\]", results)


def test_the_example_request_and_field_table_come_from_the_data(trained: TrainedProject) -> None:
    schema = FeatureSchema.from_dict(load_summary(trained.config)["schema"])
    block = _block(trained, "api")
    body = re.search(r"-d '(\{.*\})'", block)
    assert body is not None
    assert json.loads(body.group(1)) == schema.example_record()
    for feature in schema.features:
        assert re.search(rf"^\| `{re.escape(feature.name)}` +\|", block, re.M), feature.name
    assert "group one, group two (or their codes: 1, 2)" in block


def test_the_data_block_says_how_the_file_was_read(trained: TrainedProject) -> None:
    block = _block(trained, "data")
    assert "comma-separated (detected)" in block and "UTF-8 (detected)" in block
    assert "`sex`: codes shown by name (1 = group one, 2 = group two)" in block
    assert block == _block(trained, "data", "docs/datasheet.md")


def test_coded_groups_appear_by_name_in_the_subgroup_table(trained: TrainedProject) -> None:
    subgroups = _block(trained, "subgroups")
    assert re.search(r"^\| group one +\|", subgroups, re.M)
    assert re.search(r"^\| group two +\|", subgroups, re.M)


def test_the_figures_are_written_and_linked(trained: TrainedProject) -> None:
    figures = _block(trained, "figures")
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
