"""Tests for the figure helpers: house style, reproducible PNGs, README image links."""

from __future__ import annotations

from pathlib import Path

import pytest

from {{cookiecutter.__package}}.figures import (
    PALETTE,
    image_grid,
    new_figure,
    readme_image,
    save_figure,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _plot(path: Path) -> Path:
    fig, ax = new_figure(3, 2)
    ax.plot([0, 1, 2], [0, 1, 4], label="model")
    ax.set_title("Title")
    ax.legend()
    return save_figure(fig, path)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One figure saved for the module: rendering is the slow part of these tests."""
    return _plot(tmp_path_factory.mktemp("figures") / "reports" / "figures" / "curve.png")


def test_new_figure_has_the_requested_size() -> None:
    fig, _ = new_figure(5, 2.5)

    assert tuple(fig.get_size_inches()) == (5.0, 2.5)


def test_new_figure_applies_the_house_style() -> None:
    _, ax = new_figure()

    (line,) = ax.plot([0, 1], [0, 1])

    assert line.get_color() == PALETTE[0]
    assert not ax.spines["top"].get_visible()


def test_new_figure_rejects_a_non_positive_size() -> None:
    with pytest.raises(ValueError, match="positive"):
        new_figure(0, 3)


def test_save_figure_writes_a_png_and_creates_folders(saved: Path) -> None:
    assert saved.parts[-3:] == ("reports", "figures", "curve.png")
    assert saved.read_bytes().startswith(PNG_SIGNATURE)


def test_save_figure_is_byte_for_byte_reproducible(saved: Path, tmp_path: Path) -> None:
    assert _plot(tmp_path / "again.png").read_bytes() == saved.read_bytes()


def test_save_figure_leaves_out_the_software_stamp(saved: Path) -> None:
    assert b"matplotlib" not in saved.read_bytes().lower()


def test_save_figure_rejects_other_formats(tmp_path: Path) -> None:
    fig, _ = new_figure()

    with pytest.raises(ValueError, match=r"\.png"):
        save_figure(fig, tmp_path / "plot.svg")


def test_readme_image_link_is_relative_to_the_markdown_folder(tmp_path: Path) -> None:
    image = tmp_path / "reports" / "figures" / "roc.png"

    line = readme_image(image, "ROC curve of the model", tmp_path)

    assert line == "![ROC curve of the model](reports/figures/roc.png)"


def test_readme_image_walks_up_from_a_subfolder(tmp_path: Path) -> None:
    image = tmp_path / "reports" / "figures" / "cost.png"

    line = readme_image(image, "Cost by threshold", tmp_path / "docs" / "decisions")

    assert line == "![Cost by threshold](../../reports/figures/cost.png)"


def test_readme_image_escapes_alt_text_and_path(tmp_path: Path) -> None:
    image = tmp_path / "my figures" / "a.png"

    line = readme_image(image, "Recall [test]\nby group", tmp_path)

    assert line == r"![Recall \[test\] by group](my%20figures/a.png)"


def test_image_grid_puts_two_figures_a_row_with_their_captions(tmp_path: Path) -> None:
    figures = tmp_path / "reports" / "figures"
    images = [
        (figures / f"{name}.png", f"alt {name}", f"caption {name} <5%> & more")
        for name in ("a", "b", "c")
    ]

    grid = image_grid(images, tmp_path / "docs", width=400)

    rows = grid.split("<tr>")[1:]
    assert len(rows) == 2 and rows[0].count("<img") == 2 and rows[1].count("<img") == 1
    assert '<img src="../reports/figures/a.png" width="400" alt="alt a">' in grid
    assert "<sub>caption a &lt;5%&gt; &amp; more</sub>" in grid
    assert "\n\n" not in grid


def test_image_grid_rejects_a_non_positive_layout(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="per_row and width must be positive"):
        image_grid([], tmp_path, per_row=0)
