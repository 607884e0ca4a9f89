"""No sentence the recommender's report writes contradicts a number in the same report.

The generated project runs `make all` on its bundled default; then every comparison its
documents state is parsed from the generated blocks of the README, docs/tradeoffs.md and the
model card, and from metrics.json's headline. Each must use the report's vocabulary ("is
ahead of ... by", "is behind ... by", "cannot separate ... (estimate [low, high]"), its verb
must agree with the sign of the interval it quotes, and that interval must be one of the
paired differences metrics.json stores, so no comparison rests on two marginal intervals.
``assert_claims_agree`` is shared with the MovieLens test (test_recommender_real_data.py).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from portfolio.check import block_contents
from tests.conftest import run_in_project

pytestmark = pytest.mark.slow

DOCUMENTS = ("README.md", "docs/tradeoffs.md", "MODEL_CARD.md")
_NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_END = r"(?=[.;:)]|, |$)"
DECIDED = re.compile(
    rf"(?P<verb>is ahead of|is behind) (?P<other>[^.;\[]*?) by (?P<value>{_NUMBER}) "
    rf"\[(?P<low>{_NUMBER}), (?P<high>{_NUMBER})\] (?P<unit>[^.;:()]+?){_END}"
)
UNDECIDED = re.compile(
    rf"cannot separate (?P<who>[^(]*?) \((?P<value>{_NUMBER}) \[(?P<low>{_NUMBER}), "
    rf"(?P<high>{_NUMBER})\] (?P<unit>[^;)]+?)[;)]"
)
VERBS = re.compile(r"is ahead of|is behind|cannot separate")
MARGINAL = re.compile(
    r"intervals? (?:\w+ )?overlap|overlapping intervals|intervals (?:do not|are) apart", re.I
)
#: Comparative words outside the vocabulary: a comparison that no interval could back.
UNBACKED = re.compile(r"\b(?:beats?|outperforms?|better than|worse than|wins?|superior)\b", re.I)
BEATING = re.compile(r"(\d+) of the (\d+) models other than random are ahead of random")


def _scale(unit: str) -> float:
    """How the sentence's unit scales the stored difference (shares print in points)."""
    if unit.startswith("hits per"):
        return 10_000.0
    if unit == "points of long-tail share":
        return 100.0
    known = ("NDCG@", "bits of novelty", "of intra-list diversity", "percentile points")
    assert unit.startswith(known), f"a comparison in an unknown unit: {unit!r}"
    return 1.0


def _parse(number: str) -> tuple[float, float]:
    """The printed value and half a unit of its last printed digit (its rounding)."""
    digits = number.split(".")[1] if "." in number else ""
    return float(number.replace(",", "")), 0.5 * 10.0 ** -len(digits) + 1e-9


def _differences(data: Any) -> Iterator[dict[str, Any]]:
    """Every paired difference stored anywhere in metrics.json."""
    if isinstance(data, dict):
        if {"estimate", "low", "high", "n", "conclusive"} <= set(data):
            yield data
        for value in data.values():
            yield from _differences(value)
    elif isinstance(data, list):
        for value in data:
            yield from _differences(value)


def _matches(printed: tuple[str, str, str], stored: tuple[float, float, float]) -> bool:
    return all(
        abs(_parse(text)[0] - value) <= _parse(text)[1]
        for text, value in zip(printed, stored, strict=True)
    )


def _check(claim: re.Match[str], stored: list[dict[str, Any]], where: str) -> None:
    printed = (claim["value"], claim["low"], claim["high"])
    low, high = _parse(claim["low"])[0], _parse(claim["high"])[0]
    scale = _scale(claim["unit"].strip())
    verb = claim.groupdict().get("verb")
    candidates = []
    if verb is None:
        assert low <= 0 <= high, f"{where}: 'cannot separate' yet no 0 in: {claim[0]}"
        for d in stored:
            if not d["conclusive"]:
                candidates.append((d["estimate"] * scale, d["low"] * scale, d["high"] * scale))
    else:
        assert 0 <= low <= high, f"{where}: {verb!r} quotes an interval reaching 0: {claim[0]}"
        # "Behind" prints the sizes of a negative difference: -estimate [-high, -low].
        sign = 1.0 if verb == "is ahead of" else -1.0
        for d in stored:
            if d["conclusive"] and sign * d["estimate"] > 0:
                bounds = sorted((sign * d["low"], sign * d["high"]))
                candidates.append(
                    (sign * d["estimate"] * scale, bounds[0] * scale, bounds[1] * scale)
                )
    assert any(_matches(printed, c) for c in candidates), (
        f"{where}: no paired difference in metrics.json gives {claim[0]!r}"
    )


def assert_claims_agree(project: Path) -> int:
    """Check every comparison the report states; return how many were checked."""
    metrics = json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    stored = list(_differences(metrics))
    texts = {
        f"{name} block {block}": content
        for name in DOCUMENTS
        for block, content in block_contents((project / name).read_text(encoding="utf-8")).items()
    }
    texts |= {f"headline {i}": item["text"] for i, item in enumerate(metrics["headline"]["items"])}
    checked = 0
    for where, text in texts.items():
        decided = list(DECIDED.finditer(text))
        undecided = list(UNDECIDED.finditer(text))
        assert len(decided) + len(undecided) == len(VERBS.findall(text)), (
            f"{where}: a comparison is worded outside the report's vocabulary:\n{text}"
        )
        assert not UNBACKED.search(text), f"{where}: {UNBACKED.search(text)[0]!r} compares unbacked"
        for claim in [*decided, *undecided]:
            _check(claim, stored, where)
        checked += len(decided) + len(undecided)
        for count, total in BEATING.findall(text):
            warm = metrics["comparisons"]["warm"]["ndcg"]
            ahead = [m for m in warm if m != "random" and warm[m]["random"]["low"] > 0]
            assert (int(count), int(total)) == (len(ahead), len(warm) - 1), where
    for path in [*(project / name for name in DOCUMENTS), *(project / "docs").rglob("*.md")]:
        assert not MARGINAL.search(path.read_text(encoding="utf-8")), (
            f"{path.name} compares marginal intervals"
        )
    glance = block_contents((project / "README.md").read_text(encoding="utf-8"))["glance"]
    for item in metrics["headline"]["items"]:
        assert item["text"] in glance
    return checked


@pytest.fixture(scope="module")
def bundled(generated: Callable[[str], Path]) -> Path:
    """The recommender with its shipped config and sample, after `make all`."""
    project = generated("recommender")
    run_in_project(project, "make", "all", f"PYTHON={sys.executable}")
    return project


def test_no_sentence_contradicts_the_numbers_on_the_bundled_default(bundled: Path) -> None:
    assert assert_claims_agree(bundled) >= 10


def test_the_headline_follows_the_contract(bundled: Path) -> None:
    metrics = json.loads((bundled / "reports" / "metrics.json").read_text(encoding="utf-8"))
    head = metrics["headline"]

    assert head["schema"] == 1 and 1 <= len(head["items"]) <= 3
    assert head["baseline"] == "popularity"
    assert (bundled / head["figure"]).is_file() and head["figure_caption"]
    for item in head["items"]:
        assert item["low"] <= item["high"]
        assert item["conclusive"] == (item["low"] > 0 or item["high"] < 0)
        assert {"key", "label", "estimate", "confidence", "unit", "text"} <= set(item)


def test_the_first_screen_is_the_result(bundled: Path) -> None:
    readme = (bundled / "README.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", readme, re.M)

    assert headings[0] == "Results at a glance"
    glance = block_contents(readme)["glance"]
    assert glance.count("<img ") == 1 and "<sub>" in glance


def _tables(text: str) -> Iterator[list[str]]:
    rows: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            yield rows
            rows = []


def test_every_table_fits_and_every_figure_sits_two_to_a_row(bundled: Path) -> None:
    for name in DOCUMENTS:
        text = (bundled / name).read_text(encoding="utf-8")
        for table in _tables(text):
            columns = table[0].count("|") - 1
            assert columns <= 8, f"{name}: a table of {columns} columns:\n{table[0]}"
        for row in re.findall(r"<tr>.*?</tr>", text):
            assert row.count("<img ") <= 2
            assert row.count("<img ") == row.count("<sub>")
    # A measured time or size too small to read is "< 0.01", never a misleading zero.
    readme = (bundled / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"\b0(?:\.0+)? (?:s|ms|µs|KB|B)\b", readme)
