import importlib.util

import numpy as np
import pytest
from sklearn.pipeline import Pipeline

from {{ cookiecutter.__package }}.config import Config, ConfigError
from {{ cookiecutter.__package }}.ingest import read_corpus
from {{ cookiecutter.__package }}.models import (
    KeywordBaseline,
    build_baselines,
    build_model,
    class_probabilities,
    informative_features,
    positive_scores,
    with_c,
)
from {{ cookiecutter.__package }}.train import TrainResult

SPAM = ["WIN a FREE prize now", "claim your free prize", "free ringtone, text WIN"]
HAM = ["see you at lunch", "ok, on my way", "call me when you are home", "lunch tomorrow?"]
TOPICS = {
    0: ["the match ended in a late goal", "the team won the cup final", "a goal in extra time"],
    1: ["shares fell on the market", "the market closed higher", "bank shares rallied"],
    2: ["the new phone has a faster chip", "a chip shortage hits phone makers", "new chip"],
}


def _topics() -> tuple[list[str], np.ndarray]:
    texts = [t for cls in TOPICS for t in TOPICS[cls]]
    return texts, np.repeat(list(TOPICS), [len(v) for v in TOPICS.values()])


def _with_kind(config: Config, kind: str) -> Config:
    return config.model_copy(update={"model": config.model.model_copy(update={"kind": kind})})


def test_keyword_baseline_learns_the_positive_words() -> None:
    baseline = KeywordBaseline(n_keywords=3, min_count=2).fit(SPAM + HAM, [1] * 3 + [0] * 4)
    assert baseline.keywords_ == [["free", "prize", "win"]]
    scores = baseline.predict_proba(["FREE prize inside", "home soon"])[:, 1]
    assert scores[0] > scores[1] == 0
    assert baseline.predict(["a free win", "home"]).tolist() == [1, 0]


def test_keyword_baseline_gives_each_text_the_class_of_its_keywords() -> None:
    texts, y = _topics()
    baseline = KeywordBaseline(n_keywords=2, min_count=2).fit(texts, y)
    assert len(baseline.keywords_) == 3
    assert baseline.predict(["a goal", "market news", "phone chip", "nothing known"]).tolist() == [
        0,
        1,
        2,
        0,
    ]
    np.testing.assert_allclose(baseline.predict_proba(["a goal"]).sum(axis=1), 1.0)


def _separates_the_sample(model: Pipeline) -> None:
    scores = positive_scores(
        model, ["WINNER!! Claim your £900 prize, call 09061701461", "I'll be home at 7, love you"]
    )
    assert 0.0 <= scores[1] < 0.5 < scores[0] <= 1.0
    features = informative_features(model, ("ham", "spam"), 5)
    assert len(features["spam"]) == 5 and len(features["ham"]) == 5
    assert all(weight > 0 for _, weight in features["spam"] + features["ham"])
    assert features["spam"][0][0].startswith(("word__", "char__"))


def test_the_trained_logistic_regression_separates_the_sample(trained: TrainResult) -> None:
    _separates_the_sample(trained.model.pipeline)


def test_the_calibrated_svm_separates_the_sample(config: Config) -> None:
    frame = read_corpus(config.data, config.labels).frame
    model = build_model(_with_kind(config, "linear_svm"), C=20.0)
    _separates_the_sample(model.fit(frame["text"].tolist(), frame["y"].to_numpy()))


@pytest.mark.parametrize("kind", ["logistic_regression", "linear_svm"])
def test_models_learn_three_classes(config: Config, kind: str) -> None:
    texts, y = _topics()
    model = build_model(_with_kind(config, kind), C=20.0).fit(texts * 4, np.tile(y, 4))
    probabilities = class_probabilities(model, ["a late goal", "shares rallied", "chip"], 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    assert probabilities.argmax(axis=1).tolist() == [0, 1, 2]
    features = informative_features(model, ("Sport", "Markets", "Tech"), 3)
    assert set(features) == {"Sport", "Markets", "Tech"}
    assert any("goal" in name for name, _ in features["Sport"])


def test_probabilities_have_a_column_for_a_class_the_model_never_saw() -> None:
    texts, y = _topics()
    keep = y != 1
    baseline = KeywordBaseline(n_keywords=2, min_count=1).fit(
        np.array(texts)[keep].tolist(), y[keep]
    )
    probabilities = class_probabilities(baseline, ["a goal"], 3)
    assert probabilities.shape == (1, 3)
    assert probabilities[0, 1] == 0.0


def test_baselines_fit_and_score(config: Config) -> None:
    frame = read_corpus(config.data, config.labels).frame
    for name, baseline in build_baselines().items():
        baseline.fit(frame["text"].tolist(), frame["y"].to_numpy())
        scores = positive_scores(baseline, frame["text"].tolist())
        assert scores.shape == (len(frame),), name
        assert np.all((scores >= 0) & (scores <= 1)), name


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is not None,
    reason="the embeddings extra is installed",
)
def test_sentence_embedding_without_the_extra_says_how_to_install(config: Config) -> None:
    with pytest.raises(ConfigError, match=r"pip install -e '\.\[embeddings\]'"):
        build_model(_with_kind(config, "sentence_embedding"), C=1.0)


def test_a_tuned_c_must_be_passed_and_a_fixed_one_is_read_from_the_config(config: Config) -> None:
    with pytest.raises(ValueError, match="pass the value tuning chose"):
        build_model(config)
    fixed = config.model_copy(update={"model": config.model.model_copy(update={"C": (7.0,)})})
    assert build_model(fixed).named_steps["classifier"].C == 7.0
    assert build_model(config, C=3.0).named_steps["classifier"].C == 3.0


def test_with_c_sets_the_strength_of_a_calibrated_svm_too(config: Config) -> None:
    svm = build_model(_with_kind(config, "linear_svm"), C=1.0).named_steps["classifier"]
    assert with_c(svm, 5.0).estimator.C == 5.0
    assert svm.estimator.C == 1.0  # a copy: the original is unchanged
