"""The classifiers: two baselines to beat, and the linear models that must beat them.

Every model is a scikit-learn pipeline from raw message text to a spam score in [0, 1], with
normalisation as its first step, so the saved file is the whole path from text to decision.
The majority baseline is what "no model" scores; the keyword baseline is what a careful
afternoon of hand-written rules scores. A model that cannot beat both is not worth shipping.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from .config import Config, ConfigError
from .features import build_features
from .normalise import normalise_many

__all__ = [
    "KeywordBaseline",
    "SentenceEmbedder",
    "build_baselines",
    "build_model",
    "informative_features",
    "positive_scores",
]

# Loaded sentence-embedding models, by name: kept out of the estimator so that the saved
# pipeline holds the model's name, not its weights.
_ENCODERS: dict[str, Any] = {}


def _normaliser() -> FunctionTransformer:
    return FunctionTransformer(normalise_many)


class KeywordBaseline(ClassifierMixin, BaseEstimator):
    """Flag messages by the words most typical of the positive class in the training data.

    The score is the share of the ``n_keywords`` keywords present in a message. Keywords are
    the words with the highest smoothed log-odds of the positive class among words seen in
    at least ``min_count`` training messages: the rule a person would write by looking at
    the data, learnt in a millisecond.
    """

    def __init__(self, n_keywords: int = 20, min_count: int = 3) -> None:
        self.n_keywords = n_keywords
        self.min_count = min_count

    def fit(self, texts: list[str], y: npt.ArrayLike) -> KeywordBaseline:
        """Choose the keywords from ``texts`` labelled ``y`` (1 = positive)."""
        labels = np.asarray(y)
        vectoriser = CountVectorizer(binary=True, min_df=self.min_count)
        counts = vectoriser.fit_transform(texts)
        positive = np.asarray(counts[labels == 1].sum(axis=0)).ravel() + 1.0
        negative = np.asarray(counts[labels == 0].sum(axis=0)).ravel() + 1.0
        log_odds = np.log(positive / positive.sum()) - np.log(negative / negative.sum())
        top = np.argsort(-log_odds, kind="stable")[: self.n_keywords]
        self.keywords_ = vectoriser.get_feature_names_out()[top].tolist()
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, texts: list[str]) -> npt.NDArray[np.float64]:
        """Return ``[1 - score, score]`` per message, score = share of keywords present."""
        vocabulary = {word: i for i, word in enumerate(self.keywords_)}
        matcher = CountVectorizer(binary=True, vocabulary=vocabulary)
        hits = np.asarray(matcher.transform(texts).sum(axis=1)).ravel()
        score = hits / max(1, len(self.keywords_))
        return np.column_stack([1.0 - score, score])

    def predict(self, texts: list[str]) -> npt.NDArray[np.int64]:
        """Flag a message when it holds at least one keyword."""
        return (self.predict_proba(texts)[:, 1] > 0).astype(np.int64)


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Encode messages with a sentence-transformers model (the optional ``embeddings`` extra).

    The model is loaded on first use and cached by name, outside the estimator, so the
    saved pipeline stores only ``model_name``.
    """

    def __init__(self, model_name: str = "sentence-transformers/all-MiniLM-L6-v2") -> None:
        self.model_name = model_name

    def fit(self, texts: list[str], y: object = None) -> SentenceEmbedder:
        """Nothing to learn: the encoder is pre-trained."""
        return self

    def transform(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Return one unit-length embedding per message."""
        if self.model_name not in _ENCODERS:
            _ENCODERS[self.model_name] = _load_encoder(self.model_name)
        encoder = _ENCODERS[self.model_name]
        return np.asarray(encoder.encode(list(texts), normalize_embeddings=True))


def _load_encoder(name: str) -> Any:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as err:
        raise ConfigError(
            'model kind "sentence_embedding" needs the embeddings extra: '
            "pip install -e '.[embeddings]'"
        ) from err
    return SentenceTransformer(name)


def build_model(config: Config) -> Pipeline:
    """Return the unfitted pipeline of the configured kind, from raw text to a spam score.

    Raises:
        ConfigError: ``sentence_embedding`` is chosen without the ``embeddings`` extra.

    """
    kind = config.model.kind
    if kind == "sentence_embedding":
        # Load now, so that a missing extra fails before the earlier stages run.
        if config.model.embedding_model not in _ENCODERS:
            _ENCODERS[config.model.embedding_model] = _load_encoder(config.model.embedding_model)
        return Pipeline(
            [
                ("normalise", _normaliser()),
                ("features", SentenceEmbedder(config.model.embedding_model)),
                ("classifier", LogisticRegression(C=config.model.c, max_iter=2000)),
            ]
        )
    if kind == "linear_svm":
        # A margin is not a probability: calibrate it, so that the threshold is one.
        classifier: BaseEstimator = CalibratedClassifierCV(
            LinearSVC(C=config.model.c), method="sigmoid", cv=3
        )
    else:
        classifier = LogisticRegression(C=config.model.c, max_iter=2000)
    return Pipeline(
        [
            ("normalise", _normaliser()),
            ("features", build_features(config.features)),
            ("classifier", classifier),
        ]
    )


def build_baselines() -> dict[str, Pipeline]:
    """Return the unfitted baselines by name: majority class and keyword rule."""
    return {
        "majority": Pipeline(
            [("normalise", _normaliser()), ("classifier", DummyClassifier(strategy="prior"))]
        ),
        "keywords": Pipeline([("normalise", _normaliser()), ("classifier", KeywordBaseline())]),
    }


def positive_scores(model: Pipeline, texts: list[str]) -> npt.NDArray[np.float64]:
    """Return the positive-class score of each text."""
    classes = list(model.classes_)
    return np.asarray(model.predict_proba(texts)[:, classes.index(1)], dtype=np.float64)


def _coefficients(classifier: Any) -> npt.NDArray[np.float64] | None:
    if isinstance(classifier, CalibratedClassifierCV):
        weights = [c.estimator.coef_.ravel() for c in classifier.calibrated_classifiers_]
        return np.mean(weights, axis=0)
    coef = getattr(classifier, "coef_", None)
    return None if coef is None else np.asarray(coef, dtype=np.float64).ravel()


def informative_features(model: Pipeline, top: int) -> dict[str, list[tuple[str, float]]]:
    """Return the ``top`` features pushing towards each class, with their weights.

    Empty lists when the model has no per-feature weights (sentence embeddings).
    """
    weights = _coefficients(model.named_steps["classifier"])
    features = model.named_steps["features"]
    if weights is None or not hasattr(features, "get_feature_names_out"):
        return {"positive": [], "negative": []}
    names = features.get_feature_names_out()
    order = np.argsort(weights, kind="stable")
    return {
        "positive": [(str(names[i]), float(weights[i])) for i in order[::-1][:top]],
        "negative": [(str(names[i]), float(weights[i])) for i in order[:top]],
    }
