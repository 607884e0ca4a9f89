"""Score one model on one group of users: the lists and the per-user values comparisons pair.

Validation (tuning and choosing models) and the test evaluation both go through here, so the
two judge in exactly the same way. Every value is per user, in the group's order, so two
models scored on the same group compare user by user (``uncertainty.paired_means``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from {{ cookiecutter.__package }}.data import Group
from {{ cookiecutter.__package }}.metrics import (
    accuracy_per_user,
    intra_list_diversity,
    long_tail_share,
    novelty,
)
from {{ cookiecutter.__package }}.models import Recommender
from {{ cookiecutter.__package }}.uncertainty import (
    bootstrap_mean,
    bootstrap_means,
    paired_differences,
    paired_means,
    paired_metric,
)

__all__ = ["Catalogue", "GroupScores", "Resampling", "compare_all", "score_group"]


def _masked_mean(values: np.ndarray, mask: np.ndarray) -> float:
    # A resample without any user of the group has no mean: undefined, skipped by the caller.
    return float(values[mask].mean()) if mask.any() else math.nan


@dataclass(frozen=True)
class Resampling:
    """The bootstrap settings every interval of one report shares (same seed, same resamples)."""

    n_resamples: int
    confidence: float
    seed: int

    def interval(self, values: np.ndarray) -> dict[str, float]:
        """Return the mean of per-user ``values`` with its interval, as JSON."""
        return bootstrap_mean(
            values, n_resamples=self.n_resamples, confidence=self.confidence, seed=self.seed
        ).to_dict()

    def intervals(self, values: Mapping[str, np.ndarray]) -> dict[str, dict[str, float]]:
        """``interval`` of each of several per-user arrays of the same users, drawn once."""
        every = bootstrap_means(
            values, n_resamples=self.n_resamples, confidence=self.confidence, seed=self.seed
        )
        return {name: interval.to_dict() for name, interval in every.items()}

    def difference(self, first: np.ndarray, second: np.ndarray) -> dict[str, Any]:
        """``first - second`` on the same users, with its paired interval, as JSON."""
        return paired_means(
            first, second, n_resamples=self.n_resamples, confidence=self.confidence, seed=self.seed
        ).difference.to_dict()

    def group_difference(self, first: np.ndarray, second: np.ndarray) -> dict[str, Any]:
        """``mean(first) - mean(second)`` for two different groups of users, as JSON.

        The users of both groups are resampled together, each keeping its group, so the
        interval reflects both groups' spread; nothing is paired because nobody is in both.
        """
        values = np.concatenate([first, second])
        in_first = np.arange(values.size) < first.size
        return paired_metric(
            _masked_mean,
            (values, in_first),
            (values, ~in_first),
            n_resamples=self.n_resamples,
            confidence=self.confidence,
            seed=self.seed,
        ).difference.to_dict()


@dataclass(frozen=True)
class Catalogue:
    """What lists are measured against: training popularity, its users, and item features."""

    item_counts: np.ndarray
    n_users: int
    features: sparse.csr_matrix | None

    @classmethod
    def of(cls, fit: sparse.csr_matrix, features: sparse.csr_matrix | None) -> Catalogue:
        """Count popularity in the matrix the models learned from."""
        counts = np.asarray(fit.sum(axis=0)).ravel()
        return cls(counts, int((fit.getnnz(axis=1) > 0).sum()), features)


@dataclass(frozen=True)
class GroupScores:
    """One model's lists for a group, its per-user values, and how long the batch took."""

    recs: np.ndarray
    per_user: dict[str, np.ndarray]
    seconds: float


def score_group(
    model: Recommender,
    group: Group,
    *,
    k: int,
    catalogue: Catalogue,
    history: sparse.csr_matrix | None = None,
) -> GroupScores:
    """Recommend ``k`` items to every user of ``group`` and measure each user's list.

    ``history`` replaces the group's own (a cold-start group's ``full_history``), with the
    same targets and the same excluded items, so only what the model is told differs.
    """
    given = group.history if history is None else history
    start = time.perf_counter()
    recs = model.recommend(given, k, exclude=group.exclude)
    seconds = time.perf_counter() - start
    per_user = accuracy_per_user(recs, group.targets)
    per_user["long_tail"] = long_tail_share(recs, catalogue.item_counts)
    per_user["novelty"] = novelty(recs, catalogue.item_counts, catalogue.n_users)
    if catalogue.features is not None:
        per_user["diversity"] = intra_list_diversity(recs, catalogue.features)
    return GroupScores(recs, per_user, seconds)


def compare_all(
    values: Mapping[str, np.ndarray], resampling: Resampling
) -> dict[str, dict[str, dict[str, Any]]]:
    """Every ordered pair of models' paired difference: ``result[a][b]`` is ``a - b``.

    The same numbers as ``resampling.difference`` pair by pair, from one set of resamples
    (``paired_differences``): each model's resampled means are computed once, not once per pair.
    """
    every = paired_differences(
        values,
        n_resamples=resampling.n_resamples,
        confidence=resampling.confidence,
        seed=resampling.seed,
    )
    return {
        first: {second: difference.to_dict() for second, difference in pairs.items()}
        for first, pairs in every.items()
    }
