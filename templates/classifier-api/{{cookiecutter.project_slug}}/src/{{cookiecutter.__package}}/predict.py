"""Score records with the saved model: probability, decision at the business threshold, version.

``Predictor`` is what the API holds. It verifies the model when it is built: the pipeline
must still give the probabilities it gave right after training on the reference rows kept in
its metadata (a different library version or an altered file shows up here, not in a
customer's answer). One record goes through ``features.RecordEncoder`` and the final
estimator directly (for a logistic regression, a dot product and a sigmoid), skipping the
pandas and input-checking overhead of the full pipeline; that path is used only when it
agrees with the pipeline on those same rows. See docs/decisions/0002. Both paths then apply
the calibration chosen on validation (``calibration.py``), so the probability served is the
one the threshold was chosen on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from .calibration import Calibration
from .data import FeatureSchema, prepare_features
from .features import RecordEncoder, UnsupportedPipelineError
from .modelio import LoadedModel, ModelError, load_model

__all__ = ["Prediction", "Predictor"]

log = logging.getLogger(__name__)

# Probabilities are compared with this absolute tolerance: float arithmetic in a different
# order (the single-record path) may differ in the last bits, a different model will not.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Prediction:
    """One scored record."""

    probability: float
    decision: bool


class Predictor:
    """A verified model with its threshold, ready to score records."""

    def __init__(self, loaded: LoadedModel) -> None:
        """Check the model against its reference rows and prepare the single-record path.

        Raises:
            ModelError: the metadata is incomplete or the model no longer reproduces its
                reference probabilities.

        """
        self.pipeline = loaded.pipeline
        self.metadata = loaded.metadata
        try:
            self.schema = FeatureSchema.from_dict(self.metadata["schema"])
            self.threshold = float(self.metadata["threshold"])
            self.version = str(self.metadata["version"])
            self.calibration = Calibration.from_dict(self.metadata["calibration"])
            records = list(self.metadata["reference"]["records"])
            expected = np.asarray(self.metadata["reference"]["probabilities"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as err:
            raise ModelError(f"model metadata is incomplete ({err}): run `make train`") from err
        if list(getattr(self.pipeline, "feature_names_in_", [])) != self.schema.names:
            raise ModelError("the model's features differ from its metadata: run `make train`")
        scores = self._pipeline_scores(records)
        if scores.shape != expected.shape or not np.allclose(scores, expected, atol=_TOLERANCE):
            raise ModelError(
                "the model no longer reproduces the probabilities saved at training time "
                "(a different scikit-learn version?): run `make train`"
            )
        self._fast = self._compile(records, expected)

    @classmethod
    def from_folder(cls, folder: Path) -> Predictor:
        """Load, verify and wrap the model saved in ``folder``.

        Raises:
            ModelError: as ``modelio.load_model`` and ``Predictor()``.

        """
        return cls(load_model(folder))

    def _compile(
        self, records: list[dict[str, Any]], expected: np.ndarray
    ) -> tuple[RecordEncoder, Callable[[np.ndarray], float]] | None:
        try:
            encoder = RecordEncoder.compile(self.pipeline.named_steps["features"])
        except UnsupportedPipelineError as err:
            log.warning("single-record fast path disabled: %s", err)
            return None
        rows = [encoder.encode(r) for r in records]
        for scorer in _scorers(self.pipeline[-1]):
            fast = np.array([scorer(row) for row in rows])
            if np.allclose(fast, expected, atol=_TOLERANCE):
                return encoder, scorer
        log.warning("single-record fast path disabled: it disagrees with the pipeline")
        return None

    @property
    def fast_path(self) -> bool:
        """Whether single records skip the pandas pipeline."""
        return self._fast is not None

    def _pipeline_scores(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        rows = pd.DataFrame.from_records(list(records), columns=self.schema.names)
        frame = prepare_features(rows, self.schema)
        return np.asarray(self.pipeline.predict_proba(frame)[:, 1], dtype=np.float64)

    def score_batch(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Return the calibrated probability of each record, through the full pipeline."""
        return self.calibration.apply(self._pipeline_scores(records))

    def score_one(self, record: Mapping[str, Any]) -> float:
        """Return the calibrated probability of one record, by the fastest exact path."""
        if self._fast is None:
            return float(self.score_batch([record])[0])
        encoder, scorer = self._fast
        return self.calibration.apply_one(scorer(encoder.encode(record)))

    def decide(self, probability: float) -> Prediction:
        """Apply the business threshold: act when the probability is at or above it."""
        return Prediction(probability=probability, decision=probability >= self.threshold)


def _scorers(estimator: Any) -> Iterator[Callable[[np.ndarray], float]]:
    """Yield ways to score one encoded row, the fastest first; the caller keeps the first exact one.

    A binary logistic regression is one dot product and a sigmoid, which NumPy does in
    microseconds; ``predict_proba`` spends hundreds checking its input. Any other estimator
    is scored through its own ``predict_proba`` (still without pandas).
    """
    if isinstance(estimator, LogisticRegression) and estimator.coef_.shape[0] == 1:
        weights, bias = estimator.coef_[0].copy(), float(estimator.intercept_[0])
        yield lambda row: float(expit(row[0] @ weights + bias))
    yield lambda row: float(estimator.predict_proba(row)[0, 1])
