import itertools

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.__package }}.dedup import (
    candidate_pairs,
    deduplicate,
    jaccard_of_pairs,
    minhash_signatures,
    shingle_matrix,
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


def test_shingle_matrix_gives_exact_jaccard() -> None:
    texts = [BASE, BASE.replace("holiday", "cruise"), "see you at lunch", "ok"]
    matrix = shingle_matrix(texts, 5)
    pairs = np.array(list(itertools.combinations(range(len(texts)), 2)))
    expected = [
        len(_shingles(texts[i], 5) & _shingles(texts[j], 5))
        / len(_shingles(texts[i], 5) | _shingles(texts[j], 5))
        for i, j in pairs
    ]
    np.testing.assert_allclose(jaccard_of_pairs(matrix, pairs), expected)
    assert np.diff(matrix.indptr).min() >= 1


def test_minhash_agreement_estimates_jaccard() -> None:
    texts = [BASE, BASE.replace("holiday", "cruise")]
    matrix = shingle_matrix(texts, 5)
    signatures = minhash_signatures(matrix, 512, seed=1)
    estimate = np.mean(signatures[0] == signatures[1])
    exact = jaccard_of_pairs(matrix, np.array([[0, 1]]))[0]
    assert abs(estimate - exact) < 0.08


def test_candidate_pairs_keep_similar_and_skip_unrelated() -> None:
    texts = [BASE, BASE + " today", "are you coming to the party tonight or not"]
    pairs = candidate_pairs(minhash_signatures(shingle_matrix(texts, 5), 128, seed=0), 32)
    assert pairs.tolist() == [[0, 1]]


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


def test_finds_every_pair_that_brute_force_finds(config) -> None:
    from {{ cookiecutter.__package }}.ingest import read_corpus

    corpus = read_corpus(config.data, config.labels)
    keys = sorted({dedup_key(t) for t in normalise_many(corpus.frame["text"])})
    matrix = shingle_matrix(keys, 5)
    product = (matrix @ matrix.T).tocoo()
    sizes = np.diff(matrix.indptr)
    upper = product.row < product.col
    rows, cols, common = product.row[upper], product.col[upper], product.data[upper]
    similar = common / (sizes[rows] + sizes[cols] - common) >= 0.7
    truth = set(zip(rows[similar].tolist(), cols[similar].tolist(), strict=True))
    pairs = candidate_pairs(minhash_signatures(matrix, 128, seed=0), 32)
    found = {tuple(p) for p in pairs[jaccard_of_pairs(matrix, pairs) >= 0.7].tolist()}
    assert truth
    assert found == truth


@pytest.mark.parametrize("texts", [["only one"], ["a", "b"]])
def test_tiny_inputs(texts: list[str]) -> None:
    result = _dedup(texts, [0] * len(texts))
    assert len(result.frame) == len(texts)
    assert result.near_pairs == 0
