"""Split interactions in time, so that evaluation asks what production asks: what happens next.

Every interaction gets a ``period``: ``train`` (models learn from it), ``validation`` (what
is tuned is chosen on it) or ``test`` (touched once, by the evaluate stage).

- ``global`` (default): one moment in time cuts every user alike. The latest
  ``test_fraction`` of all interactions is the test period and the ``validation_fraction``
  before it the validation period, so no model ever learns from anything that happened after
  the moment it is asked to predict, whoever did it.
- ``per_user``: each user's own latest interactions are held out. Other users' later
  interactions stay in training, so a model learns from the future of the users it is judged
  on; kept because many papers use it and it needs fewer users.
- ``random``: a random share of each user's interactions, the optimistic textbook setting.

Interactions at the same timestamp are ordered at random with the seed, never by item id:
ids often follow popularity (the oldest, best-known items have the lowest ids), so an id
order would put popular or unpopular items on one side of every tie.

A seeded share of users is withheld from every period's training (``withheld``): the
cold-start users, who are judged as if they had just signed up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.__package }}.config import SplitConfig

__all__ = ["PERIODS", "split_interactions"]

PERIODS = ("train", "validation", "test")


def _global_periods(n_rows: int, config: SplitConfig) -> np.ndarray:
    """Periods by position in the global time order: the latest rows are test."""
    n_test = max(1, round(config.test_fraction * n_rows))
    n_validation = max(1, round(config.validation_fraction * n_rows))
    rank = np.arange(n_rows)
    return np.where(
        rank >= n_rows - n_test,
        "test",
        np.where(rank >= n_rows - n_test - n_validation, "validation", "train"),
    )


def _per_user_periods(rank: np.ndarray, counts: np.ndarray, config: SplitConfig) -> np.ndarray:
    """Give periods by each user's own ``rank``: the last are test, those before validation.

    Users with fewer than ``min_user_interactions`` stay entirely in training.
    """
    n_test = np.maximum(1, np.round(counts * config.test_fraction)).astype(int)
    n_validation = np.maximum(1, np.round(counts * config.validation_fraction)).astype(int)
    period = np.where(
        rank >= counts - n_test,
        "test",
        np.where(rank >= counts - n_test - n_validation, "validation", "train"),
    )
    return np.where(counts >= config.min_user_interactions, period, "train")


def split_interactions(interactions: pd.DataFrame, config: SplitConfig, seed: int) -> pd.DataFrame:
    """Return ``interactions`` in time order with ``period``, ``position`` and ``withheld``.

    ``position`` is the interaction's place in its user's history (0 for their first), and
    ``withheld`` marks the cold-start users' rows. Vectorised over all users (one sort and
    group positions), so it runs in milliseconds on MovieLens and stays linear in the rows.

    Raises:
        ValueError: no user could be evaluated (too short histories, or none on both sides
            of the cut).

    """
    rng = np.random.default_rng(seed)
    tie = rng.random(len(interactions))
    frame = interactions.assign(_tie=tie).sort_values(["timestamp", "_tie"], kind="stable")
    frame = frame.drop(columns="_tie").reset_index(drop=True)
    user = frame["user_id"]
    counts = user.map(user.value_counts()).to_numpy()
    position = frame.groupby("user_id", sort=False).cumcount().to_numpy()

    if config.strategy == "global":
        period = _global_periods(len(frame), config)
    else:
        rank = position
        if config.strategy == "random":
            keys = pd.Series(rng.random(len(frame)))
            rank = (keys.groupby(user).rank(method="first") - 1).to_numpy(dtype=int)
        period = _per_user_periods(rank, counts, config)

    long_enough = counts >= config.min_user_interactions
    if not long_enough.any():
        raise ValueError(
            f"no user has {config.min_user_interactions} or more interactions: lower "
            "split.min_user_interactions or provide more data"
        )
    is_train = period == "train"
    # Unique values and index operations, never Python sets: iterating a column of
    # (Arrow-backed) strings one value at a time took most of the split at a million rows.
    trained = pd.Index(user[is_train & long_enough].unique())
    later = pd.Index(user[~is_train & long_enough].unique())
    evaluable = trained.intersection(later).sort_values().to_numpy(dtype=object)
    if evaluable.size == 0:
        raise ValueError(
            f"no user with {config.min_user_interactions} or more interactions has some in "
            "the training period and some after it: lower split.test_fraction and "
            'split.validation_fraction, or use split.strategy = "per_user"'
        )
    # A cold-start user needs more training-period history than they reveal, so the same
    # targets can also be scored from their whole history: the comparison that isolates
    # what knowing only a few interactions costs.
    train_counts = user[is_train].value_counts().reindex(evaluable, fill_value=0)
    can_be_cold = evaluable[train_counts.to_numpy() > config.cold_start_known]
    n_cold = min(can_be_cold.size, round(config.cold_start_fraction * evaluable.size))
    cold_users = rng.permutation(can_be_cold)[:n_cold] if n_cold else can_be_cold[:0]
    return frame.assign(
        period=pd.Series(period, dtype="string"),
        position=position.astype(np.int64),
        withheld=user.isin(cold_users).to_numpy(),
    )
