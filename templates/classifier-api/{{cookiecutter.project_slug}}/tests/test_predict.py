import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import TrainedProject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

from {{ cookiecutter.__package }}.calibration import (
    Calibration,
)
from {{ cookiecutter.__package }}.data import (
    FeatureSchema,
    load_split,
    prepare_features,
)
from {{ cookiecutter.__package }}.features import (
    RecordEncoder,
    UnsupportedPipelineError,
)
from {{ cookiecutter.__package }}.modelio import (
    ModelError,
    load_model,
    save_model,
)
from {{ cookiecutter.__package }}.predict import (
    Predictor,
)
from {{ cookiecutter.__package }}.train import (
    candidates,
)


@pytest.fixture(scope="module")
def predictor(trained: TrainedProject) -> Predictor:
    return Predictor.from_folder(trained.config.paths.models)


def records(predictor: Predictor) -> st.SearchStrategy[dict[str, Any]]:
    """Records with realistic and extreme numbers, missing values and unseen categories."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for feature in predictor.schema.features:
        if feature.kind == "numeric":
            fields[feature.name] = st.none() | st.floats(-1e6, 1e6, allow_nan=False)
        else:
            fields[feature.name] = (
                st.none() | st.sampled_from(feature.categories) | st.text(max_size=5)
            )
    return st.fixed_dictionaries(fields)


def test_the_single_record_path_is_used(predictor: Predictor) -> None:
    assert predictor.fast_path


def test_the_single_record_path_matches_the_pipeline(predictor: Predictor) -> None:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(records(predictor))
    def check(record: dict[str, Any]) -> None:
        fast = predictor.score_one(record)
        slow = float(predictor.score_batch([record])[0])
        assert math.isclose(fast, slow, rel_tol=1e-9, abs_tol=1e-12)

    check()


def test_a_batch_scores_like_single_records(predictor: Predictor) -> None:
    rows = predictor.metadata["reference"]["records"][:5]
    singles = [predictor.score_one(r) for r in rows]
    np.testing.assert_allclose(predictor.score_batch(rows), singles, rtol=1e-9)


def test_decisions_follow_the_business_threshold(predictor: Predictor) -> None:
    t = predictor.threshold
    assert predictor.decide(t).decision
    assert not predictor.decide(float(np.nextafter(t, 0))).decision


def test_an_unknown_preprocessor_is_not_compiled(trained: TrainedProject) -> None:
    pipeline = load_model(trained.config.paths.models).pipeline
    with pytest.raises(UnsupportedPipelineError):
        RecordEncoder.compile(pipeline)  # the whole pipeline, not its preprocessor


def test_a_model_that_no_longer_reproduces_its_scores_is_refused(
    trained: TrainedProject,
) -> None:
    loaded = load_model(trained.config.paths.models)
    loaded.metadata["reference"]["probabilities"][0] += 0.01
    with pytest.raises(ModelError, match="no longer reproduces.*make train"):
        Predictor(loaded)


def test_a_boosted_model_gets_an_exact_single_record_path(
    trained: TrainedProject, tmp_path: Path
) -> None:
    config = trained.config
    meta = load_model(config.paths.models).metadata
    schema = FeatureSchema.from_dict(meta["schema"])
    rows = load_split(config, "train")
    x, y = prepare_features(rows, schema), rows[config.target]
    # One OpenMP thread, as in the API: thread start-up dominates on a table this small.
    with threadpool_limits(limits=1, user_api="openmp"):
        pipeline = candidates(schema, 0, config.model.max_categories)["gradient_boosting"].fit(x, y)
    reference = prepare_features(rows.head(10), schema)
    records = [
        {k: (None if pd.isna(v) else v) for k, v in r.items()}
        for r in reference.to_dict(orient="records")
    ]
    metadata = meta | {
        "model_name": "gradient_boosting",
        "reference": {
            "records": records,
            "probabilities": pipeline.predict_proba(reference)[:, 1].tolist(),
        },
    }
    save_model(pipeline, metadata, tmp_path)
    with threadpool_limits(limits=1, user_api="openmp"):
        predictor = Predictor.from_folder(tmp_path)
        assert predictor.fast_path
        for record in [*records, {**records[0], "sex": "unseen", "bmi": None}]:
            expected = predictor.score_batch([record])[0]
            assert predictor.score_one(record) == pytest.approx(expected)


def test_both_paths_serve_the_calibrated_probability(
    trained: TrainedProject, tmp_path: Path
) -> None:
    loaded = load_model(trained.config.paths.models)
    curve = Calibration("sigmoid", slope=0.5, intercept=0.2)
    save_model(loaded.pipeline, loaded.metadata | {"calibration": curve.to_dict()}, tmp_path)
    predictor = Predictor.from_folder(tmp_path)
    rows = predictor.metadata["reference"]["records"][:5]
    raw = np.asarray(predictor.metadata["reference"]["probabilities"][:5])

    expected = curve.apply(raw)

    np.testing.assert_allclose(predictor.score_batch(rows), expected, rtol=1e-9)
    np.testing.assert_allclose([predictor.score_one(r) for r in rows], expected, rtol=1e-9)
    assert not np.allclose(expected, raw)


def test_a_model_without_its_calibration_is_refused(trained: TrainedProject) -> None:
    loaded = load_model(trained.config.paths.models)
    del loaded.metadata["calibration"]
    with pytest.raises(ModelError, match="incomplete.*make train"):
        Predictor(loaded)
