"""The split holds out the future for everyone, breaks ties at random, keeps cold start unseen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.__package }}.config import Config, SplitConfig
from {{ cookiecutter.__package }}.data import Dataset, load_raw
from {{ cookiecutter.__package }}.split import PERIODS, split_interactions


@pytest.fixture
def raw(small_config: Config) -> pd.DataFrame:
    return load_raw(small_config).interactions


def _dataset(split: pd.DataFrame, config: SplitConfig) -> Dataset:
    return Dataset.from_split(
        split,
        None,
        min_user_interactions=config.min_user_interactions,
        cold_start_known=config.cold_start_known,
    )


def _timestamps(split: pd.DataFrame, period: str) -> pd.Series:
    return split.loc[split["period"] == period, "timestamp"]


def test_every_interaction_gets_exactly_one_period(raw: pd.DataFrame) -> None:
    split = split_interactions(raw, SplitConfig(), seed=0)

    assert len(split) == len(raw)
    assert set(split["period"]) == set(PERIODS)


def test_the_global_split_cuts_every_user_at_the_same_moments(raw: pd.DataFrame) -> None:
    split = split_interactions(raw, SplitConfig(strategy="global"), seed=0)

    assert _timestamps(split, "train").max() <= _timestamps(split, "validation").min()
    assert _timestamps(split, "validation").max() <= _timestamps(split, "test").min()
    assert (split["period"] == "test").mean() == pytest.approx(0.2, abs=0.01)
    assert (split["period"] == "validation").mean() == pytest.approx(0.1, abs=0.01)


def test_no_model_learns_from_after_the_moment_it_predicts(raw: pd.DataFrame) -> None:
    config = SplitConfig(strategy="global")
    split = split_interactions(raw, config, seed=0)
    dataset = _dataset(split, config)

    for name, period in (("validation", "validation"), ("test", "test")):
        phase = dataset.phase(name)
        rows, cols = phase.fit.nonzero()
        learned = split.set_index(["user_id", "item_id"])["timestamp"].loc[
            list(zip(dataset.user_ids[rows], dataset.item_ids[cols], strict=True))
        ]
        assert learned.max() <= _timestamps(split, period).min()
        assert phase.future_share == 0.0


def test_a_per_user_split_learns_from_other_users_future_and_says_how_much(
    raw: pd.DataFrame,
) -> None:
    config = SplitConfig(strategy="per_user", cold_start_fraction=0.0)
    split = split_interactions(raw, config, seed=0)
    train = split[split["period"] == "train"].groupby("user_id")["timestamp"].max()
    test = split[split["period"] == "test"].groupby("user_id")["timestamp"].min()
    both = train.index.intersection(test.index)

    assert len(both) > 0
    assert (train[both] <= test[both]).all()  # each user's own future is held out...
    assert _dataset(split, config).phase("test").future_share > 0  # ...others' is not


def test_each_evaluated_user_holds_out_about_the_configured_share_per_user(
    raw: pd.DataFrame,
) -> None:
    split = split_interactions(raw, SplitConfig(strategy="per_user"), seed=0)
    per_user = split.groupby("user_id")["period"].agg(lambda r: (r == "test").mean())
    evaluated = per_user[per_user > 0]

    assert evaluated.median() == pytest.approx(0.2, abs=0.05)


def _tied(users: int = 40, items: int = 50) -> pd.DataFrame:
    """Every user interacts with every item at one and the same moment."""
    return pd.DataFrame(
        {
            "user_id": np.repeat([f"u{u}" for u in range(users)], items),
            "item_id": np.tile([f"{i:03d}" for i in range(items)], users),
            "rating": 1.0,
            "timestamp": 1_700_000_000,
        }
    )


@pytest.mark.parametrize("strategy", ["global", "per_user"])
def test_ties_in_time_are_broken_at_random_with_the_seed_never_by_item_id(strategy: str) -> None:
    config = SplitConfig(strategy=strategy, cold_start_fraction=0.0)
    tied = _tied()

    held_out = split_interactions(tied, config, seed=1).query("period == 'test'")["item_id"]
    again = split_interactions(tied, config, seed=1).query("period == 'test'")["item_id"]
    other_seed = split_interactions(tied, config, seed=2).query("period == 'test'")["item_id"]

    # Ordered by id, the test period would be the highest ids only (049, 048, ...).
    ranks = held_out.astype(int)
    assert ranks.mean() == pytest.approx(24.5, abs=3)
    assert ranks.nunique() == 50
    assert held_out.tolist() == again.tolist()
    assert sorted(held_out.tolist()) != sorted(other_seed.tolist())


def test_cold_start_users_never_reach_training_and_know_only_their_first_few(
    raw: pd.DataFrame,
) -> None:
    config = SplitConfig(cold_start_fraction=0.2, cold_start_known=3)
    split = split_interactions(raw, config, seed=0)
    dataset = _dataset(split, config)
    withheld = set(split.loc[split["withheld"], "user_id"])

    assert withheld
    for name in ("validation", "test"):
        phase = dataset.phase(name)
        fitted_users = set(dataset.user_ids[np.flatnonzero(phase.fit.getnnz(axis=1))])
        assert not withheld & fitted_users
        cold = phase.cold
        assert set(dataset.user_ids[cold.users]) >= withheld & set(
            split.loc[split["period"] == name, "user_id"]
        )
        assert (cold.history.getnnz(axis=1) == 3).all()
        # Whole histories are longer for the withheld, and no target is already known.
        full = cold.full_history.getnnz(axis=1)
        assert (full[cold.withheld] > 3).all()
        assert not cold.targets.multiply(cold.full_history).nnz


def test_users_first_seen_in_the_test_period_are_cold_start_users() -> None:
    tied = _tied(users=4, items=10)
    late = pd.DataFrame(
        {
            "user_id": "newcomer",
            "item_id": [f"{i:03d}" for i in range(8)],
            "rating": 1.0,
            "timestamp": 1_800_000_000 + np.arange(8),
        }
    )
    # 48 interactions: the test period is the last 10, all of the newcomer's 8 among them.
    config = SplitConfig(cold_start_fraction=0.0, test_fraction=0.2, min_user_interactions=5)
    split = split_interactions(pd.concat([tied, late], ignore_index=True), config, seed=0)

    phase = _dataset(split, config).phase("test")

    assert phase.new_users == 1
    assert phase.cold.size == 1 and not phase.cold.withheld.any()
    assert phase.cold.history.nnz == 3
    assert phase.cold.targets.nnz == 8 - 3


def test_users_with_too_little_history_are_not_judged(raw: pd.DataFrame) -> None:
    counts = raw.groupby("user_id").size()
    short = set(counts[counts < 5].index)
    config = SplitConfig(min_user_interactions=5)
    split = split_interactions(raw, config, seed=0)
    dataset = _dataset(split, config)
    judged = set(dataset.user_ids[dataset.phase("test").warm.users])

    assert short, "the sample should contain users with short histories"
    assert judged and not short & judged


def test_random_split_is_seeded_and_differs_from_the_global_one(raw: pd.DataFrame) -> None:
    config = SplitConfig(strategy="random")

    first = split_interactions(raw, config, seed=5)
    again = split_interactions(raw, config, seed=5)
    global_split = split_interactions(raw, SplitConfig(), seed=5)

    assert first["period"].tolist() == again["period"].tolist()
    assert first["period"].tolist() != global_split["period"].tolist()


def test_a_dataset_where_nobody_can_be_evaluated_is_refused(raw: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="no user has 10000 or more"):
        split_interactions(raw, SplitConfig(min_user_interactions=10_000), seed=0)


def test_a_cut_that_leaves_nobody_on_both_sides_is_refused() -> None:
    # Each user's whole history sits on one day, a different day per user.
    frame = _tied(users=5, items=6).assign(
        timestamp=lambda f: 1_700_000_000 + f["user_id"].str[1:].astype(int) * 86_400
    )

    with pytest.raises(ValueError, match='split.strategy = "per_user"'):
        split_interactions(frame, SplitConfig(test_fraction=0.3), seed=0)
