import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from {{ cookiecutter.__package }}.dedup import (
    band_candidates,
    band_keys,
    deduplicate,
    group_near_duplicates,
    jaccard_of_pairs,
    minhash_signatures,
    shingle_sets,
)
from {{ cookiecutter.__package }}.normalise import dedup_key, normalise_many

BASE = "congratulations you have won a holiday call now to claim your reward"


def _shingles(text: str, size: int) -> set[str]:
    text = text.ljust(size)
    return {text[i : i + size] for i in range(len(text) - size + 1)}


def _dedup(texts: list[str], labels: list[int], threshold: float = 0.7):
    frame = pd.DataFrame(
        {"origin": [f"line {i + 1}" for i in range(len(texts))], "text": texts, "y": labels}
    )
    return deduplicate(
        frame,
        normalise_many(texts),
        shingle_size=5,
        threshold=threshold,
        num_perm=128,
        bands=32,
        seed=0,
    )


def _candidates(signatures, bands: int) -> set[tuple[int, int]]:
    keys = band_keys(signatures, bands)
    return {
        (int(i), int(j))
        for band in range(bands)
        for i, j in band_candidates(keys[band], keys[(band + 1) % bands])
    }


def test_shingle_sets_give_exact_jaccard() -> None:
    texts = [BASE, BASE.replace("holiday", "cruise"), "see you at lunch", "ok", BASE + BASE]
    shingles = shingle_sets(texts, 5)
    pairs = np.array(list(itertools.combinations(range(len(texts)), 2)))
    expected = [
        len(_shingles(texts[i], 5) & _shingles(texts[j], 5))
        / len(_shingles(texts[i], 5) | _shingles(texts[j], 5))
        for i, j in pairs
    ]
    np.testing.assert_allclose(jaccard_of_pairs(shingles, pairs), expected)
    assert shingles.sizes.tolist() == [len(_shingles(text, 5)) for text in texts]


def test_minhash_agreement_estimates_jaccard() -> None:
    texts = [BASE, BASE.replace("holiday", "cruise")]
    shingles = shingle_sets(texts, 5)
    signatures = minhash_signatures(shingles, 512, seed=1)
    assert signatures.dtype == np.uint32
    estimate = np.mean(signatures[0] == signatures[1])
    exact = jaccard_of_pairs(shingles, np.array([[0, 1]]))[0]
    assert abs(estimate - exact) < 0.08


def test_candidate_pairs_keep_similar_and_skip_unrelated() -> None:
    texts = [BASE, BASE + " today", "are you coming to the party tonight or not"]
    assert _candidates(minhash_signatures(shingle_sets(texts, 5), 128, seed=0), 32) == {(0, 1)}


def test_exact_duplicates_are_removed_and_counted() -> None:
    result = _dedup(["Call me!", "call me", "CALL ME.", "something else entirely"], [0, 0, 0, 0])
    assert result.exact_removed == 2
    assert result.frame["text"].tolist() == ["Call me!", "something else entirely"]
    assert result.frame["copies"].tolist() == [3, 1]


def test_texts_under_both_labels_are_dropped() -> None:
    result = _dedup(["free tone", "Free tone!", "see you"], [1, 0, 0])
    assert result.conflicting_texts == 1
    assert result.conflicting_rows == 2
    assert result.frame["text"].tolist() == ["see you"]


def test_near_duplicates_share_a_group_even_through_chains() -> None:
    a = BASE
    b = BASE.replace("holiday", "cruise")
    c = b.replace("claim your reward", "claim the reward")
    texts = [a, b, c, "are you coming to the party tonight or not"]
    result = _dedup(texts, [1, 1, 1, 0])
    groups = result.frame["group"].tolist()
    assert groups[0] == groups[1] == groups[2] != groups[3]
    assert result.groups == 2


def test_numbers_do_not_hide_a_copy() -> None:
    result = _dedup(["Call 09061701461 to claim", "Call 09061701999 to claim"], [1, 1])
    assert result.exact_removed == 1


def test_groups_are_those_brute_force_finds(config) -> None:
    from {{ cookiecutter.__package }}.ingest import read_corpus

    corpus = read_corpus(config.data, config.labels)
    keys = sorted({dedup_key(t) for t in normalise_many(corpus.frame["text"])})
    shingles = shingle_sets(keys, 5)
    _, columns = np.unique(shingles.hashes, return_inverse=True)
    matrix = sparse.csr_matrix(
        (np.ones(columns.size), columns.ravel(), shingles.indptr),
        shape=(len(keys), int(columns.max()) + 1),
    )
    product = (matrix @ matrix.T).tocoo()
    sizes = shingles.sizes
    upper = product.row < product.col
    rows, cols, common = product.row[upper], product.col[upper], product.data[upper]
    similar = common / (sizes[rows] + sizes[cols] - common) >= 0.7
    truth = sparse.coo_matrix(
        (np.ones(int(similar.sum())), (rows[similar], cols[similar])), shape=(len(keys),) * 2
    )
    n_truth, truth_groups = connected_components(truth, directed=False)
    grouping = group_near_duplicates(shingles, threshold=0.7, num_perm=128, bands=32, seed=0)
    assert n_truth < len(keys)
    assert grouping.n_groups == n_truth
    # The same partition: each found group is one true group and the other way round.
    pairs = set(zip(grouping.groups.tolist(), truth_groups.tolist(), strict=True))
    assert len(pairs) == n_truth
    assert grouping.joined_pairs == len(keys) - n_truth


def test_planted_near_duplicates_are_grouped_among_many_texts() -> None:
    rng = np.random.default_rng(3)
    words = np.array([f"w{i}" for i in range(400)])
    texts = [" ".join(rng.choice(words, size=rng.integers(16, 30))) for _ in range(3000)]
    planted = [(i, len(texts) + k) for k, i in enumerate(range(0, 3000, 30))]
    for i, _ in planted:
        tokens = texts[i].split()
        tokens[len(tokens) // 2] = "changed"
        texts.append(" ".join(tokens))
    grouping = group_near_duplicates(
        shingle_sets(texts, 5), threshold=0.7, num_perm=128, bands=32, seed=0
    )
    truth = jaccard_of_pairs(shingle_sets(texts, 5), np.array(planted))
    for (i, j), similarity in zip(planted, truth, strict=True):
        if similarity >= 0.7:
            assert grouping.groups[i] == grouping.groups[j]
    assert (truth >= 0.7).sum() >= 0.9 * len(planted)


@pytest.mark.parametrize(
    "texts",
    [
        # One bucket in every band: all pairs would be 4.5 million a band.
        ["the very same text, three thousand times over"] * 3000,
        # Texts that differ in one number: most share a bucket in most bands.
        [f"please call the office back today about order {i:05d} thanks" for i in range(3000)],
    ],
    ids=["identical", "templated"],
)
def test_a_huge_bucket_costs_a_chain_not_every_pair(texts: list[str]) -> None:
    shingles = shingle_sets(texts, 5)
    keys = band_keys(minhash_signatures(shingles, 128, seed=0), 32)
    for band in range(32):
        assert len(band_candidates(keys[band], keys[(band + 1) % 32])) <= 8 * len(texts)
    grouping = group_near_duplicates(shingles, threshold=0.7, num_perm=128, bands=32, seed=0)
    assert grouping.n_groups == 1
    assert grouping.joined_pairs == len(texts) - 1
    # A pair already in one group is not checked again: a small share of all pairs.
    assert grouping.candidate_pairs < len(texts) * (len(texts) - 1) / 2 / 100
    if len(set(texts)) == 1:
        # The first band joins every copy through its chain; no later band checks any.
        assert grouping.candidate_pairs <= 8 * len(texts)


@pytest.mark.parametrize("texts", [["only one"], ["a", "b"]])
def test_tiny_inputs(texts: list[str]) -> None:
    result = _dedup(texts, [0] * len(texts))
    assert len(result.frame) == len(texts)
    assert result.near_pairs == 0
