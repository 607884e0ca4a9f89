from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline

from {{ cookiecutter.__package }} import persistence
from {{ cookiecutter.__package }}.models import positive_scores
from {{ cookiecutter.__package }}.train import TrainResult


class Foreign(TransformerMixin, BaseEstimator):
    """A type no trusted list names: a file holding it must be refused."""

    def fit(self, x, y=None):
        return self

    def transform(self, x):
        return x


def test_round_trip_gives_identical_scores(
    trained: TrainResult, sample_config, tmp_path: Path
) -> None:
    persistence.save(trained.model, tmp_path)
    loaded = persistence.load(tmp_path)
    texts = ["Free entry! Text WIN to 80086", "see you at the station"]
    np.testing.assert_array_equal(
        positive_scores(loaded.pipeline, texts), positive_scores(trained.model.pipeline, texts)
    )
    assert loaded.threshold == trained.model.threshold
    assert (loaded.positive_label, loaded.negative_label) == ("spam", "ham")


def test_saved_model_holds_only_trusted_types(trained: TrainResult, sample_config) -> None:
    path = sample_config.models_dir / persistence.MODEL_FILE
    assert set(sio.get_untrusted_types(file=path)) <= persistence.TRUSTED_TYPES


def test_untrusted_types_are_refused(trained: TrainResult, tmp_path: Path) -> None:
    tampered = persistence.TrainedModel(
        pipeline=Pipeline([("foreign", Foreign()), ("model", trained.model.pipeline)]),
        threshold=0.5,
        positive_label="spam",
        negative_label="ham",
        metadata={},
    )
    persistence.save(tampered, tmp_path)
    with pytest.raises(persistence.ModelLoadError, match="Foreign"):
        persistence.load(tmp_path)


def test_missing_model_says_to_train(tmp_path: Path) -> None:
    with pytest.raises(persistence.ModelLoadError, match="make train"):
        persistence.load(tmp_path)
