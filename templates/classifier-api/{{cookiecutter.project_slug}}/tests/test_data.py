from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE, TrainedProject, write_config
from sklearn.datasets import load_diabetes

from {{ cookiecutter.__package }} import (
    data,
)
from {{ cookiecutter.__package }}.config import (
    ConfigError,
    load_config,
)


def test_the_sample_is_scikit_learns_diabetes_data_as_its_datasheet_says() -> None:
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


def _load(tmp_path: Path, **changes: Any) -> data.Prepared:
    config = load_config(write_config(tmp_path, **changes))
    return data.prepare(data.load_raw(config)[0], config)


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
    prepared = _load(
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
        value_labels={},
    )
    table = prepared.table
    assert list(table.columns) == ["age", "workclass", "sex", "hours", "income"]
    assert table["income"].tolist() == [0, 1, 0, 1]
    assert table["workclass"].isna().tolist() == [False, True, False, False]
    assert table["hours"].isna().tolist() == [False, False, True, False]
    assert table["sex"].tolist() == ["Male", "Female", "Female", "Male"]


def _coded_file(path: Path, rows: int = 60) -> Path:
    """A headerless space-separated file of codes with labels 1/2, like the German credit data."""
    rng = np.random.default_rng(3)
    lines = []
    for i in range(rows):
        status = rng.choice(["A11", "A12", "A14"])
        sex = rng.choice(["A91", "A92", "A93"])
        risk = 2 if (status == "A11") ^ (i % 5 == 0) else 1
        lines.append(f"{status} {rng.integers(6, 60)} {sex} {rng.integers(250, 9000)} {risk}")
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def test_coded_values_are_shown_by_their_names(tmp_path: Path) -> None:
    prepared = _load(
        tmp_path,
        data__path=str(_coded_file(tmp_path / "credit.data")),
        data__csv={"header": False, "column_names": ["status", "months", "sex", "amount", "risk"]},
        target="risk",
        positive_label=2,
        categorical_columns=[],
        subgroup_columns=["sex"],
        value_labels={
            "status": {"A11": "no account", "A12": "low balance", "A14": "no checking"},
            "sex": {"A91": "male divorced", "A92": "female", "A93": "male single"},
        },
    )
    assert set(prepared.table["status"]) == {"no account", "low balance", "no checking"}
    assert set(prepared.table["sex"]) == {"male divorced", "female", "male single"}
    assert prepared.table["risk"].isin([0, 1]).all() and prepared.table["risk"].sum() > 0
    assert [n.check for n in prepared.notes] == ["value_labels", "value_labels"]


def _semicolon_export(path: Path, rows: int = 60) -> Path:
    """A semicolon export with a BOM, decimal commas, an ID column and a constant column."""
    rng = np.random.default_rng(4)
    lines = ["Customer ID;Tenure (months);Monthly charge;Country;Plan;Churn"]
    for i in range(rows):
        charge = f"{rng.uniform(20, 110):.2f}".replace(".", ",")
        churn = "" if i == 7 else rng.choice(["Yes", "No"])
        lines.append(f"C{i:05d};{rng.integers(1, 72)};{charge};DE;{rng.choice(['A', 'B'])};{churn}")
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    return path


def test_an_export_is_checked_and_each_finding_noted(tmp_path: Path) -> None:
    prepared = _load(
        tmp_path,
        data__path=str(_semicolon_export(tmp_path / "churn.csv")),
        target="Churn",
        positive_label="Yes",
        categorical_columns=[],
        subgroup_columns=["Plan"],
        value_labels={},
    )
    assert prepared.features == ("Tenure (months)", "Monthly charge", "Plan")
    assert prepared.table["Monthly charge"].dtype == np.float64
    assert len(prepared.table) == 59
    checks = {n.check: n.columns for n in prepared.notes}
    assert checks == {
        "missing_target": ("Churn",),
        "decimal_comma": ("Monthly charge",),
        "constant": ("Country",),
        "id_like": ("Customer ID",),
    }


def test_parquet_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "table.parquet"
    pd.read_csv(SAMPLE).to_parquet(path)
    config = load_config(write_config(tmp_path, data__path=str(path)))
    frame, reading = data.load_raw(config)
    assert len(frame) == 442 and reading == {"format": "Parquet"}
    # Parquet keeps sex as integers; the labels still apply, compared as text.
    assert set(data.prepare(frame, config).table["sex"]) == {"group one", "group two"}


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
    assert len(data.load_raw(config)[0]) == 442
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
    assert data.describe_source(config) == "OpenML dataset 'diabetes-sample' (version 2)"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target": "outcome"}, r"target names column 'outcome'.*available columns: age, sex"),
        ({"subgroup_columns": ["race"]}, r"subgroup_columns names column 'race'"),
        ({"value_labels": {"colour": {"1": "red"}}}, r"value_labels names column 'colour'"),
        ({"quality": {"keep_columns": ["id"]}}, r"quality.keep_columns names column 'id'"),
        ({"positive_label": "yes"}, r"positive_label 'yes' never occurs.*values seen: high, low"),
    ],
)
def test_data_errors_name_the_key_and_what_exists(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, **changes)


def test_a_header_row_that_is_data_is_pointed_out(tmp_path: Path) -> None:
    path = _coded_file(tmp_path / "credit.data")
    with pytest.raises(ConfigError, match="the first row looks like data: set data.csv.header"):
        _load(tmp_path, data__path=str(path), target="risk", value_labels={}, subgroup_columns=[])


def test_a_missing_data_file_says_which_path(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, data__path="nowhere.csv"))
    with pytest.raises(ConfigError, match="data.path: no file at nowhere.csv"):
        data.load_raw(config)


def test_the_splits_are_disjoint_stratified_and_reproducible(trained: TrainedProject) -> None:
    config = trained.config
    splits = {name: data.load_split(config, name) for name in data.SPLITS}
    assert sum(len(s) for s in splits.values()) == 442
    rates = [s[config.target].mean() for s in splits.values()]
    assert max(rates) - min(rates) < 0.03
    again = data.split_table(data.prepare(data.load_raw(config)[0], config).table, config)
    pd.testing.assert_frame_equal(again.test, splits["test"], check_dtype=False)


def test_the_schema_describes_what_a_request_may_hold(trained: TrainedProject) -> None:
    summary = data.load_summary(trained.config)
    schema = data.FeatureSchema.from_dict(summary["schema"])
    assert "progression" not in schema.names
    assert schema.categorical == ["sex"]
    assert len(schema.numeric) == 9
    sex = next(f for f in schema.features if f.name == "sex")
    assert (sex.categories, sex.closed) == (("group one", "group two"), True)
    assert sex.codes == {"1": "group one", "2": "group two"}
    age = next(f for f in schema.features if f.name == "age")
    assert age.seen is not None and age.bounds is not None
    assert age.bounds[0] == 0 <= age.seen[0] and age.seen[1] < age.bounds[1]
    assert isinstance(age.example, int)
    assert summary["reading"]["delimiter"] == ","


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(19, 79, (0, 109)), (-5.0, 5.0, (-10.0, 10.0)), (3.0, 3.0, (1.5, 4.5)), (0, 0, (0, 0.5))],
)
def test_request_bounds_widen_the_training_range(
    low: float, high: float, expected: tuple[float, float]
) -> None:
    assert data.request_bounds(low, high) == pytest.approx(expected)


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
    assert pd.isna(prepared["c"].iloc[1])
