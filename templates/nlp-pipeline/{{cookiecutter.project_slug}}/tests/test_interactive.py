"""The site's interactive part: the explorer shows the report's table, the browser its mistakes."""

import dataclasses
import json

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from {{ cookiecutter.__package }}.errorbrowser import (
    TEXT_LIMIT,
    driving_features,
    error_browser_payload,
)
from {{ cookiecutter.__package }}.evaluate import Evaluation
from {{ cookiecutter.__package }}.explorer import explorer_point
from {{ cookiecutter.__package }}.interactive import KEYWORD_RULE, interactive_payload
from {{ cookiecutter.__package }}.site import SITE_DATA

# The explorer's names for the report's baselines.
EXPLORER_NAMES = {
    "keywords": KEYWORD_RULE,
    "act_on_no_one": "act on no one",
    "act_on_everyone": "act on everyone",
}


def _rows(evaluation: Evaluation) -> dict[str, dict]:
    return {row["policy"]: row for row in evaluation.metrics["comparison"]["policies"]}


def test_the_explorer_at_the_reports_settings_shows_the_reports_numbers(
    evaluation: Evaluation,
) -> None:
    payload = interactive_payload(evaluation, items="messages", seed=0)
    assert payload["kind"] == "binary-explorer" and payload["also"] == ["error-browser"]
    assert payload["cases_per_period"] == 10_000
    threshold = evaluation.metrics["model"]["decision"]["threshold"]
    point = explorer_point(payload, threshold=threshold)
    rows = _rows(evaluation)
    model = rows["model"]
    assert point["false_positives_per_10k"] == pytest.approx(model["false_positives_per_10k"])
    assert point["false_negatives_per_10k"] == pytest.approx(model["false_negatives_per_10k"])
    assert point["cost_per_period"] == pytest.approx(model["cost_per_10k"])
    best = rows[evaluation.metrics["comparison"]["best_baseline"]]
    assert point["best_baseline"] == EXPLORER_NAMES[best["policy"]]
    assert point["best_baseline_cost"] == pytest.approx(best["cost_per_10k"])
    assert point["saving"] == pytest.approx(best["saving"]["estimate"])
    # The business table's two rows: ham given spam (false positives), and the reverse.
    negative, positive = evaluation.classes
    table = {
        (row["true"], row["predicted"]): row for row in evaluation.metrics["business"]["errors"]
    }
    fp = table.get((negative, positive), {"per_n": 0.0, "cost_per_n": 0.0})
    fn = table.get((positive, negative), {"per_n": 0.0, "cost_per_n": 0.0})
    assert point["false_positives_per_10k"] == pytest.approx(fp["per_n"])
    assert point["false_negatives_per_10k"] == pytest.approx(fn["per_n"])
    assert point["cost_per_period"] == pytest.approx(fp["cost_per_n"] + fn["cost_per_n"])


def test_every_baseline_is_priced_as_the_report_prices_it(evaluation: Evaluation) -> None:
    payload = interactive_payload(evaluation, items="messages", seed=0)
    n = payload["cases_in_test_set"]
    fp, fn = payload["costs"]["false_positive"], payload["costs"]["false_negative"]
    exported = {b["name"]: b for b in payload["baselines"]}
    for key, row in _rows(evaluation).items():
        if key in EXPLORER_NAMES:
            baseline = exported[EXPLORER_NAMES[key]]
            cost = (baseline["false_positives"] * fp + baseline["false_negatives"] * fn) / n
            assert cost * 10_000 == pytest.approx(row["cost_per_10k"]), key


def test_the_error_browser_lists_the_models_mistakes_surest_first(
    evaluation: Evaluation,
) -> None:
    errors = interactive_payload(evaluation, items="messages", seed=0)["errors"]
    wrong = evaluation.misclassified()
    confusion = np.array(evaluation.metrics["test"]["confusion"])
    assert errors["confusion"] == confusion.tolist()
    assert errors["mistakes"] == len(wrong) == confusion.sum() - np.trace(confusion) > 0
    assert [(e["text"], e["true"], e["given"]) for e in errors["shown"]] == [
        (w["text"][:TEXT_LIMIT], w["true"], w["given"]) for w in wrong
    ]
    scores = [e["score"] for e in errors["shown"]]
    assert scores == sorted(scores, reverse=True)
    assert errors["explained"] and any(e["features"] for e in errors["shown"])
    for shown in errors["shown"]:
        weights = [feature["weight"] for feature in shown["features"]]
        assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)


def test_every_confused_pair_keeps_some_texts_under_a_tight_limit(
    topics_evaluation: Evaluation,
) -> None:
    confusion = np.array(topics_evaluation.metrics["test"]["confusion"])
    cells = {
        (topics_evaluation.classes[i], topics_evaluation.classes[j])
        for i, j in zip(*np.nonzero(confusion), strict=True)
        if i != j
    }
    assert len(cells) >= 2
    limit = len(cells)
    errors = error_browser_payload(topics_evaluation, items="tickets", decision="x", limit=limit)
    assert len(errors["shown"]) == limit
    assert {(e["true"], e["given"]) for e in errors["shown"]} == cells
    scores = [e["score"] for e in errors["shown"]]
    assert scores == sorted(scores, reverse=True)


def test_more_classes_get_the_error_browser_alone(topics_evaluation: Evaluation) -> None:
    payload = interactive_payload(topics_evaluation, items="tickets", seed=0)
    assert set(payload) == {"kind", "errors"} and payload["kind"] == "error-browser"
    assert payload["errors"]["classes"] == list(topics_evaluation.classes)
    assert len(payload["errors"]["confusion"]) == 3


def test_long_texts_are_cut_and_say_so(evaluation: Evaluation) -> None:
    wrong = evaluation.misclassified()[0]
    index = evaluation.test_texts.index(wrong["text"])
    texts = list(evaluation.test_texts)
    texts[index] = "word " * TEXT_LIMIT
    longer = dataclasses.replace(evaluation, test_texts=tuple(texts))
    shown = error_browser_payload(longer, items="messages", decision="x")["shown"]
    cut = next(e for e in shown if e["origin"] == wrong["origin"])
    assert cut["cut"] and len(cut["text"]) == TEXT_LIMIT
    assert not any(e["cut"] for e in shown if e["origin"] != wrong["origin"])


def _toy(texts: list[str], y: list[int]) -> Pipeline:
    features = FeatureUnion([("word", TfidfVectorizer())])
    return Pipeline([("features", features), ("classifier", LogisticRegression(C=100.0))]).fit(
        texts, y
    )


def test_the_features_given_are_the_largest_terms_of_the_log_odds() -> None:
    texts = ["free prize now", "free entry prize", "see you at lunch", "lunch at noon"] * 3
    model = _toy(texts, [1, 1, 0, 0] * 3)
    [drivers] = driving_features(model, ["lunch free prize"], [0], [1], top=10)
    assert [d["feature"] for d in drivers][:2] in (["free", "prize"], ["prize", "free"])
    assert "lunch" not in [d["feature"] for d in drivers]
    assert all(d["kind"] == "word" for d in drivers)
    # The log-odds of class 1 is the sum of every feature's term plus the intercept.
    x = model[:-1].transform(["lunch free prize"]).toarray()[0]
    coef = model.named_steps["classifier"].coef_[0]
    terms = {
        name.split("__")[1]: t
        for name, t in zip(
            model.named_steps["features"].get_feature_names_out(), x * coef, strict=True
        )
        if t > 0
    }
    assert {d["feature"]: d["weight"] for d in drivers} == pytest.approx(terms, abs=1e-4)
    [back] = driving_features(model, ["lunch free prize"], [1], [0], top=10)
    assert [d["feature"] for d in back] == ["lunch"]


def test_with_more_classes_the_features_move_the_text_from_true_to_given() -> None:
    texts = ["invoice refund", "parcel courier", "login crash"] * 4
    model = _toy(texts, [0, 1, 2] * 4)
    [drivers] = driving_features(model, ["invoice parcel login"], [0], [1], top=10)
    assert drivers[0]["feature"] == "parcel"
    assert "invoice" not in [d["feature"] for d in drivers]


def test_the_report_writes_the_interactive_part(sample_config, evaluation, reported) -> None:
    data = json.loads((sample_config.root / SITE_DATA).read_text(encoding="utf-8"))
    want = interactive_payload(
        evaluation, items=sample_config.dataset.items, seed=sample_config.seed
    )
    assert data["interactive"] == json.loads(json.dumps(want))


def test_a_model_without_mistakes_has_an_empty_list(evaluation: Evaluation) -> None:
    perfect = dataclasses.replace(
        evaluation, predictions={**evaluation.predictions, "model": evaluation.y_test.copy()}
    )
    errors = error_browser_payload(perfect, items="messages", decision="x")
    assert errors["shown"] == [] and errors["mistakes"] == 0
    assert np.trace(np.array(errors["confusion"])) == evaluation.y_test.size


def test_a_class_missing_from_training_is_pushed_by_nothing() -> None:
    model = _toy(["invoice refund", "parcel courier"] * 4, [0, 2] * 4)
    [drivers] = driving_features(model, ["invoice parcel"], [1], [2], top=10)
    assert [d["feature"] for d in drivers] == ["parcel"]
