"""The nlp-pipeline project made its owner's: their set-up, their data, their words, their story.

Each test generates the project with answers an owner gives, sets it up with its own documented
command in a fresh environment (``tests.owner``), and then changes nothing but ``config.toml``:

- a two-class support-ticket file in a shape the bundled sample does not have (pipe-delimited,
  a header, a BOM, CRLF line ends, two text columns, labels coded P1/P2/P3 with two merged);
  after ``make all``, ``make test`` and ``make lint`` the owner writes the narrative, commits,
  and ``portfolio check --strict`` passes, with no word of the bundled sample left;
- a four-class news file like AG News (headerless CSV, title and description, class codes 1-4,
  and a code 5 dropped on purpose): the report uses the mapped class names, the data-quality
  notes say what was done, a bad value for every new key is a one-line error naming it, and a
  crafted model file is refused before any of it runs.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

from portfolio.check import check_project
from tests.conftest import generate
from tests.owner import (
    OwnedProject,
    commit_all,
    owner_environment,
    set_up_as_owner,
    write_narrative,
)

pytestmark = pytest.mark.slow

OWNER = {
    "project_name": "Support Ticket Triage",
    "description": "Routes incoming customer support tickets to the on-call engineer or the queue.",
    "author_name": "Dana Owner",
    "github_username": "dana-owner",
}
PACKAGE = "support_ticket_triage"
NARRATIVE = (
    "The owner's own account of the problem, the data and the decisions, written after reading "
    "the results: what the classifier is for and what its mistakes cost the support team."
)
# Words of the bundled sample that must not survive outside data/sample/ and tests/.
SAMPLE_WORDS = re.compile(
    r"\b(sms|spam|ham|almeida|grumbletext|singapore|sms_spam_sample|smsspamcollection|uci)\b",
    re.IGNORECASE,
)
# Every document the report writes blocks into.
DOCUMENTS = (
    "README.md",
    "MODEL_CARD.md",
    "docs/DATASHEET.md",
    "docs/decisions/0001-threshold-by-cost.md",
    "docs/decisions/0002-deduplicate-before-splitting.md",
    "docs/decisions/0003-tune-and-calibrate-on-validation.md",
)
URGENT = "outage down production cannot login payments failing broken immediately error crashed"
ROUTINE = "question how change invoice address feature request documentation export schedule"
FILLER = "hello team please we our the a account since today thanks customer dashboard again"
TOPICS = {
    "1": ("World", "election minister talks summit government border treaty protest vote"),
    "2": ("Sports", "match goal season coach league cup final striker injury score"),
    "3": ("Business", "shares profit market bank quarterly earnings investors merger prices"),
    "4": ("Sci/Tech", "software chip internet researchers space phone launch data computer"),
}


# --- data the tests write themselves ---------------------------------------------------------


def _sentence(rng: np.random.Generator, own: str, other: str, filler: str) -> list[str]:
    words = [
        *rng.choice(own.split(), size=rng.integers(2, 4)),
        *rng.choice(other.split(), size=1),
        *rng.choice(filler.split(), size=rng.integers(4, 8)),
    ]
    return rng.permutation(words).tolist()


def _write_tickets(path: Path, rows: int = 900, seed: int = 1) -> None:
    """Pipe-delimited tickets with a header, a UTF-8 BOM and CRLF line ends; P1/P2 are urgent."""
    rng = np.random.default_rng(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="|", lineterminator="\r\n")
    writer.writerow(["ticket_id", "subject", "body", "priority"])
    for number in range(rows):
        priority = rng.choice(["P1", "P2", "P3", "P3", "P3"])
        own, other = (URGENT, ROUTINE) if priority != "P3" else (ROUTINE, URGENT)
        words = _sentence(rng, own, other, FILLER)
        writer.writerow([f"TCK-{number:05d}", " ".join(words[:3]), " ".join(words[3:]), priority])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


def _write_news(path: Path, per_class: int = 180, seed: int = 2) -> None:
    """An AG News-like headerless CSV: "class","title","description", codes 1-4, and a few 5s.

    One article in ten carries another topic's code, as real labels do now and then: without
    that noise a tuned model makes no error on the test set, and the report has no error
    table to show.
    """
    rng = np.random.default_rng(seed)
    rows = []
    codes = list(TOPICS)
    for code, (_, words) in TOPICS.items():
        for _ in range(per_class):
            other = TOPICS[rng.choice(codes)][1]
            body = _sentence(rng, words, other, "the a of in to on and after new said")
            label = code if rng.random() >= 0.1 else rng.choice([c for c in codes if c != code])
            rows.append([label, " ".join(body[:4]).title(), " ".join(body[4:]) + "."])
    rows += [["5", f"Unsorted item {i}", "Nothing to see here."] for i in range(12)]
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL).writerows(rows[i] for i in rng.permutation(len(rows)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")


# --- editing config.toml as an owner does: values changed in place, comments kept -------------


def _toml(value: object) -> str:
    # JSON spells strings, numbers, booleans and lists the way TOML reads them.
    return json.dumps(value, ensure_ascii=False)


def _set(text: str, section: str, key: str, value: object) -> str:
    """Return ``text`` with ``key`` of ``[section]`` set to ``value``, its comment kept."""
    lines, current, found = text.splitlines(), "", False
    for number, line in enumerate(lines):
        header = re.match(r"^\[([^\]]+)\]\s*$", line)
        if header:
            current = header[1]
        elif current == section and re.match(rf"^{re.escape(key)}\s*=", line):
            comment = re.search(r"\s+#.*$", line.split("=", 1)[1])
            kept = f"  {comment[0].strip()}" if comment else ""
            lines[number] = f"{key} = {_toml(value)}{kept}"
            found = True
    assert found, f"config.toml has no {key} in [{section}]"
    return "\n".join(lines) + "\n"


def _replace_section(text: str, section: str, body: str | None) -> str:
    """Return ``text`` with the keys of ``[section]`` replaced by ``body`` (None: no section)."""
    pattern = re.compile(rf"^\[{re.escape(section)}\]\n(?:(?!\[).*\n)*", re.M)
    assert pattern.search(text), f"config.toml has no [{section}]"
    return pattern.sub("" if body is None else f"[{section}]\n{body}\n\n", text, count=1)


def _configure(project: Path, changes: dict[tuple[str, str], object], tables: dict) -> None:
    config = project / "config.toml"
    text = config.read_text(encoding="utf-8")
    for (section, key), value in changes.items():
        text = _set(text, section, key, value)
    for section, body in tables.items():
        text = _replace_section(text, section, body)
    config.write_text(text, encoding="utf-8")


def _blocks(text: str) -> dict[str, str]:
    return dict(
        re.findall(r"<!-- portfolio:(\w+):start -->\n(.*?)<!-- portfolio:\1:end -->", text, re.S)
    )


def _tracked_text(project: Path) -> dict[str, str]:
    names = subprocess.run(
        ["git", "ls-files"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.split()
    found = {}
    for name in names:
        if name.startswith(("data/sample/", "tests/")):
            continue
        try:
            found[name] = (project / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # figures
    return found


def _owned(tmp_path: Path) -> OwnedProject:
    project = generate("nlp-pipeline", tmp_path, **OWNER).path
    owned = set_up_as_owner(project)
    print(f"make setup: {owned.setup_seconds:.1f} s")  # shown with -s; the report quotes it
    return owned


# --- the owner's two-class tickets ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tickets(tmp_path_factory: pytest.TempPathFactory) -> OwnedProject:
    owned = _owned(tmp_path_factory.mktemp("tickets"))
    _write_tickets(owned.path / "data" / "raw" / "tickets.psv")
    _configure(
        owned.path,
        {
            ("dataset", "name"): "Acme support tickets, 2025",
            ("dataset", "description"): "Tickets from the web form, with the priority agents set.",
            ("dataset", "url"): "https://example.com/acme/tickets",
            ("dataset", "licence"): "internal, anonymised",
            ("dataset", "citation"): "Acme Support, ticket export of 2025-06-30.",
            ("dataset", "item"): "ticket",
            ("dataset", "items"): "tickets",
            ("data", "path"): "data/raw/tickets.psv",
            ("data", "header"): True,
            ("data", "columns"): [],
            ("data", "text_columns"): ["subject", "body"],
            ("data", "label_column"): "priority",
            ("data", "quoting"): "minimal",
            ("labels", "positive"): "urgent",
            ("labels", "action"): "paged to the on-call engineer",
            ("costs", "currency"): "GBP",
            ("costs", "false_positive"): 30.0,
            ("costs", "false_negative"): 250.0,
        },
        {
            "labels.map": 'P1 = "urgent"\nP2 = "urgent"\nP3 = "routine"',
            "download": None,
        },
    )
    # The dataset's own datasheet in the sample folder no longer describes the data in use.
    text = (owned.path / "config.toml").read_text(encoding="utf-8")
    (owned.path / "config.toml").write_text(
        re.sub(r"^about = .*\n", "", text, flags=re.M), encoding="utf-8"
    )
    owned.make("all")
    return owned


def test_the_owners_data_trains_tests_and_lints(tickets: OwnedProject) -> None:
    metrics = json.loads((tickets.path / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["classes"] == ["routine", "urgent"]
    assert metrics["data"]["texts"] == 900
    assert metrics["data"]["delimiter"] == "|" and metrics["data"]["delimiter_detected"]
    assert metrics["data"]["encoding"] == "utf-8-sig"
    assert metrics["model"]["decision"]["rule"] == "threshold"
    assert metrics["test"]["per_class"]["urgent"]["f1"]["estimate"] > 0.8
    tickets.make("test")
    tickets.make("lint")


def test_the_report_speaks_the_owners_words(tickets: OwnedProject) -> None:
    readme = _blocks((tickets.path / "README.md").read_text(encoding="utf-8"))
    assert "Acme support tickets, 2025" in readme["dataset"]
    assert "pipe-separated (detected)" in readme["data"]
    assert "Labels 'P1', 'P2' are merged into the class 'urgent'" in readme["data"]
    assert "paged to the on-call engineer" in readme["business"]
    assert "GBP" in readme["business"]
    assert "| urgent" in readme["results"] and "tickets" in readme["results"]
    # The example request names the owner's text columns and shows one of the owner's texts.
    assert f"python -m {PACKAGE} predict" in readme["predict"]
    assert "`subject`, `body`" in readme["predict"]
    example = re.search(r'echo "([^"]+)"', readme["predict"])
    assert example and set(example[1].split()) <= set(f"{URGENT} {ROUTINE} {FILLER}".split())
    for document in DOCUMENTS:
        text = (tickets.path / document).read_text(encoding="utf-8")
        assert "message" not in text.lower(), document


def test_written_committed_and_ready_with_no_word_of_the_sample(tickets: OwnedProject) -> None:
    assert write_narrative(tickets.path, NARRATIVE) > 10
    tickets.make("all")  # the narrative changed no number, and the report rewrites no prose
    tickets.make("test")
    commit_all(tickets.path, "Make the project mine: my tickets, my costs, my story")
    report = check_project(tickets.path, strict=True)
    assert [f"{f.rule}: {f.message}" for f in report.findings] == []
    assert report.ready
    leftovers = {
        name: sorted({m.lower() for m in SAMPLE_WORDS.findall(text)})
        for name, text in _tracked_text(tickets.path).items()
        if SAMPLE_WORDS.search(text)
    }
    assert leftovers == {}


# --- issue 12's four-class proof -----------------------------------------------------------------

NEWS_CHANGES: dict[tuple[str, str], object] = {
    ("dataset", "name"): "News headlines in four topics",
    ("dataset", "description"): "Headlines and their first sentence, one topic each.",
    ("dataset", "url"): "",
    ("dataset", "licence"): "written by the test",
    ("dataset", "citation"): "",
    ("dataset", "item"): "article",
    ("dataset", "items"): "articles",
    ("data", "path"): "data/raw/news.csv",
    ("data", "header"): False,
    ("data", "columns"): ["class", "title", "description"],
    ("data", "text_columns"): ["title", "description"],
    ("data", "label_column"): "class",
    ("data", "quoting"): "minimal",
    ("labels", "drop"): ["5"],
}
NEWS_TABLES = {
    "labels.map": "\n".join(f'{code} = "{name}"' for code, (name, _) in TOPICS.items()),
    "costs": 'currency = "EUR"\nerror = 1.0\n\n[costs.matrix.Business]\nWorld = 3.0',
    "download": None,
}


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> OwnedProject:
    owned = _owned(tmp_path_factory.mktemp("news"))
    _write_news(owned.path / "data" / "raw" / "news.csv")
    text = (owned.path / "config.toml").read_text(encoding="utf-8")
    # `positive` and `action` describe a two-class decision: an owner with four classes drops
    # them, and `about` links the bundled sample's datasheet.
    text = re.sub(r"^(positive|action|about) = .*\n", "", text, flags=re.M)
    (owned.path / "config.toml").write_text(text, encoding="utf-8")
    _configure(owned.path, NEWS_CHANGES, NEWS_TABLES)
    owned.make("all")
    return owned


def test_four_classes_from_coded_labels_and_two_text_columns(news: OwnedProject) -> None:
    metrics = json.loads((news.path / "reports" / "metrics.json").read_text(encoding="utf-8"))
    names = ["World", "Sports", "Business", "Sci/Tech"]
    assert metrics["classes"] == names
    assert metrics["data"]["texts"] == 720 and metrics["data"]["dropped_rows"] == {"5": 12}
    assert metrics["data"]["bad_rows"] == 0
    test = metrics["test"]
    for name in names:
        f1 = test["per_class"][name]["f1"]
        assert f1["low"] <= f1["estimate"] <= f1["high"]
    assert {"precision", "recall", "f1"} == set(test["macro"])
    assert test["micro_f1"]["estimate"] > 0.7
    assert np.array(test["confusion"]).shape == (4, 4)
    errors = metrics["business"]["errors"]
    assert errors and {row["true"] for row in errors} <= set(names)
    assert {(p["true"], p["predicted"]) for p in metrics["errors"]} <= {
        (a, b) for a in names for b in names if a != b
    }
    # The cost curve and the score distribution draw a threshold: two classes only.
    figures = {p.name for p in (news.path / "reports" / "figures").glob("*.png")}
    assert figures == {
        "confusion_matrix.png",
        "per_class_f1.png",
        "policy_savings.png",
        "reliability.png",
    }
    assert (news.path / metrics["headline"]["figure"]).is_file()


def test_the_report_uses_the_mapped_names_and_notes_what_was_done(news: OwnedProject) -> None:
    readme = _blocks((news.path / "README.md").read_text(encoding="utf-8"))
    for name in ("World", "Sports", "Business", "Sci/Tech"):
        assert f"| {name} " in readme["results"]
    assert not re.search(r"^\| [1-5] ", readme["results"], re.M), "a raw code is shown as a class"
    assert "12 rows labelled '5' left out, as [labels] drop asks" in readme["data"]
    assert "'1' as 'World'" in readme["data"] and "comma-separated (detected)" in readme["data"]
    assert "`title`, `description`" in readme["data"]
    assert "True class" in readme["business"] and "articles" in readme["business"]
    assert "**True " in readme["errors"]
    decision = _blocks(
        (news.path / "docs/decisions/0001-threshold-by-cost.md").read_text(encoding="utf-8")
    )
    assert "| Business" in decision["threshold"]


def test_the_suite_stays_green_on_the_owners_four_classes(news: OwnedProject) -> None:
    news.make("test")


def _errors_for(owned: OwnedProject, configs: dict[str, str]) -> dict[str, tuple[int, str]]:
    """Run the project's CLI on each config text in one process; return (exit code, stderr)."""
    folder = owned.path / "bad-configs"
    folder.mkdir(exist_ok=True)
    for name, text in configs.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    script = (
        "import contextlib, io, json, pathlib, sys\n"
        f"from {PACKAGE}.cli import main\n"
        "out = {}\n"
        "for path in sorted(pathlib.Path(sys.argv[1]).glob('*.toml')):\n"
        "    err = io.StringIO()\n"
        "    with contextlib.redirect_stderr(err):\n"
        "        code = main(['--config', str(path), 'train'])\n"
        "    out[path.stem] = (code, err.getvalue())\n"
        "print(json.dumps(out))\n"
    )
    done = owned.run(str(owned.python), "-c", script, str(folder))
    return {name: (code, err) for name, (code, err) in json.loads(done.stdout).items()}


BAD_VALUES = {
    # key: (section, key, bad value, what the one line must say)
    "format": ("data", "format", "xlsx", "data.format = 'xlsx': choose one of"),
    "delimiter": ("data", "delimiter", "::", "data.delimiter = '::'"),
    "header": ("data", "header", "no", "data.header = 'no'"),
    "columns": ("data", "columns", ["class", "title"], "columns lacks 'description'"),
    "text_columns": ("data", "text_columns", [], "text_columns must name at least one column"),
    "label_column": ("data", "label_column", "title", "label_column 'title' is also a text"),
    "encoding": ("data", "encoding", "klingon", "data.encoding = 'klingon'"),
    "quoting": ("data", "quoting", "always", "data.quoting = 'always'"),
    "drop": ("labels", "drop", ["1"], "label '1' is both mapped and dropped"),
    "unmapped": ("labels", "drop", [], "label '5' (12 rows, first at line"),
    "item": ("dataset", "item", "", "dataset.item = ''"),
    "items": ("dataset", "items", 4, "dataset.items = 4"),
    "about": ("dataset", "about", 7, "dataset.about = 7"),
    "error": ("costs", "error", -1.0, "costs.error = -1.0"),
    "confused_pairs": ("report", "confused_pairs", 0, "report.confused_pairs = 0"),
    "tuning_texts": ("model", "tuning_texts", 10, "model.tuning_texts = 10: use a number of"),
}


def test_a_bad_value_for_every_new_key_is_one_line_naming_it(news: OwnedProject) -> None:
    good = (news.path / "config.toml").read_text(encoding="utf-8")
    configs = {}
    for name, (section, key, value, _) in BAD_VALUES.items():
        configs[name] = good.replace(
            'path = "data/raw/news.csv"', f'path = "{news.path / "data/raw/news.csv"}"'
        )
        try:
            configs[name] = _set(configs[name], section, key, value)
        except AssertionError:  # a key the config leaves to its default: add it to the section
            configs[name] = configs[name].replace(
                f"[{section}]\n", f"[{section}]\n{key} = {_toml(value)}\n", 1
            )
    configs["positive"] = good.replace("[labels]\n", '[labels]\npositive = "World"\n', 1)
    configs["map"] = _replace_section(good, "labels.map", '1 = "World"\n2 = ""')
    configs["matrix"] = good.replace("World = 3.0", "Weather = 3.0")
    configs["unknown_key"] = good.replace("[data]\n", '[data]\ndelimter = ";"\n', 1)
    expected = {name: said for name, (*_, said) in BAD_VALUES.items()} | {
        "positive": "positive applies to two classes only",
        "map": "labels.map.2 = ''",
        "matrix": "costs.matrix names 'Weather', which is not a class",
        "unknown_key": "unknown key 'data.delimter'; allowed keys: path, format, delimiter",
    }
    results = _errors_for(news, configs)
    for name, said in expected.items():
        code, err = results[name]
        assert code == 1, f"{name}: exit {code}, {err!r}"
        assert err.startswith("error: ") and said in err, f"{name}: {err!r}"
        assert len(err.strip().splitlines()) == 1, f"{name}: {err!r}"


def test_a_crafted_model_file_is_refused_before_anything_runs(news: OwnedProject) -> None:
    """Issue 14: a skops file naming an exec-like callable must not run at load."""
    marker = news.path / "code-ran"
    model = news.path / "models" / "model.skops"
    arguments = news.path / "args.skops"
    news.run(
        str(news.python),
        "-c",
        "import sys, skops.io as sio; sio.dump((sys.argv[1], {}), sys.argv[2])",
        f"open({str(marker)!r}, 'w').close()",
        str(arguments),
    )
    content = json.loads(zipfile.ZipFile(arguments).read("schema.json"))
    header = {key: content.pop(key) for key in ("protocol", "_skops_version") if key in content}
    schema = {
        "__class__": "runstring",
        "__module__": "numpy.testing._private.utils",
        "__loader__": "ConstructorFromReduceNode",
        "content": content,
        **header,
    }
    with zipfile.ZipFile(model, "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))
    done = subprocess.run(
        ["make", "evaluate"],
        cwd=news.path,
        env=owner_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1
    assert "does not trust: numpy.testing._private.utils.runstring" in errors[0]
    assert not marker.exists()
