"""Find exact and near-duplicate texts, so that no text sits in both training and test.

Real corpora repeat themselves: templates, campaigns, forwards and re-posts send the same
text many times with another name, number or link. If one copy lands in training and another
in the test set, the test rewards memory, not generalisation. Texts are grouped here and the
split keeps each group on one side.

Near duplicates are found with MinHash and locality-sensitive hashing on character shingles:
candidate pairs come from signature bands (no comparison of every pair), and each candidate
is then confirmed with its exact Jaccard similarity, so a reported pair is never a guess.
Every step is an array operation over all texts at once; 5,000 texts take a fraction
of a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .normalise import dedup_key

__all__ = [
    "DedupResult",
    "candidate_pairs",
    "deduplicate",
    "jaccard_of_pairs",
    "minhash_signatures",
    "shingle_matrix",
]

_BASE = np.uint64(1_000_003)
_SHIFT = np.uint64(32)
# Within one band bucket, each text is paired with at most this many neighbours: only a
# huge cluster of near-identical texts reaches it, and chains still connect that cluster.
_MAX_BUCKET_DISTANCE = 256


def shingle_matrix(texts: list[str], size: int) -> sparse.csr_matrix:
    """Return the binary ``(n_texts, n_shingles)`` matrix of character ``size``-grams.

    Each shingle is identified by a 64-bit polynomial hash of its code points, computed for
    every window of the concatenated texts in ``size`` vector operations (collisions have
    probability about 2**-64 per pair, so Jaccard similarities from this matrix are exact
    for any practical purpose). Texts shorter than ``size`` are padded to one shingle, so
    every row has at least one.
    """
    padded = [text.ljust(size) for text in texts]
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n_windows = codes.size - size + 1
    rolling = np.zeros(n_windows, dtype=np.uint64)
    for offset in range(size):
        # uint64 arithmetic wraps modulo 2**64: the hash is a polynomial in that ring.
        rolling = rolling * _BASE + codes[offset : offset + n_windows]
    windows = lengths - size + 1
    doc_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    window_starts = np.concatenate([[0], np.cumsum(windows)[:-1]])
    rows = np.repeat(np.arange(len(padded)), windows)
    positions = np.arange(int(windows.sum())) - np.repeat(window_starts - doc_starts, windows)
    _, columns = np.unique(rolling[positions], return_inverse=True)
    matrix = sparse.csr_matrix(
        (np.ones(rows.size, dtype=np.float64), (rows, columns.ravel())),
        shape=(len(padded), int(columns.max()) + 1 if columns.size else 0),
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def minhash_signatures(
    shingled: sparse.csr_matrix, num_perm: int, seed: int
) -> npt.NDArray[np.uint64]:
    """Return the ``(n, num_perm)`` MinHash signatures of the rows of ``shingled``.

    Each of the ``num_perm`` hash functions is multiply-add-shift (``(a * x + b) >> 32``
    modulo 2**64, with ``a`` odd), applied to every shingle id of every row in one array
    operation; the per-row minimum is a segmented reduction. Two rows agree in one signature
    position with probability (close to) their Jaccard similarity.
    """
    ids = shingled.indices.astype(np.uint64)
    starts = shingled.indptr[:-1]
    rng = np.random.default_rng(seed)
    a = rng.integers(0, np.iinfo(np.uint64).max, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, np.iinfo(np.uint64).max, size=num_perm, dtype=np.uint64)
    signatures = np.empty((shingled.shape[0], num_perm), dtype=np.uint64)
    # Chunks of hash functions bound the temporary (chunk x all shingles) array to ~32 MB.
    chunk = max(1, 4_000_000 // max(1, ids.size))
    for start in range(0, num_perm, chunk):
        stop = min(num_perm, start + chunk)
        hashed = (a[start:stop, None] * ids[None, :] + b[start:stop, None]) >> _SHIFT
        signatures[:, start:stop] = np.minimum.reduceat(hashed, starts, axis=1).T
    return signatures


def candidate_pairs(signatures: npt.NDArray[np.uint64], bands: int) -> npt.NDArray[np.int64]:
    """Return the pairs ``(i, j)``, ``i < j``, whose signatures agree on a whole band.

    With ``b`` bands of ``r`` rows, a pair of Jaccard similarity ``s`` becomes a candidate
    with probability ``1 - (1 - s**r)**b``, an S-curve that keeps similar pairs and skips the
    rest without comparing them. Returns an ``(m, 2)`` array sorted by ``i`` then ``j``.
    """
    n, num_perm = signatures.shape
    rows = num_perm // bands
    rng = np.random.default_rng(0)
    mixers = rng.integers(0, np.iinfo(np.uint64).max, size=rows, dtype=np.uint64) | np.uint64(1)
    found: list[npt.NDArray[np.int64]] = []
    for band in range(bands):
        # One key per text and band; a key collision only adds a candidate, which the
        # exact check then rejects.
        keys = (signatures[:, band * rows : (band + 1) * rows] * mixers).sum(
            axis=1, dtype=np.uint64
        )
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        for distance in range(1, min(n, _MAX_BUCKET_DISTANCE + 1)):
            same = ordered[distance:] == ordered[:-distance]
            if not same.any():
                break
            first, second = order[:-distance][same], order[distance:][same]
            found.append(np.minimum(first, second) * n + np.maximum(first, second))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.column_stack([codes // n, codes % n]).astype(np.int64)


def jaccard_of_pairs(
    shingled: sparse.csr_matrix, pairs: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Return the exact Jaccard similarity of each row pair, from the binary shingle matrix."""
    if pairs.size == 0:
        return np.empty(0, dtype=np.float64)
    first, second = pairs[:, 0], pairs[:, 1]
    common = np.asarray(shingled[first].multiply(shingled[second]).sum(axis=1)).ravel()
    sizes = np.diff(shingled.indptr)
    return common / (sizes[first] + sizes[second] - common)


@dataclass(frozen=True)
class DedupResult:
    """The corpus without exact duplicates, each text tagged with its near-duplicate group.

    ``frame`` keeps the input columns plus ``normalised``, ``group`` (texts in one group
    must share a side of the split) and ``copies`` (exact copies folded into the row,
    itself included). ``exact_removed`` copies were dropped; ``conflicting_texts`` texts
    that appeared under both labels were dropped entirely (``conflicting_rows`` rows), as
    neither label can be trusted; ``near_pairs`` confirmed pairs (out of
    ``candidate_pairs`` checked) joined texts into groups.
    """

    frame: pd.DataFrame
    exact_removed: int
    conflicting_texts: int
    conflicting_rows: int
    near_pairs: int
    candidate_pairs: int
    groups: int


def deduplicate(
    frame: pd.DataFrame,
    normalised: list[str],
    *,
    shingle_size: int,
    threshold: float,
    num_perm: int,
    bands: int,
    seed: int,
) -> DedupResult:
    """Drop exact duplicates and group near duplicates of the texts in ``frame``.

    ``normalised`` holds each row's normalised text. Exact duplicates share a
    ``dedup_key``; the first copy is kept. Near duplicates are pairs of remaining texts
    whose character-shingle Jaccard similarity is at least ``threshold``; they are kept and
    grouped as connected components (union-find), so chains (A like B, B like C) end up in
    one group.
    """
    work = frame.assign(normalised=normalised)
    work["key"] = work["normalised"].map(dedup_key)
    labels_per_key = work.groupby("key", sort=False)["y"].nunique()
    conflicting = labels_per_key.index[labels_per_key > 1]
    conflict_mask = work["key"].isin(conflicting)
    kept = work.loc[~conflict_mask]
    copies = kept.groupby("key", sort=False)["key"].transform("size").astype("int64")
    unique = kept.assign(copies=copies).drop_duplicates("key", keep="first")
    unique = unique.reset_index(drop=True)

    n = len(unique)
    confirmed = np.empty((0, 2), dtype=np.int64)
    candidates = np.empty((0, 2), dtype=np.int64)
    if n > 1:
        shingled = shingle_matrix(unique["key"].tolist(), shingle_size)
        candidates = candidate_pairs(minhash_signatures(shingled, num_perm, seed), bands)
        confirmed = candidates[jaccard_of_pairs(shingled, candidates) >= threshold]
    graph = sparse.coo_matrix(
        (np.ones(len(confirmed)), (confirmed[:, 0], confirmed[:, 1])), shape=(n, n)
    )
    n_groups, groups = connected_components(graph, directed=False)
    return DedupResult(
        frame=unique.drop(columns="key").assign(group=groups.astype("int64")),
        exact_removed=int(len(kept) - n),
        conflicting_texts=len(conflicting),
        conflicting_rows=int(conflict_mask.sum()),
        near_pairs=len(confirmed),
        candidate_pairs=len(candidates),
        groups=int(n_groups),
    )
