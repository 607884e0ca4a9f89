"""The classifiers: two baselines to beat, and the linear models that must beat them.

Every model is a scikit-learn pipeline from raw text to one probability per class, with
normalisation as its first step, so the saved file is the whole path from text to decision.
The majority baseline is what "no model" scores; the keyword baseline is what a careful
afternoon of hand-written rules scores. A model that cannot beat both is not worth shipping.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
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
    "class_probabilities",
    "feature_weights",
    "informative_features",
    "positive_scores",
    "with_c",
]

# Loaded sentence-embedding models, by name: kept out of the estimator so that the saved
# pipeline holds the model's name, not its weights.
_ENCODERS: dict[str, Any] = {}


def _normaliser() -> FunctionTransformer:
    return FunctionTransformer(normalise_many)


class KeywordBaseline(ClassifierMixin, BaseEstimator):
    """Assign texts by the words most typical of each class in the training data.

    Keywords of a class are the ``n_keywords`` words with the highest smoothed log-odds of that
    class against all others, among words seen in at least ``min_count`` training texts: the
    rule a person would write by looking at the data, learnt in a millisecond. With two
    classes only the positive class (code 1) has keywords and the score is the share of them
    present, so a threshold can be chosen on it; with more, each class scores the share of its
    own keywords present and a text without any gets the class shares of the training data.
    """

    def __init__(self, n_keywords: int = 20, min_count: int = 3) -> None:
        self.n_keywords = n_keywords
        self.min_count = min_count

    def fit(self, texts: list[str], y: npt.ArrayLike) -> KeywordBaseline:
        """Choose the keywords of each class from ``texts`` labelled ``y`` (class codes)."""
        labels = np.asarray(y)
        self.classes_ = np.unique(labels)
        vectoriser = CountVectorizer(binary=True, min_df=self.min_count)
        counts = vectoriser.fit_transform(texts)
        names = vectoriser.get_feature_names_out()
        scored = self.classes_[1:] if self.classes_.size == 2 else self.classes_
        self.keywords_ = []
        for cls in scored:
            inside = np.asarray(counts[labels == cls].sum(axis=0)).ravel() + 1.0
            outside = np.asarray(counts[labels != cls].sum(axis=0)).ravel() + 1.0
            log_odds = np.log(inside / inside.sum()) - np.log(outside / outside.sum())
            top = np.argsort(-log_odds, kind="stable")[: self.n_keywords]
            self.keywords_.append(names[top].tolist())
        self.prior_ = np.array([np.mean(labels == cls) for cls in self.classes_])
        return self

    def _shares(self, texts: list[str]) -> npt.NDArray[np.float64]:
        """Return, per text and scored class, the share of that class's keywords present."""
        shares = []
        for keywords in self.keywords_:
            matcher = CountVectorizer(
                binary=True, vocabulary={w: i for i, w in enumerate(keywords)}
            )
            hits = np.asarray(matcher.transform(texts).sum(axis=1)).ravel()
            shares.append(hits / max(1, len(keywords)))
        return np.column_stack(shares)

    def predict_proba(self, texts: list[str]) -> npt.NDArray[np.float64]:
        """Return one score per class and text, each row summing to 1."""
        shares = self._shares(texts)
        if self.classes_.size == 2:
            return np.column_stack([1.0 - shares[:, 0], shares[:, 0]])
        # The prior, scaled far below one keyword's share, only breaks ties and empty rows.
        scores = shares + 1e-6 * self.prior_
        return scores / scores.sum(axis=1, keepdims=True)

    def predict(self, texts: list[str]) -> npt.NDArray[np.int64]:
        """Return the class with the most keywords (two classes: the positive one on any)."""
        if self.classes_.size == 2:
            return np.where(self._shares(texts)[:, 0] > 0, self.classes_[1], self.classes_[0])
        return self.classes_[np.argmax(self.predict_proba(texts), axis=1)]


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Encode texts with a sentence-transformers model (the optional ``embeddings`` extra).

    The model is loaded on first use and cached by name, outside the estimator, so the
    saved pipeline stores only ``model_name``.
    """

    def __init__(self, model_name: str = "sentence-transformers/all-MiniLM-L6-v2") -> None:
        self.model_name = model_name

    def fit(self, texts: list[str], y: object = None) -> SentenceEmbedder:
        """Nothing to learn: the encoder is pre-trained."""
        return self

    def transform(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Return one unit-length embedding per text."""
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


def build_model(config: Config, *, C: float | None = None) -> Pipeline:  # noqa: N803
    """Return the unfitted pipeline of the configured kind, from raw text to class scores.

    ``C`` is the regularisation strength; it may be left out when ``[model] C`` is one number.

    Raises:
        ConfigError: ``sentence_embedding`` is chosen without the ``embeddings`` extra.
        ValueError: ``C`` is left out although the config lists candidates to tune.

    """
    if C is None:
        if config.model.tuned:
            raise ValueError("[model] C lists candidates: pass the value tuning chose")
        C = config.model.C[0]  # noqa: N806
    kind = config.model.kind
    if kind == "sentence_embedding":
        # Load now, so that a missing extra fails before the earlier stages run.
        if config.model.embedding_model not in _ENCODERS:
            _ENCODERS[config.model.embedding_model] = _load_encoder(config.model.embedding_model)
        return Pipeline(
            [
                ("normalise", _normaliser()),
                ("features", SentenceEmbedder(config.model.embedding_model)),
                ("classifier", LogisticRegression(C=C, max_iter=2000)),
            ]
        )
    if kind == "linear_svm":
        # A margin is not a probability: calibrate it, so that the threshold is one.
        classifier: BaseEstimator = CalibratedClassifierCV(LinearSVC(C=C), method="sigmoid", cv=3)
    else:
        classifier = LogisticRegression(C=C, max_iter=2000)
    return Pipeline(
        [
            ("normalise", _normaliser()),
            ("features", build_features(config.features)),
            ("classifier", classifier),
        ]
    )


def with_c(classifier: BaseEstimator, C: float) -> BaseEstimator:  # noqa: N803
    """Return an unfitted copy of ``classifier`` (a pipeline's last step) with strength ``C``."""
    name = "estimator__C" if isinstance(classifier, CalibratedClassifierCV) else "C"
    return clone(classifier).set_params(**{name: C})


def build_baselines() -> dict[str, Pipeline]:
    """Return the unfitted baselines by name: majority class and keyword rule."""
    return {
        "majority": Pipeline(
            [("normalise", _normaliser()), ("classifier", DummyClassifier(strategy="prior"))]
        ),
        "keywords": Pipeline([("normalise", _normaliser()), ("classifier", KeywordBaseline())]),
    }


def class_probabilities(model: Any, texts: Any, n_classes: int) -> npt.NDArray[np.float64]:
    """Return an ``(n_texts, n_classes)`` array: column ``i`` is the probability of class ``i``.

    ``texts`` are what ``model`` reads: raw texts for a pipeline, features for a classifier.
    A model fitted on data lacking a class has no column for it; that class gets 0. Rows are
    renormalised in ``float64``: a classifier fitted on the ``float32`` features answers in
    ``float32``, whose rows sum to one only to seven digits.
    """
    raw = np.asarray(model.predict_proba(texts), dtype=np.float64)
    raw /= raw.sum(axis=1, keepdims=True)
    out = np.zeros((raw.shape[0], n_classes), dtype=np.float64)
    out[:, np.asarray(model.classes_, dtype=np.int64)] = raw
    return out


def positive_scores(model: Any, texts: list[str]) -> npt.NDArray[np.float64]:
    """Return the score of class 1 (the positive class of a binary model) for each text."""
    return class_probabilities(model, texts, 2)[:, 1]


def _coefficients(classifier: Any) -> npt.NDArray[np.float64] | None:
    """Return the classifier's weights, one row per class (one row in all for two classes)."""
    if isinstance(classifier, CalibratedClassifierCV):
        weights = [np.atleast_2d(c.estimator.coef_) for c in classifier.calibrated_classifiers_]
        return np.mean(weights, axis=0)
    coef = getattr(classifier, "coef_", None)
    return None if coef is None else np.atleast_2d(np.asarray(coef, dtype=np.float64))


def feature_weights(
    model: Pipeline,
) -> tuple[npt.NDArray[Any], npt.NDArray[np.float64]] | None:
    """Return the features' names and the classifier's weights on them, or None.

    The weights have one row per class, or one row in all for two classes (towards the
    positive class). None when the model has no per-feature weights (sentence embeddings).
    """
    weights = _coefficients(model.named_steps["classifier"])
    features = model.named_steps["features"]
    if weights is None or not hasattr(features, "get_feature_names_out"):
        return None
    return np.asarray(features.get_feature_names_out()), weights


def informative_features(
    model: Pipeline, classes: tuple[str, ...], top: int
) -> dict[str, list[tuple[str, float]]]:
    """Return, per class name, the ``top`` features pushing towards it, with their weights.

    With two classes the model has one weight per feature: positive weights push towards the
    positive class, negative ones towards the other. Empty when the model has no per-feature
    weights (sentence embeddings).
    """
    found = feature_weights(model)
    if found is None:
        return {name: [] for name in classes}
    names, weights = found
    rows = [-weights[0], weights[0]] if weights.shape[0] == 1 else list(weights)

    def strongest(row: npt.NDArray[np.float64]) -> list[tuple[str, float]]:
        order = np.argsort(-row, kind="stable")[:top]
        return [(str(names[i]), float(row[i])) for i in order if row[i] > 0]

    return {name: strongest(row) for name, row in zip(classes, rows, strict=True)}
