import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT, TrainedProject
from matplotlib.cbook import pts_to_prestep
from matplotlib.lines import Line2D

from {{ cookiecutter.__package }} import (
    report,
)
from {{ cookiecutter.__package }}.data import (
    FeatureSchema,
    load_summary,
)
from {{ cookiecutter.__package }}.explorer import (
    explorer_point,
)
from {{ cookiecutter.__package }}.markers import (
    find_blocks,
)
from {{ cookiecutter.__package }}.provenance import (
    block_contents,
)
from {{ cookiecutter.__package }}.site import (
    SITE_DATA,
    build_site,
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


def test_the_figures_are_written_and_linked_two_to_a_row(trained: TrainedProject) -> None:
    figures = _block(trained, "figures")
    for key in report.FIGURES:
        path = trained.config.paths.figures / f"{key}.png"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for key in report.GRID:
        assert f'<img src="reports/figures/{key}.png"' in figures
    rows = re.findall(r"<tr>(.*?)</tr>", figures, re.S)
    assert [row.count("<img ") for row in rows] == [2, 2]
    assert "(reports/figures/cost.png)" in _block(trained, "glance")


def _metrics(trained: TrainedProject) -> dict:
    return json.loads((trained.config.paths.reports / "metrics.json").read_text(encoding="utf-8"))


def test_every_figure_has_a_caption_written_from_its_numbers(trained: TrainedProject) -> None:
    m = _metrics(trained)
    figures = _block(trained, "figures")
    for key in report.GRID:
        assert html.escape(m["figures"][key]) in figures, key
    roc = m["test"]["metrics"]["roc_auc"]
    assert f"{roc['estimate']:.3f} [{roc['low']:.3f}, {roc['high']:.3f}]" in m["figures"]["roc"]


def test_the_glance_block_opens_the_readme_with_the_headline(trained: TrainedProject) -> None:
    readme = (trained.root / "README.md").read_text(encoding="utf-8")
    glance = _block(trained, "glance")
    assert readme.index("portfolio:glance:start") < readme.index("## The problem")
    headline = _metrics(trained)["headline"]
    for item in headline["items"]:
        assert item["text"] in glance
    assert (trained.root / headline["figure"]).is_file()
    assert headline["figure"] in glance and headline["figure_caption"] in glance


def _drawn_value(line: Line2D, x: float) -> float:
    """The height of a drawn step line at ``x``, from the vertices matplotlib draws."""
    xs, ys = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    assert line.get_drawstyle() == "steps-pre"
    steps_x, steps_y = pts_to_prestep(xs, ys)
    # Horizontal runs of the drawn path: from one vertex to the next at the same height.
    for x0, x1, y0, y1 in zip(steps_x[:-1], steps_x[1:], steps_y[:-1], steps_y[1:], strict=True):
        if y0 == y1 and x0 < x <= x1:
            return float(y0)
    raise AssertionError(f"no horizontal run of the line covers {x}")


def test_the_cost_figure_draws_the_chosen_threshold_at_the_validation_minimum(
    trained: TrainedProject,
) -> None:
    processed = trained.config.paths.processed
    m = _metrics(trained)
    data = report.cost_figure_data(
        pd.read_parquet(processed / "validation_scores.parquet"),
        pd.read_parquet(processed / "test_scores.parquet"),
        m,
    )
    figure = report.cost_figure(data)
    lines = {line.get_label(): line for line in figure.axes[0].get_lines()}
    thresholds, costs = data.curves["validation"]
    drawn = _drawn_value(lines["validation"], data.chosen)
    assert drawn == pytest.approx(costs.min())
    assert drawn == pytest.approx(data.chosen_cost)
    assert drawn == pytest.approx(m["business"]["validation"]["minimum_cost"])
    # The dot sits on the drawn curve, and the test curve is drawn from the test scores.
    dot = lines[f"chosen threshold {data.chosen:.3f}"]
    assert float(dot.get_ydata()[0]) == pytest.approx(drawn)
    model = m["business"]["policies"][0]
    assert _drawn_value(lines["test"], data.chosen) == pytest.approx(model["cost_per_period"])


def test_a_second_report_changes_nothing(trained: TrainedProject) -> None:
    before = {p: p.read_bytes() for p in trained.root.rglob("*.md")}
    figures = {p: p.read_bytes() for p in trained.config.paths.figures.iterdir()}
    report.report(trained.config)
    assert {p: p.read_bytes() for p in trained.root.rglob("*.md")} == before
    assert {p: p.read_bytes() for p in trained.config.paths.figures.iterdir()} == figures


def test_the_site_shows_the_reports_numbers(trained: TrainedProject, tmp_path: Path) -> None:
    site_data = json.loads((trained.root / SITE_DATA).read_text(encoding="utf-8"))
    metrics = _metrics(trained)
    assert site_data["headline"] == metrics["headline"]
    assert [f["path"] for f in site_data["figures"]][0] == metrics["headline"]["figure"]
    business = metrics["business"]
    model = next(p for p in business["policies"] if p["key"] == "model")
    point = explorer_point(site_data["interactive"], threshold=business["thresholds"]["chosen"])
    assert point["cost_per_period"] == pytest.approx(model["cost_per_period"])
    assert point["false_positives_per_10k"] == pytest.approx(model["false_positives_per_10k"])
    page = (build_site(trained.root, tmp_path / "site") / "index.html").read_text(encoding="utf-8")
    assert metrics["headline"]["items"][0]["label"] in html.unescape(page)
