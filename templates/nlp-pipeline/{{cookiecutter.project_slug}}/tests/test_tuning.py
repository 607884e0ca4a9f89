"""C is tuned on folds of the training part alone, and the folds keep duplicate groups whole."""

import numpy as np
import pytest
from corpora import TOPICS, write_topics

from {{ cookiecutter.__package }} import tuning as tuning_module
from {{ cookiecutter.__package }}.config import Config, ConfigError
from {{ cookiecutter.__package }}.ingest import read_corpus
from {{ cookiecutter.__package }}.split import group_folds
from {{ cookiecutter.__package }}.tuning import tune_c, tuning_sample


def _with_c(config: Config, *candidates: float, folds: int = 3, texts: int | str = "all") -> Config:
    update = {"C": candidates, "tuning_folds": folds, "tuning_texts": texts}
    model = config.model.model_copy(update=update)
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

    def spy(labels, group_ids, folds, seed):
        fold_of = group_folds(labels, group_ids, folds, seed)
        for fold in range(folds):
            inside, held_out = fold_of != fold, fold_of == fold
            seen.append(set(group_ids[inside]) & set(group_ids[held_out]))
        return fold_of

    monkeypatch.setattr(tuning_module, "group_folds", spy)
    tune_c(_with_c(config, 1.0, 10.0), texts, y, groups, 2)
    assert len(seen) == 3 and all(not shared for shared in seen)


def test_folds_keep_groups_whole_and_share_each_class_evenly() -> None:
    y = np.repeat([0, 1], [600, 200])
    groups = np.arange(800) // 2  # pairs of near duplicates, each pair of one class
    fold_of = group_folds(y, groups, 4, seed=7)
    assert all(np.unique(fold_of[groups == g]).size == 1 for g in range(400))
    for code, count in ((0, 600), (1, 200)):
        per_fold = np.bincount(fold_of[y == code], minlength=4)
        assert np.abs(per_fold - count / 4).max() <= 2  # to within one group of two texts
    assert np.array_equal(fold_of, group_folds(y, groups, 4, seed=7))


def test_above_tuning_texts_c_is_tuned_on_a_seeded_sample_of_whole_groups(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts, y = _corpus(config)
    # Texts of one class in threes, as near duplicates would be.
    groups = np.empty(len(texts), dtype=np.int64)
    for code in (0, 1):
        where = np.flatnonzero(y == code)
        groups[where] = code * len(texts) + np.arange(where.size) // 3
    limit = len(texts) // 2
    tuned_on = []

    def spy(labels, group_ids, folds, seed):
        tuned_on.append(group_ids.copy())
        return group_folds(labels, group_ids, folds, seed)

    monkeypatch.setattr(tuning_module, "group_folds", spy)
    tuning = tune_c(_with_c(config, 1.0, 10.0, texts=limit), texts, y, groups, 2)
    sample = tuning_sample(y, groups, limit, config.seed + 2)
    assert sample is not None and np.array_equal(tuned_on[0], groups[sample])
    assert tuning.sampled and tuning.sample_seed == config.seed + 2
    assert (tuning.texts, tuning.of) == (sample.size, len(texts))
    assert abs(sample.size - limit) <= 3 * 2  # about the limit, to within a group per class
    # Whole groups: every group is in the sample with all its texts, or not at all.
    inside = np.isin(groups, groups[sample])
    assert np.array_equal(np.flatnonzero(inside), sample)
    # Each class keeps its share, to within a group.
    for code in (0, 1):
        share = np.mean(y[sample] == code)
        assert abs(share - np.mean(y == code)) < 6 / sample.size
    # Seeded: the same sample every time.
    assert np.array_equal(sample, tuning_sample(y, groups, limit, config.seed + 2))
    assert tuning.to_dict()["sampled"] is True


def test_at_or_below_tuning_texts_or_with_all_c_is_tuned_on_every_text(config: Config) -> None:
    texts, y = _corpus(config)
    groups = np.arange(len(texts))
    assert tuning_sample(y, groups, len(texts), 0) is None
    assert tuning_sample(y, groups, "all", 0) is None
    tuning = tune_c(_with_c(config, 1.0, 10.0), texts, y, groups, 2)
    assert not tuning.sampled and (tuning.texts, tuning.of) == (len(texts), len(texts))
    assert tuning.to_dict()["sample_seed"] is None


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
