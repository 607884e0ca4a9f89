"""The split holds out the future, keeps cold-start users unseen, and handles short histories."""

from __future__ import annotations

import pandas as pd
import pytest

from {{ cookiecutter.__package }}.config import Config, SplitConfig
from {{ cookiecutter.__package }}.data import load_raw
from {{ cookiecutter.__package }}.split import ROLES, split_interactions


@pytest.fixture
def raw(small_config: Config) -> pd.DataFrame:
    return load_raw(small_config).interactions


def test_every_interaction_gets_exactly_one_known_role(raw: pd.DataFrame) -> None:
    split = split_interactions(raw, SplitConfig(), seed=0)

    assert len(split) == len(raw)
    assert set(split["role"]) <= set(ROLES)


def test_temporal_split_never_trains_on_a_users_future(raw: pd.DataFrame) -> None:
    split = split_interactions(raw, SplitConfig(strategy="temporal"), seed=0)
    train = split[split["role"] == "train"].groupby("user_id")["timestamp"].max()
    test = split[split["role"] == "test"].groupby("user_id")["timestamp"].min()

    both = train.index.intersection(test.index)

    assert len(both) > 0
    assert (train[both] <= test[both]).all()


def test_train_and_test_share_no_user_item_pair(raw: pd.DataFrame) -> None:
    split = split_interactions(raw, SplitConfig(), seed=0)
    pairs = split.set_index(["user_id", "item_id"])["role"]

    train = set(pairs[pairs == "train"].index)
    held_out = set(pairs[pairs.isin(["test", "cold_test"])].index)

    assert not train & held_out


def test_cold_start_users_never_reach_training(raw: pd.DataFrame) -> None:
    config = SplitConfig(cold_start_fraction=0.2, cold_start_known=3)
    split = split_interactions(raw, config, seed=0)
    cold_users = set(split.loc[split["role"] == "cold_test", "user_id"])
    train_users = set(split.loc[split["role"] == "train", "user_id"])

    assert cold_users
    assert not cold_users & train_users
    known = split[split["role"] == "cold_known"].groupby("user_id").size()
    assert (known == 3).all()


def test_cold_start_users_are_judged_on_what_comes_after_their_first_interactions(
    raw: pd.DataFrame,
) -> None:
    split = split_interactions(raw, SplitConfig(cold_start_fraction=0.2), seed=0)
    known = split[split["role"] == "cold_known"].groupby("user_id")["timestamp"].max()
    later = split[split["role"] == "cold_test"].groupby("user_id")["timestamp"].min()

    assert (known[later.index] <= later).all()


def test_users_with_too_little_history_are_trained_on_but_not_evaluated(
    raw: pd.DataFrame,
) -> None:
    counts = raw.groupby("user_id").size()
    short = set(counts[counts < 5].index)
    split = split_interactions(raw, SplitConfig(min_user_interactions=5), seed=0)

    assert short, "the sample should contain users with short histories"
    assert set(split.loc[split["user_id"].isin(short), "role"]) == {"train"}


def test_each_evaluated_user_holds_out_about_the_configured_share(raw: pd.DataFrame) -> None:
    split = split_interactions(raw, SplitConfig(cold_start_fraction=0.0), seed=0)
    per_user = split.groupby("user_id")["role"].agg(lambda r: (r == "test").mean())
    evaluated = per_user[per_user > 0]

    assert evaluated.median() == pytest.approx(0.2, abs=0.05)


def test_random_split_is_seeded_and_differs_from_temporal(raw: pd.DataFrame) -> None:
    config = SplitConfig(strategy="random")

    first = split_interactions(raw, config, seed=5)
    again = split_interactions(raw, config, seed=5)
    temporal = split_interactions(raw, SplitConfig(), seed=5)

    assert first["role"].tolist() == again["role"].tolist()
    assert first["role"].tolist() != temporal["role"].tolist()


def test_a_dataset_where_nobody_can_be_evaluated_is_refused(raw: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="no user has 10000 or more"):
        split_interactions(raw, SplitConfig(min_user_interactions=10_000), seed=0)
