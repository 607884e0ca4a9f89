"""The seeded sample generator is deterministic and gives data of a realistic shape."""

from __future__ import annotations

import pandas as pd
import pytest

from {{ cookiecutter.__package }}.synthetic import generate_sample

from tests.conftest import SMALL


def test_the_same_seed_gives_the_same_sample_and_another_seed_does_not() -> None:
    first, _ = generate_sample(seed=1, shape=SMALL)
    again, _ = generate_sample(seed=1, shape=SMALL)
    other, _ = generate_sample(seed=2, shape=SMALL)

    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate_sample()


def test_popularity_has_a_long_tail(sample: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    counts = sample[0]["item_id"].value_counts()
    head = counts.iloc[: len(counts) // 10].sum()

    assert head / counts.sum() > 0.3


def test_activity_varies_and_some_users_are_too_light_to_evaluate(
    sample: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    per_user = sample[0].groupby("user_id").size()

    assert (per_user < 5).any()
    assert per_user.max() > 4 * per_user.median()


def test_items_are_watched_after_release_and_carry_metadata(
    sample: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    interactions, items = sample
    watched_year = pd.to_datetime(interactions["timestamp"], unit="s").dt.year
    release_year = interactions["item_id"].map(items.set_index("item_id")["year"])

    assert (watched_year >= release_year).all()
    assert items["genres"].str.len().gt(0).all()
    assert items["title"].str.startswith("The ").all()
