"""Metrics on toy data checked by hand, and the vectorised versions against plain loops."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import sparse

from {{ cookiecutter.__package }}.metrics import (
    accuracy_per_user,
    catalogue_coverage,
    gini,
    hits,
    intra_list_diversity,
    long_tail_share,
    novelty,
    personalisation,
    target_popularity,
)


def truth_matrix(rows: list[list[int]], n_items: int = 10) -> sparse.csr_matrix:
    data = [(u, i) for u, items in enumerate(rows) for i in items]
    users, items = zip(*data, strict=True)
    return sparse.csr_matrix((np.ones(len(data)), (users, items)), shape=(len(rows), n_items))


def test_accuracy_matches_hand_computed_values() -> None:
    recs = np.array([[0, 1, 2], [3, 4, 5]])
    truth = truth_matrix([[1, 7], [9]])

    result = accuracy_per_user(recs, truth)

    # User 0: one hit at rank 2 out of 2 relevant items. User 1: no hit.
    ideal = 1 + 1 / math.log2(3)
    assert result["precision"] == pytest.approx([1 / 3, 0])
    assert result["recall"] == pytest.approx([1 / 2, 0])
    assert result["ndcg"] == pytest.approx([(1 / math.log2(3)) / ideal, 0])
    assert result["map"] == pytest.approx([(1 / 2) / 2, 0])
    assert result["hit_rate"] == pytest.approx([1, 0])


def test_a_perfect_list_scores_one_even_with_more_relevant_items_than_k() -> None:
    recs = np.array([[4, 5, 6]])
    truth = truth_matrix([[4, 5, 6, 7, 8]])

    result = accuracy_per_user(recs, truth)

    assert result["ndcg"] == pytest.approx([1.0])
    assert result["map"] == pytest.approx([1.0])
    assert result["recall"] == pytest.approx([3 / 5])


def test_accuracy_refuses_users_without_held_out_items() -> None:
    truth = sparse.csr_matrix((2, 10))
    with pytest.raises(ValueError, match="at least one held-out item"):
        accuracy_per_user(np.array([[0], [1]]), truth)


def test_hits_agree_with_a_loop() -> None:
    rng = np.random.default_rng(0)
    dense = rng.random((50, 40)) < 0.1
    truth = sparse.csr_matrix(dense.astype(float))
    recs = np.stack([rng.choice(40, 8, replace=False) for _ in range(50)])

    expected = np.array([[dense[u, i] for i in recs[u]] for u in range(50)])

    assert (hits(recs, truth) == expected).all()


def test_coverage_counts_distinct_recommended_items() -> None:
    assert catalogue_coverage(np.array([[0, 1, 2], [2, 3, 5]]), n_items=10) == pytest.approx(0.5)


def test_gini_is_zero_for_equal_exposure_and_high_for_one_item() -> None:
    assert gini(np.array([[0, 1], [2, 3]]), n_items=4) == pytest.approx(0.0)
    assert gini(np.array([[0], [0], [0]]), n_items=4) == pytest.approx(3 / 4)


def test_personalisation_is_zero_for_identical_lists_and_one_for_disjoint() -> None:
    assert personalisation(np.array([[0, 1, 2], [0, 1, 2], [0, 1, 2]])) == pytest.approx(0.0)
    assert personalisation(np.array([[0, 1], [2, 3], [4, 5]])) == pytest.approx(1.0)
    # Two users share one of two items: overlap 1/2.
    assert personalisation(np.array([[0, 1], [0, 2]])) == pytest.approx(0.5)


def test_novelty_is_zero_for_items_everyone_saw_and_grows_in_the_tail() -> None:
    counts = np.array([9, 0])
    values = novelty(np.array([[0], [1]]), counts, n_users=9)

    assert values[0] == pytest.approx(0.0)
    assert values[1] == pytest.approx(math.log2(10))


def test_diversity_is_zero_for_identical_items_and_one_for_unrelated() -> None:
    features = sparse.csr_matrix(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))

    values = intra_list_diversity(np.array([[0, 1], [0, 2]]), features)

    assert values == pytest.approx([0.0, 1.0])


def test_diversity_agrees_with_pairwise_loop() -> None:
    rng = np.random.default_rng(2)
    dense = rng.random((30, 6))
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    recs = np.stack([rng.choice(30, 5, replace=False) for _ in range(12)])

    expected = [
        1 - np.mean([dense[a] @ dense[b] for a, b in itertools.permutations(row, 2)])
        for row in recs
    ]

    assert intra_list_diversity(recs, sparse.csr_matrix(dense)) == pytest.approx(expected)


def test_long_tail_share_counts_each_users_slots_outside_the_head() -> None:
    counts = np.array([100, 50, 1, 1, 1, 1, 1, 1, 1, 1])  # head (20%) = items 0 and 1

    shares = long_tail_share(np.array([[0, 2], [1, 0], [3, 4]]), counts)

    assert shares == pytest.approx([0.5, 0.0, 1.0])


def test_target_popularity_is_the_mean_percentile_of_each_users_targets() -> None:
    counts = np.array([0, 10, 20, 30, 40])  # percentiles 0, 25, 50, 75, 100
    truth = truth_matrix([[4], [0, 2], [1, 3]], n_items=5)

    assert target_popularity(truth, counts) == pytest.approx([100.0, 25.0, 50.0])


def test_tied_counts_share_one_percentile_whatever_the_item_order() -> None:
    counts = np.array([5, 5, 5, 0])

    values = target_popularity(truth_matrix([[0], [1], [2]], n_items=4), counts)

    assert values[0] == values[1] == values[2]


def test_map_divides_by_the_most_hits_a_list_can_hold_not_by_all_relevant_items() -> None:
    # Two of three slots hit out of five held-out items: TREC's MAP (ranx, trec_eval) divides
    # the sum of precisions by R = 5; this one by min(R, k) = 3, as the reports state.
    recs = np.array([[0, 9, 1]])
    truth = truth_matrix([[0, 1, 2, 3, 4]])
    precision_sum = 1 / 1 + 2 / 3

    result = accuracy_per_user(recs, truth)

    assert result["map"] == pytest.approx([precision_sum / 3])
    assert result["map"][0] > precision_sum / 5
