"""Ranking metrics at k, vectorised over users: accuracy and what accuracy hides.

Inputs are ``recs``, an ``n_users x k`` array of item indices (best first), and ``truth``, a
sparse ``n_users x n_items`` matrix of held-out interactions aligned row by row. Accuracy
functions return one value per user, so the evaluation can bootstrap over users; the
catalogue-level ones return a single number. Every function is a few array operations over
all users at once: metrics for all MovieLens users take milliseconds per model.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse, stats

__all__ = [
    "ACCURACY_METRICS",
    "accuracy_per_user",
    "catalogue_coverage",
    "gini",
    "hits",
    "intra_list_diversity",
    "long_tail_share",
    "novelty",
    "personalisation",
    "target_popularity",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ACCURACY_METRICS = ("ndcg", "precision", "recall", "map", "hit_rate")


def hits(recs: IntArray, truth: sparse.csr_matrix) -> npt.NDArray[np.bool_]:
    """Return whether each recommended item is in the user's held-out set (``n_users x k``).

    Held-out pairs become sorted integer keys ``row * n_items + item`` looked up with one
    ``searchsorted``, which avoids a dense user-by-item matrix for large catalogues.
    """
    n_items = truth.shape[1]
    coo = sparse.coo_matrix(truth)
    keys = np.sort(coo.row.astype(np.int64) * n_items + coo.col)
    queries = np.arange(recs.shape[0], dtype=np.int64)[:, None] * n_items + recs
    if keys.size == 0:
        return np.zeros(recs.shape, dtype=bool)
    positions = np.minimum(np.searchsorted(keys, queries), keys.size - 1)
    return keys[positions] == queries


def accuracy_per_user(recs: IntArray, truth: sparse.csr_matrix) -> dict[str, FloatArray]:
    """Return precision, recall, NDCG, MAP and hit rate at k, one value per user.

    With ``R`` the user's held-out items and ``rel_i`` 1 when the item at rank ``i`` is one:
    precision is hits / k and recall hits / R. NDCG has binary gains, ``sum rel_i /
    log2(i + 1)``, over the same sum for ``min(R, k)`` hits at the top. MAP is ``sum_i
    P@i * rel_i / min(R, k)``: divided by ``min(R, k)``, the most hits a list of k can hold,
    so a perfect list scores 1 whatever R is. TREC's trec_eval and ranx divide by R instead,
    which is lower for users with more than k held-out items; the reports state this.

    Raises:
        ValueError: a user has no held-out items (the metrics are undefined; select the
            users to evaluate first) or the row counts differ.

    """
    if recs.shape[0] != truth.shape[0]:
        raise ValueError(f"{recs.shape[0]} recommendation lists for {truth.shape[0]} users")
    relevant = truth.getnnz(axis=1).astype(np.float64)
    if (relevant == 0).any():
        raise ValueError("every evaluated user needs at least one held-out item")
    k = recs.shape[1]
    hit = hits(recs, truth).astype(np.float64)
    n_hits = hit.sum(axis=1)
    discounts = 1.0 / np.log2(np.arange(k) + 2.0)
    ideal_hits = np.minimum(relevant, k).astype(int)
    ideal_dcg = np.cumsum(discounts)[ideal_hits - 1]
    precision_at_rank = np.cumsum(hit, axis=1) / np.arange(1, k + 1)
    return {
        "precision": n_hits / k,
        "recall": n_hits / relevant,
        "ndcg": (hit @ discounts) / ideal_dcg,
        "map": (precision_at_rank * hit).sum(axis=1) / ideal_hits,
        "hit_rate": (n_hits > 0).astype(np.float64),
    }


def _exposure(recs: IntArray, n_items: int) -> IntArray:
    return np.bincount(recs.ravel(), minlength=n_items).astype(np.int64)


def catalogue_coverage(recs: IntArray, n_items: int) -> float:
    """Share of the catalogue recommended to at least one user."""
    return float(np.unique(recs).size / n_items)


def novelty(recs: IntArray, item_counts: npt.ArrayLike, n_users: int) -> FloatArray:
    """Mean self-information ``-log2 p(item)`` of each user's list, in bits.

    ``p(item)`` is the share of training users who interacted with the item, smoothed by one
    so items nobody has seen are maximally novel rather than infinite. Higher means the list
    leans on the long tail; a list of the most popular items scores low.
    """
    counts = np.asarray(item_counts, dtype=np.float64)
    information = -np.log2((counts + 1.0) / (n_users + 1.0))
    return information[recs].mean(axis=1)


def intra_list_diversity(recs: IntArray, features: sparse.csr_matrix) -> FloatArray:
    """One minus the mean pairwise cosine similarity of the items in each list.

    ``features`` rows must be L2-normalised. The sum over pairs comes from the identity
    ``sum_{i != j} f_i . f_j = |sum_i f_i|^2 - sum_i |f_i|^2``, so no k x k matrix per user is
    built. Items without metadata (zero rows) count as unlike every other item.
    """
    n_users, k = recs.shape
    if k < 2:
        return np.ones(n_users)
    rows = np.repeat(np.arange(n_users), k)
    membership = sparse.csr_matrix(
        (np.ones(rows.size), (rows, recs.ravel())), shape=(n_users, features.shape[0])
    )
    summed = membership @ features
    total = np.asarray(summed.multiply(summed).sum(axis=1)).ravel()
    own = np.asarray(features.multiply(features).sum(axis=1)).ravel()[recs].sum(axis=1)
    mean_similarity = (total - own) / (k * (k - 1))
    return 1.0 - mean_similarity


def gini(recs: IntArray, n_items: int) -> float:
    """Gini coefficient of how recommendation slots are spread over the whole catalogue.

    0 means every item is recommended equally often; 1 means all slots go to one item.
    Items never recommended count, so a model that ignores the long tail scores high.
    """
    exposure = np.sort(_exposure(recs, n_items)).astype(np.float64)
    total = exposure.sum()
    if total == 0:
        return 0.0
    ranks = np.arange(1, n_items + 1)
    return float(((2 * ranks - n_items - 1) * exposure).sum() / (n_items * total))


def personalisation(recs: IntArray) -> float:
    """One minus the mean share of items two users' lists have in common.

    Computed from how often each item is recommended (``sum_i c_i (c_i - 1)`` counts the
    shared slots of all ordered pairs of users), so it is exact without a user-by-user
    matrix. 0 means everyone gets the same list; 1 means no two lists overlap.
    """
    n_users, k = recs.shape
    if n_users < 2:
        return 0.0
    counts = np.bincount(recs.ravel()).astype(np.float64)
    shared = (counts * (counts - 1)).sum()
    return float(1.0 - shared / (n_users * (n_users - 1) * k))


def _head(item_counts: npt.ArrayLike, head: float) -> npt.NDArray[np.bool_]:
    """Mark the ``head`` share of items with the most training interactions."""
    counts = np.asarray(item_counts, dtype=np.float64)
    n_head = max(1, int(round(head * counts.size)))
    head_items = np.zeros(counts.size, dtype=bool)
    head_items[np.argsort(-counts, kind="stable")[:n_head]] = True
    return head_items


def long_tail_share(recs: IntArray, item_counts: npt.ArrayLike, head: float = 0.2) -> FloatArray:
    """Share of each user's slots given to items outside the ``head`` most popular (20%).

    One value per user, so its mean has a bootstrap interval and two models compare on the
    same users: the product-facing face of popularity bias.
    """
    return 1.0 - _head(item_counts, head)[recs].mean(axis=1)


def target_popularity(truth: sparse.csr_matrix, item_counts: npt.ArrayLike) -> FloatArray:
    """Mean popularity percentile (0 to 100) of each user's held-out items.

    100 is the most interacted-with item in training; tied counts share their average rank.
    Two groups whose targets differ here are not judged on comparable tasks: popular targets
    are easy for any popular-leaning model.
    """
    counts = np.asarray(item_counts, dtype=np.float64)
    # Tied counts share their average rank, so no item order leaks into the percentile.
    percentile = 100.0 * (stats.rankdata(counts) - 1.0) / max(1, counts.size - 1)
    coo = sparse.coo_matrix(truth)
    sums = np.bincount(coo.row, weights=percentile[coo.col], minlength=truth.shape[0])
    return sums / np.maximum(1, truth.getnnz(axis=1))
