"""`portfolio check` rules on hand-built fixtures, one behaviour per test."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from portfolio.check import check_project
from portfolio.errors import PortfolioError
from tests.check_fixtures import (
    SECTION_TEXT,
    build_ready_project,
    commit_all,
    findings,
    git,
    write_provenance,
)


@pytest.fixture
def ready(tmp_path: Path) -> Path:
    return build_ready_project(tmp_path)


def test_ready_project_passes_every_rule(ready: Path) -> None:
    report = check_project(ready)
    assert [f.message for f in report.findings] == []
    assert report.ready
    assert report.score == 100
    assert report.next_steps() == []


def test_not_a_project_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PortfolioError, match="is not a portfolio project"):
        check_project(tmp_path)


def test_placeholders_are_listed_with_file_line_and_what_to_write(ready: Path) -> None:
    readme = ready / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace(
            "## Data\n", "## Data\nTODO(portfolio): say where the data comes from.\n"
        ),
        encoding="utf-8",
    )
    (ready / "src" / "churn" / "train.py").write_text(
        "# TODO(portfolio): explain the seed\nSEED = 1\n", encoding="utf-8"
    )
    assert findings(ready, "placeholders") == [
        "README.md:7 say where the data comes from.",
        "src/churn/train.py:1 explain the seed",
    ]


@pytest.mark.parametrize("section", ["Limitations", "Business impact", "How to run"])
def test_missing_section_is_reported(ready: Path, section: str) -> None:
    readme = ready / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace(f"## {section}", "## Misc"), encoding="utf-8"
    )
    assert findings(ready, "readme") == [f"README.md no {section.lower()!r} section"]


def test_placeholder_only_section_is_reported(ready: Path) -> None:
    readme = ready / "README.md"
    text = readme.read_text(encoding="utf-8")
    readme.write_text(
        text.replace(f"## Problem\n{SECTION_TEXT}", "## Problem\nTODO(portfolio): the problem.\n"),
        encoding="utf-8",
    )
    assert findings(ready, "readme") == [
        "README.md the 'problem' section is empty or placeholder only"
    ]


def test_missing_metrics_means_results_missing(ready: Path) -> None:
    (ready / "reports" / "metrics.json").unlink()
    assert findings(ready, "results") == [
        "reports/metrics.json results missing: reports/metrics.json does not exist"
    ]


def test_hand_edited_results_block_no_longer_matches(ready: Path) -> None:
    readme = ready / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("0.91", "0.99"), encoding="utf-8")
    assert findings(ready, "results") == [
        "README.md the 'results' block in README.md does not match reports/metrics.json "
        "(edited by hand, or from an older run)"
    ]


def test_changed_metrics_file_is_detected(ready: Path) -> None:
    (ready / "reports" / "metrics.json").write_text('{"roc_auc": 0.5}\n', encoding="utf-8")
    assert findings(ready, "results") == [
        "reports/metrics.json reports/metrics.json changed since the last report"
    ]


def test_missing_figure_is_reported(ready: Path) -> None:
    (ready / "reports" / "figures" / "roc.png").unlink()
    assert "README.md README.md shows reports/figures/roc.png, which does not exist" in findings(
        ready, "results"
    )


def test_unfilled_block_without_provenance_entry_is_reported(ready: Path) -> None:
    card = ready / "MODEL_CARD.md"
    card.write_text(
        card.read_text(encoding="utf-8")
        + "<!-- portfolio:subgroups:start -->\n_Run `make all`._\n"
        + "<!-- portfolio:subgroups:end -->\n",
        encoding="utf-8",
    )
    assert findings(ready, "results") == [
        "MODEL_CARD.md the 'subgroups' block in MODEL_CARD.md is not filled"
    ]


def test_config_changed_after_the_report_is_stale(ready: Path) -> None:
    (ready / "config.toml").write_text("seed = 2\n", encoding="utf-8")
    assert findings(ready, "freshness") == ["results are older than config.toml"]


def test_missing_licence_ci_and_tests_are_reported(ready: Path) -> None:
    git(ready, "rm", "-q", "LICENSE", ".github/workflows/ci.yml", "tests/test_model.py")
    git(ready, "commit", "-q", "-m", "strip")
    assert findings(ready, "hygiene") == [
        "no LICENSE",
        "no CI workflow in .github/workflows/",
        "no tests in tests/",
    ]


TRACKED = "is tracked by git; data and models belong in ignored folders"


def test_large_and_model_files_tracked_by_git_are_reported(ready: Path) -> None:
    (ready / "data").mkdir()
    (ready / "data" / "big.csv").write_bytes(b"x" * (1024 * 1024 + 1))
    (ready / "model.skops").write_bytes(b"PK")
    commit_all(ready)
    assert findings(ready, "hygiene") == [
        f"data/big.csv data/big.csv (1.0 MB) {TRACKED}",
        f"model.skops model.skops (0.0 MB) {TRACKED}",
    ]


def test_ignored_large_files_are_fine(ready: Path) -> None:
    (ready / "models").mkdir()
    (ready / "models" / "model.skops").write_bytes(b"x" * (2 * 1024 * 1024))
    assert findings(ready, "hygiene") == []


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ("token = 'ghp_" + "a1B2" * 9 + "'", "a GitHub token"),
        ("AWS = 'AKIA" + "ABCDEFGHIJKLMNOP" + "'", "an AWS access key id"),
        ("-----BEGIN RSA " + "PRIVATE KEY-----", "a private key"),
        ('password = "' + "hunter2hunter2" + '"', "a hard-coded credential"),
    ],
)
def test_secret_looking_strings_are_reported(ready: Path, line: str, what: str) -> None:
    (ready / "src" / "churn" / "settings.py").write_text(f"\n{line}\n", encoding="utf-8")
    assert findings(ready, "secrets") == [f"src/churn/settings.py:2 looks like {what}"]


def test_uncommitted_changes_are_a_warning_that_strict_turns_into_failure(ready: Path) -> None:
    (ready / "notes.md").write_text("draft\n", encoding="utf-8")
    report = check_project(ready)
    assert [f.message for f in report.warnings] == ["1 uncommitted change(s), e.g. notes.md"]
    assert report.ready
    assert not check_project(ready, strict=True).ready


def test_unpushed_commits_are_reported(ready: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(ready, "remote", "add", "origin", str(remote))
    git(ready, "push", "-q", "-u", "origin", "main")
    assert findings(ready, "git") == []
    (ready / "notes.md").write_text("more\n", encoding="utf-8")
    commit_all(ready)
    assert findings(ready, "git") == ["1 commit(s) not pushed to origin"]


def test_remote_without_upstream_is_reported(ready: Path, tmp_path: Path) -> None:
    git(ready, "remote", "add", "origin", str(tmp_path / "nowhere.git"))
    assert findings(ready, "git") == ["branch main has no upstream on origin"]


def test_heavily_hand_edited_folder_still_gets_a_report(ready: Path) -> None:
    (ready / "README.md").unlink()
    (ready / "README.md").mkdir()
    (ready / "reports" / "provenance.json").write_text('{"inputs": [1, 2]}', encoding="utf-8")
    (ready / "MODEL_CARD.md").write_bytes(b"\xff\xfe\x00binary")
    report = check_project(ready)
    assert not report.ready
    assert "README.md is not a regular file" in [f.message for f in report.findings]


def test_next_steps_put_the_most_valuable_first(ready: Path) -> None:
    (ready / "config.toml").write_text("seed = 2\n", encoding="utf-8")
    (ready / "notes.md").write_text("draft\n", encoding="utf-8")
    readme = ready / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8") + "\nTODO(portfolio): add a demo GIF.\n",
        encoding="utf-8",
    )
    steps = check_project(ready).next_steps()
    assert steps[0].startswith("fill the TODO(portfolio) placeholders")
    assert steps[1].startswith("run `make all`")
    assert steps[2] == "commit your changes"


def test_cli_exit_code_is_zero_when_ready(ready: Path) -> None:
    from click.testing import CliRunner

    from portfolio.cli import main

    result = CliRunner().invoke(main, ["check", str(ready)])
    assert result.exit_code == 0, result.output
    assert "Readiness 100/100: ready to show" in result.stdout


def test_cli_json_schema_and_failure_exit_code(ready: Path) -> None:
    from click.testing import CliRunner

    from portfolio.cli import main

    (ready / "config.toml").write_text("seed = 2\n", encoding="utf-8")
    commit_all(ready)
    result = CliRunner().invoke(main, ["check", "--json", str(ready)])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {
        "schema", "project", "template", "ready", "strict", "score", "counts", "rules",
        "findings", "next_steps",
    }  # fmt: skip
    assert data["schema"] == 1 and data["ready"] is False and data["template"] == "classifier-api"
    assert data["counts"] == {"errors": 1, "warnings": 0}
    assert data["findings"] == [
        {
            "rule": "freshness",
            "severity": "error",
            "message": "results are older than config.toml",
            "fix": "run `make all` so the numbers come from the current config and code",
            "file": None,
            "line": None,
            "commit": None,
        }
    ]


def test_cli_strict_fails_on_warnings(ready: Path) -> None:
    from click.testing import CliRunner

    from portfolio.cli import main

    (ready / "notes.md").write_text("draft\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["check", str(ready)]).exit_code == 0
    assert CliRunner().invoke(main, ["check", "--strict", str(ready)]).exit_code == 1


def test_cli_not_a_project_is_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from portfolio.cli import main

    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {tmp_path} is not a portfolio project")


def test_a_heading_inside_a_fenced_code_block_is_not_a_section(ready: Path) -> None:
    readme = ready / "README.md"
    text = readme.read_text(encoding="utf-8").replace(
        f"## Data\n{SECTION_TEXT}", f"## Misc\n```bash\n# Data\nmake data\n```\n{SECTION_TEXT}"
    )
    readme.write_text(text, encoding="utf-8")

    assert findings(ready, "readme") == ["README.md no 'data' section"]


def test_a_setext_heading_is_a_section(ready: Path) -> None:
    readme = ready / "README.md"
    text = readme.read_text(encoding="utf-8").replace("## Limitations\n", "Limitations\n---\n")
    readme.write_text(text, encoding="utf-8")

    assert findings(ready, "readme") == []


def test_placeholders_in_tests_are_never_findings(ready: Path) -> None:
    (ready / "tests" / "test_report.py").write_text(
        'def test_marker() -> None:\n    assert "TODO(portfolio)" != "written"\n',
        encoding="utf-8",
    )

    assert findings(ready, "placeholders") == []


def test_results_from_the_bundled_sample_are_a_warning(ready: Path) -> None:
    (ready / "data" / "sample").mkdir(parents=True)
    (ready / "data" / "sample" / "churn.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    write_provenance(ready, data=("data/sample/churn.csv",))
    commit_all(ready)

    report = check_project(ready)

    assert [f.message for f in report.findings] == [
        "results still come from the bundled sample (data/sample/churn.csv)"
    ]
    assert report.findings[0].severity == "warning"
    assert report.ready and not check_project(ready, strict=True).ready
    assert report.score == 99


def test_results_from_your_own_data_are_not_flagged(ready: Path) -> None:
    (ready / "data" / "mine.csv").parent.mkdir(parents=True, exist_ok=True)
    (ready / "data" / "mine.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    write_provenance(ready, data=("data/mine.csv",))
    commit_all(ready)

    assert findings(ready, "data") == []


def test_an_unwritten_readme_story_caps_the_score_at_50(ready: Path) -> None:
    readme = ready / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace(
            f"## Decisions\n{SECTION_TEXT}", "## Decisions\nTODO(portfolio): why this model.\n"
        ),
        encoding="utf-8",
    )
    write_provenance(ready)
    commit_all(ready)

    report = check_project(ready)

    assert report.story_unwritten
    assert report.score == 50  # every other rule passes: the evidence half only


def test_placeholders_outside_the_readme_cost_part_of_the_narrative_half(ready: Path) -> None:
    card = ready / "MODEL_CARD.md"
    card.write_text(
        card.read_text(encoding="utf-8") + "\nTODO(portfolio): intended use.\n", encoding="utf-8"
    )
    commit_all(ready)

    report = check_project(ready)

    assert not report.story_unwritten
    assert report.score == 70  # narrative: readme sections (2 of 5) count; evidence: all
