"""No sentence nlp-pipeline writes contradicts a number of the same report (issue 13).

The project is generated with its defaults and ``make all`` runs on the bundled sample; then
every sentence and table cell the report wrote (the marker blocks of the README, the model card,
the datasheet and the decision records, and the headline and captions of metrics.json) is read
back. A comparison is recognised by its words: "cannot show" must quote a signed interval that
contains zero; "saves", "lowers", "more than", "model ahead" (the first side ahead) and "less
than", "raises", "beats" (the second ahead) must quote sizes, all above zero. And the quoted
numbers must be those of a paired difference that metrics.json holds, whose interval says the
same: a sentence cannot borrow its numbers from anywhere else, such as two marginal intervals.

``contradictions`` is imported by the real-data test, which runs the same check on the whole
SMS Spam Collection.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import generate, run_in_project
from tests.test_owner_nlp_pipeline import DOCUMENTS

pytestmark = pytest.mark.slow

_NUMBER = r"[-+]?\d[\d,]*(?:\.\d+)?"
_INTERVAL = re.compile(rf"(?P<estimate>{_NUMBER})\s+\[(?P<low>{_NUMBER}),\s*(?P<high>{_NUMBER})\]")
_TAG = re.compile(r"<[^>]*>")
_BLOCK = re.compile(r"<!-- portfolio:(\w+):start -->\n(.*?)<!-- portfolio:\1:end -->", re.S)
# A sentence ends at ". " before a capital, a bullet or a parenthesis; decimals never do.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(*-])")
_AHEAD = ("saves", "lowers the brier", "more than the other", "model ahead by")
_BEHIND = ("less than", "raises the brier", "beats the model")


def _blocks(text: str) -> dict[str, str]:
    return dict(_BLOCK.findall(text))


def generated_texts(project: Path) -> Iterator[tuple[str, str]]:
    """Yield ``(where, sentence)`` for every sentence and table cell the report wrote."""
    pieces: list[tuple[str, str]] = []
    for document in DOCUMENTS:
        path = project / document
        if path.is_file():
            for name, content in _blocks(path.read_text(encoding="utf-8")).items():
                pieces.append((f"{document}:{name}", content))
    metrics = json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    headline = metrics["headline"]
    pieces += [("headline", item["text"]) for item in headline["items"]]
    pieces.append(("headline caption", headline["figure_caption"]))
    for where, content in pieces:
        for line in content.splitlines():
            if line.lstrip().startswith("<"):  # a row of figures: each caption on its own
                cells = _TAG.split(line)
            else:
                cells = line.split("|") if line.lstrip().startswith("|") else [line]
            for cell in cells:
                for sentence in _SENTENCE_END.split(cell):
                    if sentence.strip():
                        yield where, sentence.strip()


def paired_differences(metrics: dict[str, Any]) -> list[dict[str, float]]:
    """Every paired difference metrics.json holds: the only numbers a comparison may quote."""
    found = [row["saving"] for row in metrics["comparison"]["policies"] if "saving" in row]
    calibration = metrics["test"]["calibration"]
    for part in (calibration.get("validation"), calibration.get("test")):
        if part:
            found.append(part["difference"])
    found += [
        row["difference"]
        for row in metrics["test"]["per_class_against_best_baseline"]
        if row["difference"]
    ]
    found += [row["gap"] for row in metrics["subgroups"] if row["gap"]]
    return found


def _close(quoted: str, value: float) -> bool:
    """Whether ``quoted`` is ``value`` as the report rounds it (half a unit of its last digit)."""
    digits = quoted.split(".")[1] if "." in quoted else ""
    tolerance = 0.5 * 10 ** -len(digits) + 1e-9 * max(1.0, abs(value))
    return abs(float(quoted.replace(",", "")) - value) <= tolerance


def _kind(sentence: str) -> str | None:
    lowered = sentence.lower()
    if "cannot show" in lowered:
        return "unclear"
    if any(word in lowered for word in _BEHIND) or (
        re.search(r"\bahead by\b", lowered) and "model ahead by" not in lowered
    ):
        return "behind"
    if any(word in lowered for word in _AHEAD):
        return "ahead"
    return None


def _agrees(kind: str, numbers: tuple[str, str, str], difference: dict[str, float]) -> bool:
    """Whether the quoted numbers are ``difference`` and its interval supports ``kind``."""
    estimate, low, high = difference["estimate"], difference["low"], difference["high"]
    if kind == "behind":  # sizes of a difference below zero, in the second's favour
        expected, supported = (-estimate, -high, -low), high < 0
    else:
        expected = (estimate, low, high)
        supported = low > 0 if kind == "ahead" else low <= 0 <= high
    return supported and all(map(_close, numbers, expected))


def contradictions(project: Path) -> list[str]:
    """Return every generated comparison that contradicts the paired numbers it quotes."""
    metrics = json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    differences = paired_differences(metrics)
    found = []
    for where, sentence in generated_texts(project):
        if "overlap" in sentence.lower():
            found.append(f"{where}: compares marginal intervals: {sentence}")
        kind = _kind(sentence)
        intervals = list(_INTERVAL.finditer(sentence))
        if kind is None or not intervals:
            continue
        for match in intervals:
            numbers = (match["estimate"], match["low"], match["high"])
            if kind != "unclear" and any(float(n.replace(",", "")) <= 0 for n in numbers):
                found.append(f"{where}: a {kind!r} claim quotes a bound at or below 0: {sentence}")
            elif not any(_agrees(kind, numbers, d) for d in differences):
                found.append(f"{where}: {kind!r} is not what a paired interval says: {sentence}")
    return found


def comparisons_stated(project: Path) -> int:
    """How many generated sentences state a comparison (a check that finds none proves nothing)."""
    return sum(
        1
        for _, sentence in generated_texts(project)
        if _kind(sentence) is not None and _INTERVAL.search(sentence)
    )


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = generate("nlp-pipeline", tmp_path_factory.mktemp("claims"), init_git=False).path
    run_in_project(project, "make", "all", f"PYTHON={sys.executable}")
    return project


def test_no_generated_sentence_contradicts_its_paired_interval(default_run: Path) -> None:
    assert contradictions(default_run) == []
    metrics = json.loads((default_run / "reports" / "metrics.json").read_text(encoding="utf-8"))
    compared = [row for row in metrics["comparison"]["policies"] if "saving" in row]
    # Each policy's sentence at least once in the README and the model card, plus the rest.
    assert comparisons_stated(default_run) >= 2 * len(compared)


def test_the_cheapest_baseline_and_its_verdict_open_the_glance_and_business_blocks(
    default_run: Path,
) -> None:
    metrics = json.loads((default_run / "reports" / "metrics.json").read_text(encoding="utf-8"))
    comparison = metrics["comparison"]
    best = next(r for r in comparison["policies"] if r["policy"] == comparison["best_baseline"])
    assert best["cost_per_10k"] == min(
        r["cost_per_10k"] for r in comparison["policies"] if r["baseline"]
    )
    # The keyword rule costs less than the model on the bundled sample: it must be the one named.
    assert best["policy"] == "keywords"
    assert metrics["headline"]["items"][0]["text"] == best["sentence"]
    for document in ("README.md", "MODEL_CARD.md"):
        blocks = _blocks((default_run / document).read_text(encoding="utf-8"))
        glance = [line for line in blocks["glance"].splitlines() if line.startswith("- **")]
        assert glance[0].endswith(best["sentence"]), document
        assert f"- Against the cheapest baseline: {best['sentence']}" in blocks["business"]
        for row in comparison["policies"][1:]:
            assert row["sentence"] in blocks["business"], (document, row["policy"])


def test_the_first_screen_is_the_result(default_run: Path) -> None:
    readme = (default_run / "README.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", readme, re.M)
    assert headings[0] == "Results at a glance"
    glance = _blocks(readme)["glance"]
    metrics = json.loads((default_run / "reports" / "metrics.json").read_text(encoding="utf-8"))
    items = metrics["headline"]["items"]
    assert 1 <= len(items) <= 3 and all(_INTERVAL.search(item["text"]) for item in items)
    assert f"]({metrics['headline']['figure']})" in glance
    after = readme.split("<!-- portfolio:glance:end -->", 1)[1].lstrip()
    assert after.startswith("TODO(portfolio): one sentence")


def test_the_check_fails_on_a_sentence_that_claims_what_its_interval_denies(
    default_run: Path, tmp_path: Path
) -> None:
    """The check above must be able to fail: doctor the sentences a careless report would write."""
    metrics = json.loads((default_run / "reports" / "metrics.json").read_text(encoding="utf-8"))
    row = next(
        r
        for r in metrics["comparison"]["policies"]
        if "saving" in r and not r["saving"]["conclusive"] and r["saving"]["estimate"] > 0
    )
    saving = row["saving"]
    copy = tmp_path / "project"
    (copy / "reports").mkdir(parents=True)
    (copy / "reports" / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    claims = {
        # The interval's words dropped: a saving whose interval reaches below 0.
        "bound at or below 0": f"The model saves {saving['estimate']:.0f} "
        f"[{saving['low']:.0f}, {saving['high']:.0f}] EUR per 10,000 messages against "
        f"{row['phrase']}.",
        # Numbers from nowhere in the report, such as one side's marginal interval.
        "not what a paired interval says": f"The model saves {saving['estimate']:.0f} "
        f"[1, {saving['high']:.0f}] EUR per 10,000 messages against {row['phrase']}.",
        "compares marginal intervals": "The two intervals overlap, so the data cannot separate "
        "them.",
    }
    (copy / "README.md").write_text(
        "<!-- portfolio:business:start -->\n"
        + "\n".join(claims.values())
        + "\n<!-- portfolio:business:end -->\n",
        encoding="utf-8",
    )
    found = contradictions(copy)
    for said in claims:
        assert any(said in finding for finding in found), said
