from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT, TrainedProject, write_config
from sklearn.datasets import load_diabetes

from {{ cookiecutter.__package }} import data
from {{ cookiecutter.__package }}.config import ConfigError, load_config

SAMPLE = PROJECT / "data" / "sample" / "diabetes.csv"


def test_the_sample_is_scikit_learns_diabetes_data_as_the_datasheet_says() -> None:
    sample = pd.read_csv(SAMPLE, dtype={"sex": "str"})
    source = load_diabetes(scaled=False, as_frame=True).frame
    renamed = {
        "bp": "blood_pressure",
        "s1": "total_cholesterol",
        "s2": "ldl",
        "s3": "hdl",
        "s4": "cholesterol_hdl_ratio",
        "s5": "log_triglycerides",
        "s6": "blood_sugar",
    }
    assert len(sample) == len(source) == 442
    for old, new in [("age", "age"), ("bmi", "bmi"), *renamed.items()]:
        np.testing.assert_allclose(sample[new], source[old], err_msg=new)
    assert (sample["sex"] == source["sex"].astype(int).astype(str)).all()
    expected = np.where(source["target"] > 140, "high", "low")
    assert (sample["progression"] == expected).all()


def _adult_style_csv(path: Path) -> Path:
    # The layout of UCI Adult: no header, ", " separators, "?" for missing values.
    path.write_text(
        "39, State-gov, Male, 40, <=50K\n"
        "50, ?, Female, 13, >50K\n"
        "38, Private, Female, ?, <=50K\n"
        "53, Private, Male, 40, >50K\n",
        encoding="utf-8",
    )
    return path


def test_a_csv_without_header_is_read_with_the_configured_names(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path,
            data__path=str(_adult_style_csv(tmp_path / "adult.data")),
            data__csv={
                "header": False,
                "column_names": ["age", "workclass", "sex", "hours", "income"],
                "missing_values": ["?"],
            },
            target="income",
            positive_label=">50K",
            categorical_columns=[],
            subgroup_columns=["sex"],
        )
    )
    table = data.prepare_table(data.load_raw(config), config)
    assert list(table.columns) == ["age", "workclass", "sex", "hours", "income"]
    assert table["income"].tolist() == [0, 1, 0, 1]
    assert table["workclass"].isna().tolist() == [False, True, False, False]
    assert table["hours"].isna().tolist() == [False, False, True, False]
    assert table["sex"].tolist() == ["Male", "Female", "Female", "Male"]


def test_parquet_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "table.parquet"
    pd.read_csv(SAMPLE).to_parquet(path)
    config = load_config(write_config(tmp_path, data__path=str(path)))
    assert len(data.load_raw(config)) == 442


def test_openml_is_fetched_through_scikit_learn_into_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def fake_fetch_openml(**kwargs: Any) -> Any:
        calls.append(kwargs)

        class Bunch:
            frame = pd.read_csv(SAMPLE)

        return Bunch()

    # The real function would download; this one records how it was called.
    monkeypatch.setattr("sklearn.datasets.fetch_openml", fake_fetch_openml)
    config = load_config(
        write_config(
            tmp_path, data__source="openml", data__openml={"name": "diabetes-sample", "version": 2}
        )
    )
    assert len(data.load_raw(config)) == 442
    assert calls == [
        {
            "name": "diabetes-sample",
            "version": 2,
            "data_id": None,
            "data_home": str(tmp_path / "data" / "raw" / "openml"),
            "as_frame": True,
            "parser": "auto",
        }
    ]
    assert (tmp_path / "data" / "raw" / "openml").is_dir()
    assert data.describe_source(config) == "OpenML dataset 'diabetes-sample' (version 2)"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target": "outcome"}, r"target names column 'outcome'.*available columns: age, sex"),
        ({"subgroup_columns": ["race"]}, r"subgroup_columns names column 'race'"),
        ({"positive_label": "yes"}, r"positive_label 'yes' never occurs.*values seen: high, low"),
    ],
)
def test_data_errors_name_the_key_and_what_exists(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    config = load_config(write_config(tmp_path, **changes))
    with pytest.raises(ConfigError, match=message):
        data.prepare_table(data.load_raw(config), config)


def test_a_missing_data_file_says_which_path(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, data__path="nowhere.csv"))
    with pytest.raises(ConfigError, match="no file at .*nowhere.csv"):
        data.load_raw(config)


def test_the_splits_are_disjoint_stratified_and_reproducible(trained: TrainedProject) -> None:
    config = trained.config
    splits = {name: data.load_split(config, name) for name in data.SPLITS}
    assert sum(len(s) for s in splits.values()) == 442
    rates = [s[config.target].mean() for s in splits.values()]
    assert max(rates) - min(rates) < 0.03
    again = data.split_table(data.prepare_table(data.load_raw(config), config), config)
    pd.testing.assert_frame_equal(again.test, splits["test"], check_dtype=False)


def test_the_schema_describes_each_feature(trained: TrainedProject) -> None:
    summary = data.load_summary(trained.config)
    schema = data.FeatureSchema.from_dict(summary["schema"])
    assert "progression" not in schema.names
    assert schema.categorical == ["sex"]
    assert len(schema.numeric) == 9
    sex = next(f for f in schema.features if f.name == "sex")
    assert sex.categories == ("1", "2")


def test_features_are_prepared_the_same_whatever_the_source() -> None:
    schema = data.FeatureSchema(
        (data.Feature("x", "numeric", 1.0), data.Feature("c", "categorical", "a", ("a",)))
    )
    frame = pd.DataFrame({"x": ["1.5", None], "c": pd.Series(["a", None], dtype="str")})
    prepared = data.prepare_features(frame, schema)
    assert prepared["x"].dtype == np.float64
    assert np.isnan(prepared["x"].iloc[1])
    assert prepared["c"].dtype == object
    assert prepared["c"].iloc[0] == "a"
    assert np.isnan(prepared["c"].iloc[1])
