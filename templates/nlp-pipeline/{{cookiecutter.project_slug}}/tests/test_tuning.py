"""C is tuned on folds of the training part alone, and the folds keep duplicate groups whole."""

import numpy as np
import pytest
from corpora import TOPICS, write_topics
from sklearn.model_selection import StratifiedGroupKFold

from {{ cookiecutter.__package }}.config import Config, ConfigError
from {{ cookiecutter.__package }}.ingest import read_corpus
from {{ cookiecutter.__package }}.tuning import tune_c


def _with_c(config: Config, *candidates: float, folds: int = 3) -> Config:
    model = config.model.model_copy(update={"C": candidates, "tuning_folds": folds})
    return config.model_copy(update={"model": model})


def _corpus(config: Config) -> tuple[list[str], np.ndarray]:
    frame = read_corpus(config.data, config.labels).frame
    return frame["text"].tolist(), frame["y"].to_numpy()


def test_the_candidate_of_lowest_held_out_log_loss_is_chosen(config: Config) -> None:
    texts, y = _corpus(config)
    groups = np.arange(len(texts))
    tuning = tune_c(_with_c(config, 0.01, 30.0), texts, y, groups, 2)
    assert tuning.folds == 3
    losses = {row["C"]: row["log_loss"] for row in tuning.candidates}
    assert tuning.chosen == min(losses, key=losses.get)
    # A C that regularises everything away cannot be the better one on this sample.
    assert tuning.chosen == 30.0
    assert all(len(row["per_fold"]) == 3 for row in tuning.candidates)


def test_a_fixed_c_is_not_tuned(config: Config) -> None:
    tuning = tune_c(_with_c(config, 20.0), ["unused"], np.array([0]), np.array([0]), 2)
    assert (tuning.chosen, tuning.folds, tuning.candidates) == (20.0, 0, ())


def test_no_held_out_fold_shares_a_group_with_its_training_folds(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts, y = _corpus(config)
    groups = np.arange(len(texts)) // 4  # texts in fours, as near duplicates would be
    seen = []
    split = StratifiedGroupKFold.split

    def spy(self, x, labels, group_ids):
        for inside, held_out in split(self, x, labels, group_ids):
            seen.append(set(group_ids[inside]) & set(group_ids[held_out]))
            yield inside, held_out

    monkeypatch.setattr(StratifiedGroupKFold, "split", spy)
    tune_c(_with_c(config, 1.0, 10.0), texts, y, groups, 2)
    assert len(seen) == 3 and all(not shared for shared in seen)


def test_a_class_in_a_single_group_cannot_be_tuned(config: Config) -> None:
    texts, y = _corpus(config)
    groups = np.where(y == 1, -1, np.arange(len(texts)))
    with pytest.raises(ConfigError, match="set \\[model\\] C to one number"):
        tune_c(_with_c(config, 1.0, 10.0), texts, y, groups, 2)


def test_three_classes_are_tuned_with_their_own_log_loss(topics_config: Config, tmp_path) -> None:
    write_topics(tmp_path / "tickets.csv", per_class=40)
    data = topics_config.data.model_copy(update={"path": tmp_path / "tickets.csv"})
    config = _with_c(topics_config.model_copy(update={"data": data}), 0.1, 10.0, folds=2)
    texts, y = _corpus(config)
    tuning = tune_c(config, texts, y, np.arange(len(texts)), len(TOPICS))
    assert {row["C"] for row in tuning.candidates} == {0.1, 10.0}
    assert all(row["log_loss"] > 0 for row in tuning.candidates)
