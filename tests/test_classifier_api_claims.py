"""No sentence classifier-api writes contradicts a number in the same report.

Every comparison the report states is listed in ``reports/metrics.json`` under ``claims``,
with the paired difference it was worded from. On a real run of the bundled default (and, from
``test_classifier_api_real_data``, on UCI Adult) this checks, reading only the files a reviewer
reads:

- each claim's verb follows the sign of its interval: "saves", "is cheaper", "is higher",
  "ranks ahead", "lowers" and their opposites only when the interval excludes 0, on that side;
  "can show" (no difference this test set can show) only when it contains 0;
- the numbers a claim quotes are the difference and interval in metrics.json;
- every sentence of a generated block (README, model card, decision records) that uses a word
  of comparison is one of those claims, nothing compares marginal intervals ("the intervals
  overlap"), and no prose says 0.5 "leaves money on the table";
- every ``estimate [low, high]`` a generated block prints is an interval metrics.json holds;
- the headline's numbers are the business analysis's.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import generate, run_in_project

pytestmark = pytest.mark.slow

DOCUMENTS = ("README.md", "MODEL_CARD.md", "docs/decisions/0001-threshold-by-cost.md")
#: Blocks that describe the data and the API, not results: they state no comparison.
DESCRIPTIVE_BLOCKS = {"data", "api"}
_BLOCK = re.compile(
    r"^<!-- portfolio:(?P<name>[\w.-]+):start -->\n(?P<body>.*?)^<!-- portfolio:(?P=name):end -->",
    re.DOTALL | re.MULTILINE,
)
AHEAD = re.compile(r"\b(saves|is higher for|ranks ahead of|lowers)\b")
BEHIND = re.compile(r"\b(is cheaper:|is lower for|ranks behind|raises)\b")
UNCLEAR = re.compile(r"\bcan show\b")
#: Words that compare two things; a sentence using one must be a listed claim.
COMPARISON = re.compile(
    r"\b(saves?|saving of|cheaper|costs? [\d,.]+ .*? more|more than|less than|ahead|behind|"
    r"higher|lower|better|worse|beats?|outperforms?|improves?|raises|overlap\w*|significant\w*)\b",
    re.IGNORECASE,
)
#: Set phrases that name a scale, not a comparison.
PHRASES = re.compile(r"\(lower is better\)", re.IGNORECASE)
FORBIDDEN = re.compile(r"money on the table|intervals? overlap", re.IGNORECASE)
NUMBER = r"-?[\d,]*\.?\d+"
QUOTED = re.compile(rf"({NUMBER}) \[({NUMBER}), ({NUMBER})\]")


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _close(shown: float, actual: float) -> bool:
    # Reports round to three decimals or three significant figures.
    return math.isclose(shown, actual, rel_tol=0.006, abs_tol=0.0015)


def _quoted(text: str) -> tuple[float, float, float]:
    found = QUOTED.findall(text)
    assert len(found) == 1, f"expected one 'x [lo, hi]' in: {text}"
    return tuple(_number(n) for n in found[0])  # type: ignore[return-value]


def claim_problems(claim: dict[str, Any]) -> list[str]:
    """Why one claim's sentence does not follow its paired interval (empty when it does)."""
    text, d = claim["text"], claim["difference"]
    kinds = [name for name, verb in (("ahead", AHEAD), ("behind", BEHIND)) if verb.search(text)]
    if UNCLEAR.search(text):
        kinds.append("unclear")
    if len(kinds) != 1:
        return [f"{claim['key']}: wording {kinds or 'none'} in: {text}"]
    value, low, high = _quoted(text)
    kind = kinds[0]
    if kind == "unclear":
        expected = (d["estimate"], d["low"], d["high"])
        problems = [] if d["low"] <= 0 <= d["high"] else ["says 'cannot show' of a clear interval"]
    elif kind == "ahead":
        expected = (d["estimate"], d["low"], d["high"])
        problems = [] if d["low"] > 0 else ["says one side is ahead of an interval reaching 0"]
    else:
        expected = (-d["estimate"], -d["high"], -d["low"])
        problems = [] if d["high"] < 0 else ["says one side is behind of an interval reaching 0"]
    if d["conclusive"] != (kind != "unclear"):
        problems.append(f"metrics.json says conclusive={d['conclusive']}")
    if not all(_close(s, a) for s, a in zip((value, low, high), expected, strict=True)):
        problems.append(f"quotes {value} [{low}, {high}], metrics.json holds {expected}")
    return [f"{claim['key']}: {p}: {text}" for p in problems]


def _intervals(value: Any) -> Iterator[tuple[float, float, float]]:
    """Every (estimate, low, high) in metrics.json, also as sizes (the way "behind" reads)."""
    if isinstance(value, dict):
        if all(isinstance(value.get(k), int | float) for k in ("estimate", "low", "high")):
            e, lo, hi = (float(value[k]) for k in ("estimate", "low", "high"))
            yield e, lo, hi
            yield -e, -hi, -lo
        for item in value.values():
            yield from _intervals(item)
    elif isinstance(value, list):
        for item in value:
            yield from _intervals(item)


def _blocks(text: str) -> dict[str, str]:
    return {m["name"]: m["body"] for m in _BLOCK.finditer(text)}


def report_problems(project: Path) -> list[str]:
    """Every way the project's rendered report contradicts its own metrics.json."""
    metrics = json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    claims = metrics["claims"]
    problems = [p for claim in claims for p in claim_problems(claim)]
    known = list(_intervals(metrics))
    for name in DOCUMENTS:
        text = (project / name).read_text(encoding="utf-8")
        for phrase in FORBIDDEN.findall(text):
            problems.append(f"{name}: says {phrase!r}")
        for block, body in _blocks(text).items():
            if block in DESCRIPTIVE_BLOCKS:
                continue
            # HTML escapes nothing the claims contain but apostrophes and ampersands.
            rest = body.replace("&#x27;", "'").replace("&amp;", "&")
            for claim in claims:
                rest = rest.replace(claim["text"], "")
            rest = PHRASES.sub("", rest)
            for line in rest.splitlines():
                found = COMPARISON.search(line)
                if found and not line.lstrip().startswith("|"):
                    problems.append(f"{name} [{block}]: unlisted comparison {found[0]!r}: {line}")
            for shown in QUOTED.findall(body):
                triple = tuple(_number(n) for n in shown)
                if not any(all(map(_close, triple, k)) for k in known):
                    problems.append(f"{name} [{block}]: {shown} is in no metrics.json")
    problems += headline_problems(metrics)
    return problems


def headline_problems(metrics: dict[str, Any]) -> list[str]:
    """The headline's items against the business analysis they summarise."""
    business = metrics["business"]
    best = next(r for r in business["policies"] if r["key"] == business["best_baseline"])
    saving, *errors = metrics["headline"]["items"]
    problems = []
    difference = best["saving"]["difference"]
    if saving["text"] != best["text"] or any(
        saving[k] != difference[k] for k in ("estimate", "low", "high", "conclusive")
    ):
        problems.append("headline saving is not the paired saving against the best baseline")
    for item in errors:
        interval = business["errors"][item["key"]]
        if (item["estimate"], item["low"], item["high"]) != tuple(
            interval[k] for k in ("estimate", "low", "high")
        ) or _quoted(item["text"]) != pytest.approx(
            (interval["estimate"], interval["low"], interval["high"]), rel=0.006, abs=0.5
        ):
            problems.append(f"headline {item['key']} differs from business.errors")
    return problems


@pytest.fixture(scope="module")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = generate("classifier-api", tmp_path_factory.mktemp("claims"), init_git=False).path
    run_in_project(project, "make", "all", f"PYTHON={sys.executable}")
    return project


def test_no_sentence_contradicts_a_number_on_the_bundled_default(default_project: Path) -> None:
    assert report_problems(default_project) == []


def test_the_bundled_default_says_no_saving_where_the_interval_contains_zero(
    default_project: Path,
) -> None:
    metrics = json.loads((default_project / "reports" / "metrics.json").read_text("utf-8"))
    saving = metrics["headline"]["items"][0]
    # 89 test cases: one false positive's worth of saving, an interval across zero.
    assert saving["low"] < 0 < saving["high"] and not saving["conclusive"]
    assert saving["text"].startswith("No saving against ")
    record = (default_project / DOCUMENTS[2]).read_text(encoding="utf-8")
    default = next(r for r in metrics["business"]["policies"] if r["key"] == "model_at_default")
    assert default["text"] in record
    assert metrics["claims"], "the report lists its comparisons"


def test_the_check_catches_a_sentence_that_claims_too_much(
    default_project: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(default_project, copy, ignore=shutil.ignore_patterns(".venv", "data"))
    metrics_path = copy / "reports" / "metrics.json"
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    unclear = next(c for c in metrics["claims"] if not c["difference"]["conclusive"])
    d = unclear["difference"]
    boast = f"The model saves {d['estimate']:,.0f} [{d['low']:,.0f}, {d['high']:,.0f}] a month."
    readme = copy / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace(unclear["text"], boast), encoding="utf-8"
    )
    unclear["text"] = boast
    metrics_path.write_text(json.dumps(metrics), encoding="utf-8")

    problems = report_problems(copy)

    assert any("ahead of an interval reaching 0" in p for p in problems), problems
    (copy / "MODEL_CARD.md").write_text("The intervals overlap, so both are alike.\n", "utf-8")
    assert any("intervals overlap" in p for p in report_problems(copy))
