import keyword
import sys
from pathlib import Path

import pytest

from portfolio.answers import (
    AnswersFile,
    check_destination,
    check_known_keys,
    package_name,
    read_answers_file,
    slug_problem,
    suggest_slug,
    validate_answer,
    write_answers_file,
)
from portfolio.errors import AnswerError, DestinationExistsError, PortfolioError


@pytest.mark.parametrize("slug", ["churn-api", "spam_filter", "recsys2", "a"])
def test_valid_slugs(slug: str) -> None:
    assert slug_problem(slug) is None


@pytest.mark.parametrize(
    ("slug", "why"),
    [
        ("", "empty"),
        ("../evil", "path"),
        ("a/b", "path"),
        ("a\\b", "path"),
        ("My Project", "lowercase"),
        ("2fast", "starting with a letter"),
        ("double--dash", "single"),
        ("trailing-", "single"),
        ("class", "keyword"),
        ("json", "standard-library"),
        ("pandas", "shadow"),
        ("x" * 65, "longer"),
    ],
)
def test_invalid_slugs_say_why(slug: str, why: str) -> None:
    problem = slug_problem(slug)
    assert problem is not None and why in problem


@pytest.mark.parametrize(
    "text", ["My Project", "../evil", "json", "class", "2fast", "Ünïcödé Café", "🚀", "x" * 100]
)
def test_suggested_slug_is_always_valid(text: str) -> None:
    assert slug_problem(suggest_slug(text)) is None


def test_package_name_replaces_hyphens() -> None:
    assert package_name("churn-risk-api") == "churn_risk_api"


def test_no_stdlib_or_keyword_package_slips_through() -> None:
    for name in [*keyword.kwlist, *sorted(sys.stdlib_module_names)]:
        if name.isidentifier() and name.islower() and not name.startswith("_"):
            assert slug_problem(name) is not None, name


def test_invalid_slug_error_offers_a_valid_alternative() -> None:
    with pytest.raises(AnswerError) as info:
        validate_answer("project_slug", "My Churn Model")
    assert info.value.exit_code == 2
    assert "invalid project_slug 'My Churn Model'" in info.value.message
    assert info.value.hint == "try --set project_slug=my-churn-model"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("project_name", "two\nlines"),
        ("project_name", "   "),
        ("author_email", "not-an-email"),
        ("github_username", "-bad-"),
        ("description", "broken \udcff byte"),
        ("description", "nul \x00 byte"),
    ],
)
def test_bad_values_are_refused(key: str, value: str) -> None:
    with pytest.raises(AnswerError, match=f"invalid {key}"):
        validate_answer(key, value)


def test_choice_outside_the_list_names_the_choices() -> None:
    with pytest.raises(AnswerError, match="choose one of: MIT, Apache-2.0"):
        validate_answer("license", "GPL", ("MIT", "Apache-2.0"))


def test_descriptions_may_hold_anything_printable() -> None:
    text = 'a "quoted" {{ x }}\nsecond line\\ 🚀 مرحبا'
    assert validate_answer("description", text) == text


def test_unknown_keys_list_the_valid_ones() -> None:
    with pytest.raises(AnswerError) as info:
        check_known_keys({"nmae": "x"}, ["project_name", "description"])
    assert "unknown answer key 'nmae'" in info.value.message
    assert info.value.hint == "valid keys: project_name, description"


def test_existing_destination_is_refused_with_both_ways_out(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    with pytest.raises(DestinationExistsError) as info:
        check_destination(tmp_path / "demo")
    assert str(tmp_path / "demo") in info.value.message
    assert "--set project_slug=demo-2" in info.value.hint and "-o DIR" in info.value.hint


def test_answers_file_round_trips(tmp_path: Path) -> None:
    written = AnswersFile("recommender", "1.2.3", {"project_name": "Ü 🚀"}, extra={"remote": "u"})
    write_answers_file(tmp_path, written)
    assert read_answers_file(tmp_path) == written


def test_missing_answers_file_says_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(PortfolioError, match="is not a portfolio project"):
        read_answers_file(tmp_path)


def test_malformed_answers_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / ".portfolio.json").write_text('{"template": "x"}', encoding="utf-8")
    with pytest.raises(PortfolioError, match="malformed"):
        read_answers_file(tmp_path)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Customer Churn Early Warning System for Subscription Businesses, Calibrated", (
            "customer-churn-early-warning-system-for-subscription-businesses"
        )),
        ("JSON", "json-project"),
        ("Threadpoolctl", "threadpoolctl-project"),
    ],
)  # fmt: skip
def test_a_long_or_reserved_name_still_gets_a_valid_default_slug(name: str, slug: str) -> None:
    from portfolio.generate import template_context
    from portfolio.questions import resolve_answers
    from portfolio.templates import describe

    answers = resolve_answers(
        template_context(describe("recommender")), given={"project_name": name}
    )

    assert answers["project_slug"] == slug
    assert slug_problem(slug) is None
