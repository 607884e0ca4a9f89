import dataclasses
import importlib.util

import numpy as np
import pytest

from {{ cookiecutter.__package }}.config import Config, ConfigError
from {{ cookiecutter.__package }}.ingest import read_corpus
from {{ cookiecutter.__package }}.models import (
    KeywordBaseline,
    build_baselines,
    build_model,
    informative_features,
    positive_scores,
)

SPAM = ["WIN a FREE prize now", "claim your free prize", "free ringtone, text WIN"]
HAM = ["see you at lunch", "ok, on my way", "call me when you are home", "lunch tomorrow?"]


def test_keyword_baseline_learns_spam_words() -> None:
    baseline = KeywordBaseline(n_keywords=3, min_count=2).fit(SPAM + HAM, [1] * 3 + [0] * 4)
    assert set(baseline.keywords_) == {"free", "prize", "win"}
    scores = baseline.predict_proba(["FREE prize inside", "home soon"])[:, 1]
    assert scores[0] > scores[1] == 0
    assert baseline.predict(["a free win"]).tolist() == [1]


@pytest.mark.parametrize("kind", ["logistic_regression", "linear_svm"])
def test_models_separate_the_sample(config: Config, kind: str) -> None:
    frame = read_corpus(config.data).frame
    model = build_model(
        dataclasses.replace(config, model=dataclasses.replace(config.model, kind=kind))
    )
    model.fit(frame["text"].tolist(), frame["y"].to_numpy())
    scores = positive_scores(
        model, ["WINNER!! Claim your £900 prize, call 09061701461", "I'll be home at 7, love you"]
    )
    assert 0.0 <= scores[1] < 0.5 < scores[0] <= 1.0
    features = informative_features(model, 5)
    assert len(features["positive"]) == 5
    assert features["positive"][0][1] > 0 > features["negative"][0][1]
    assert features["positive"][0][0].startswith(("word__", "char__"))


def test_baselines_fit_and_score(config: Config) -> None:
    frame = read_corpus(config.data).frame
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
    chosen = dataclasses.replace(
        config, model=dataclasses.replace(config.model, kind="sentence_embedding")
    )
    with pytest.raises(ConfigError, match=r"pip install -e '\.\[embeddings\]'"):
        build_model(chosen)
