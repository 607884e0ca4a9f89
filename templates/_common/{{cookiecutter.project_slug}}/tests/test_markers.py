"""Tests for the marker-block rewriter that keeps README numbers in sync with the code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from {{cookiecutter.__package}}.markers import (
    MarkerError,
    find_blocks,
    replace_block,
    rewrite_blocks,
)

README = """# Title

Intro written by the author.

<!-- portfolio:results:start -->
old results
<!-- portfolio:results:end -->

Middle prose.

<!-- portfolio:figures:start -->
<!-- portfolio:figures:end -->

Closing prose.
"""


def test_replace_block_swaps_only_the_block_content() -> None:
    text = replace_block(README, "results", "| a |\n|---|")

    assert "old results" not in text
    assert "<!-- portfolio:results:start -->\n| a |\n|---|\n<!-- portfolio:results:end -->" in text
    assert text.replace("| a |\n|---|", "old results") == README


def test_replace_block_fills_an_empty_block() -> None:
    text = replace_block(README, "figures", "![plot](reports/figures/a.png)")

    assert (
        "<!-- portfolio:figures:start -->\n![plot](reports/figures/a.png)\n"
        "<!-- portfolio:figures:end -->"
    ) in text


def test_replace_block_is_idempotent() -> None:
    once = replace_block(README, "results", "\n\nnew\n\n")

    assert replace_block(once, "results", "new") == once


def test_replace_block_with_empty_content_leaves_markers_adjacent() -> None:
    text = replace_block(README, "results", "")

    assert "<!-- portfolio:results:start -->\n<!-- portfolio:results:end -->" in text


@pytest.mark.parametrize("content", [r"\1 and \g<0>", "costs $5 and $$", "a\\b\\\\c"])
def test_replace_block_inserts_regex_special_characters_literally(content: str) -> None:
    text = replace_block(README, "results", content)

    assert f"<!-- portfolio:results:start -->\n{content}\n" in text


def test_replace_block_keeps_crlf_line_endings() -> None:
    crlf = README.replace("\n", "\r\n")

    text = replace_block(crlf, "results", "one\ntwo")

    assert "-->\r\none\r\ntwo\r\n<!--" in text
    assert "\n" not in text.replace("\r\n", "")


def test_replace_block_accepts_indented_markers() -> None:
    text = "  <!-- portfolio:x:start -->\nold\n  <!-- portfolio:x:end -->\n"

    assert replace_block(text, "x", "new") == (
        "  <!-- portfolio:x:start -->\nnew\n  <!-- portfolio:x:end -->\n"
    )


def test_missing_block_raises_naming_the_marker() -> None:
    with pytest.raises(MarkerError, match=r"'latency' not found.*portfolio:latency:start"):
        replace_block(README, "latency", "x")


def test_missing_end_marker_raises() -> None:
    text = "<!-- portfolio:x:start -->\nbody\n"

    with pytest.raises(MarkerError, match=r"portfolio:x:end"):
        replace_block(text, "x", "new")


def test_duplicated_block_raises() -> None:
    with pytest.raises(MarkerError, match="more than once"):
        replace_block(README + README, "results", "x")


def test_end_before_start_raises() -> None:
    text = "<!-- portfolio:x:end -->\nbody\n<!-- portfolio:x:start -->\n"

    with pytest.raises(MarkerError, match="comes before"):
        replace_block(text, "x", "new")


def test_marker_mentioned_inline_is_not_a_marker() -> None:
    text = "Write between `<!-- portfolio:x:start -->` and `<!-- portfolio:x:end -->`.\n"

    with pytest.raises(MarkerError, match="not found"):
        replace_block(text, "x", "new")


def test_content_containing_a_marker_line_raises() -> None:
    content = "table\n<!-- portfolio:figures:end -->\nmore"

    with pytest.raises(MarkerError, match="must not contain marker lines"):
        replace_block(README, "results", content)


def test_invalid_block_name_raises() -> None:
    with pytest.raises(MarkerError, match="invalid block name"):
        replace_block(README, "bad name", "x")


def test_marker_error_is_a_value_error() -> None:
    assert issubclass(MarkerError, ValueError)


def test_find_blocks_lists_names_in_document_order() -> None:
    assert find_blocks(README) == ["results", "figures"]


def test_find_blocks_lists_a_duplicated_name_once() -> None:
    assert find_blocks(README + README) == ["results", "figures"]


def test_rewrite_blocks_applies_every_block(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")

    rewrite_blocks(readme, {"results": "R", "figures": "F"})

    text = readme.read_text(encoding="utf-8")
    assert "<!-- portfolio:results:start -->\nR\n" in text
    assert "<!-- portfolio:figures:start -->\nF\n" in text


def test_rewrite_blocks_leaves_file_untouched_when_a_block_is_missing(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")

    with pytest.raises(MarkerError):
        rewrite_blocks(readme, {"results": "R", "latency": "L"})

    assert readme.read_text(encoding="utf-8") == README
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]


def test_rewrite_blocks_does_not_write_an_unchanged_file(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(replace_block(README, "results", "R"), encoding="utf-8")
    os.utime(readme, ns=(1_000_000_000, 1_000_000_000))

    rewrite_blocks(readme, {"results": "R"})

    assert readme.stat().st_mtime_ns == 1_000_000_000


def test_rewrite_blocks_keeps_file_permissions(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")
    readme.chmod(0o644)

    rewrite_blocks(readme, {"results": "R"})

    assert readme.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]


def test_rewrite_blocks_preserves_non_ascii_text(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("Café 🚀\n" + README, encoding="utf-8")

    rewrite_blocks(readme, {"results": "naïve ✓"})

    assert readme.read_text(encoding="utf-8").startswith("Café 🚀\n")
    assert "naïve ✓" in readme.read_text(encoding="utf-8")
