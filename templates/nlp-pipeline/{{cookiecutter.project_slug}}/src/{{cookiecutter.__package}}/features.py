"""Turn normalised texts into TF-IDF features: word n-grams and character n-grams.

Words and word pairs carry the meaning; character n-grams catch what words miss in informal
or noisy text: misspellings, abbreviations, inflections, run-together words and obfuscation
such as digits for letters. Both use sublinear term frequency, so a word repeated five times
does not count five times as much.

scikit-learn's ``TfidfVectorizer`` builds every n-gram as a Python string and keeps its
vocabulary in a dict, which makes it the slowest step of prediction and makes the saved
model megabytes of JSON. ``HashedNgrams`` hashes all n-grams of a batch with array
operations instead (a rolling polynomial hash over code points or word hashes), keeps
``predict`` well above 5,000 texts per second, and saves as a few arrays.

Fitting and transforming go a chunk of texts at a time (``_CHUNK_TEXTS``), so the n-gram
temporaries (three 8-byte numbers per n-gram occurrence) stay tens of MB however large the
corpus; only the result, a ``float32`` CSR matrix, grows with it (the whole-batch version's
pipeline needed about 30 KB of memory per message, measured on 100,000 synthetic messages).
"""

from __future__ import annotations

import re
import zlib

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize

from .config import FeatureConfig

__all__ = ["HashedNgrams", "build_features"]

_BASE = np.uint64(1_000_003)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_WORD_RE = re.compile(r"\w+")
# Texts per chunk in fit and transform: bounds the n-gram temporaries (see the module text).
_CHUNK_TEXTS = 20_000


def _chunks(texts: list[str]) -> list[list[str]]:
    return [texts[start : start + _CHUNK_TEXTS] for start in range(0, len(texts), _CHUNK_TEXTS)]


def _stacked(blocks: list[sparse.csr_matrix], width: int) -> sparse.csr_matrix:
    if not blocks:
        return sparse.csr_matrix((0, width), dtype=np.float32)
    return blocks[0] if len(blocks) == 1 else sparse.vstack(blocks, format="csr")


class HashedNgrams(TransformerMixin, BaseEstimator):
    """TF-IDF of hashed word or character n-grams, computed for a batch with array operations.

    Each n-gram of ``ngram_range[0]..ngram_range[1]`` units (characters of the lower-cased
    text for ``analyzer="char"``, words for ``"word"``) is hashed into ``2**hash_bits``
    buckets; buckets seen in fewer than ``min_df`` training texts are dropped, at most
    ``max_features`` of the most frequent are kept, and the counts become sublinear TF-IDF
    with L2-normalised rows, as ``TfidfVectorizer(sublinear_tf=True)`` would give. Hash
    collisions are rare at the default size (a few percent of buckets, mostly between rare
    n-grams): ``feature_names_`` names each bucket by the first n-gram seen in it. The saved
    model holds the kept buckets only; the bucket-to-column table (4 MB at 20 bits) is
    rebuilt from them on first use.
    """

    def __init__(
        self,
        analyzer: str = "char",
        ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 2,
        max_features: int = 100_000,
        hash_bits: int = 20,
    ) -> None:
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.hash_bits = hash_bits

    def _units(self, texts: list[str]) -> tuple[npt.NDArray[np.uint64], list[str] | str]:
        """Return the units of all texts, 0 after each text, and what names are cut from."""
        if self.analyzer == "char":
            joined = "\x00".join(text.lower() for text in texts) + "\x00"
            codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
            return codes.astype(np.uint64), joined
        if self.analyzer != "word":
            raise ValueError(f"analyzer must be 'char' or 'word', got {self.analyzer!r}")
        tokens: list[str] = []
        for text in texts:
            tokens.extend(_WORD_RE.findall(text.lower()))
            tokens.append("")
        # crc32 is stable across processes (unlike hash()); + 1 keeps 0 for the separator.
        ids = {token: zlib.crc32(token.encode("utf-8")) + 1 for token in set(tokens)}
        ids[""] = 0
        return np.fromiter((ids[t] for t in tokens), dtype=np.uint64, count=len(tokens)), tokens

    def _ngrams(
        self, texts: list[str]
    ) -> tuple[
        npt.NDArray[np.int64], npt.NDArray[np.int64], list[npt.NDArray[np.int64]], list[str] | str
    ]:
        """Return the row and bucket of every n-gram, its start per length, and the units."""
        low, high = self.ngram_range
        codes, source = self._units(texts)
        boundary = np.flatnonzero(codes == 0)
        row_of = np.zeros(codes.size, dtype=np.int64)
        row_of[boundary[:-1] + 1] = 1
        row_of = np.cumsum(row_of)
        # Distance from each position to the next separator (the one ending its row): a
        # window of n units fits when it is at least n.
        room = boundary[row_of] - np.arange(codes.size)
        mask = np.uint64((1 << self.hash_bits) - 1)
        starts = [np.flatnonzero(room >= n) for n in range(low, high + 1)]
        # Filled in place, length by length: concatenating per-length pieces cost a third of
        # this function (measured).
        total = sum(p.size for p in starts)
        rows = np.empty(total, dtype=np.int64)
        buckets = np.empty(total, dtype=np.int64)
        rolling = np.zeros(codes.size, dtype=np.uint64)
        offset = 0
        for n in range(1, high + 1):
            # rolling[i] now hashes codes[i : i + n]; uint64 arithmetic wraps modulo 2**64.
            rolling *= _BASE
            rolling[: codes.size - n + 1] += codes[n - 1 :]
            if n < low:
                continue
            positions = starts[n - low]
            end = offset + positions.size
            mixed = rolling[positions] * _MIX + np.uint64(n)
            buckets[offset:end] = (mixed ^ (mixed >> np.uint64(29))) & mask
            rows[offset:end] = row_of[positions]
            offset = end
        return rows, buckets, starts, source

    def _name(self, source: list[str] | str, start: int, n: int) -> str:
        if isinstance(source, str):
            return source[start : start + n]
        return " ".join(source[start : start + n])

    def _lookup(self) -> npt.NDArray[np.int32]:
        """Return the bucket-to-column table (-1: not kept), built once per loaded model.

        A direct table, because a binary search per n-gram would cost more than all the
        rest of ``transform``.
        """
        table = self.__dict__.get("_table")
        if table is None:
            table = np.full(1 << self.hash_bits, -1, dtype=np.int32)
            table[self.buckets_] = np.arange(self.buckets_.size, dtype=np.int32)
            self._table = table
        return table

    def __getstate__(self) -> dict[str, object]:
        """Leave the lookup table out of saved models: ``buckets_`` rebuilds it."""
        state = dict(super().__getstate__())
        state.pop("_table", None)
        return state

    def _counts(self, texts: list[str]) -> sparse.csr_matrix:
        """Return the raw n-gram counts of ``texts`` over the kept buckets."""
        rows, buckets, _, _ = self._ngrams(texts)
        width = self.idf_.size
        cols = self._lookup()[buckets]
        keep = cols >= 0
        # One sort of (row, column) keys gives the CSR layout and the counts at once.
        keys = np.sort(rows[keep] * width + cols[keep])
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
        counts = np.diff(np.append(starts, keys.size)).astype(np.float32)
        distinct = keys[starts]
        indptr = np.searchsorted(distinct // width, np.arange(len(texts) + 1))
        return sparse.csr_matrix((counts, distinct % width, indptr), shape=(len(texts), width))

    def fit(self, texts: list[str], y: object = None) -> HashedNgrams:
        """Choose the buckets to keep and learn their inverse document frequencies.

        Document frequencies add up over chunks; each bucket is named by its first n-gram
        (shortest first within a chunk, then by position), recorded once.

        Raises:
            ValueError: no n-gram occurs in ``min_df`` texts, or the analyzer is unknown.

        """
        self._learn(list(texts), keep=False)
        return self

    def fit_transform(self, texts: list[str], y: object = None, **_: object) -> sparse.csr_matrix:
        """Fit, and return what ``transform(texts)`` would, counting each n-gram once.

        The default would compute every n-gram of ``texts`` twice: in ``fit`` and again in
        ``transform`` (the pipeline's fit and each tuning fold do both on the same texts).
        Each chunk's counts over all buckets are kept meanwhile, about as large as the result.
        """
        chunks = self._learn(list(texts), keep=True)
        lookup = self._lookup()
        blocks = []
        for indptr, buckets, counts in chunks:
            columns = lookup[buckets]
            kept = columns >= 0
            rows = np.repeat(np.arange(indptr.size - 1), np.diff(indptr))[kept]
            sizes = np.bincount(rows, minlength=indptr.size - 1)
            matrix = sparse.csr_matrix(
                (counts[kept], columns[kept], np.concatenate([[0], np.cumsum(sizes)])),
                shape=(indptr.size - 1, self.idf_.size),
            )
            blocks.append(self._weighted(matrix))
        return _stacked(blocks, self.idf_.size)

    def _learn(
        self, texts: list[str], *, keep: bool
    ) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.float32]]]:
        """Fit on ``texts``; with ``keep``, return each chunk's counts over all buckets.

        Each kept chunk is ``(indptr, buckets, counts)``, a CSR layout sorted by bucket within
        each text.
        """
        size = 1 << self.hash_bits
        kept_chunks = []
        df = np.zeros(size, dtype=np.int64)
        # Where each bucket's name is cut from: its first chunk (-1: none yet), start, length.
        name_chunk = np.full(size, -1, dtype=np.int64)
        name_start = np.zeros(size, dtype=np.int64)
        name_length = np.zeros(size, dtype=np.int64)
        chunks = _chunks(texts)
        for index, chunk in enumerate(chunks):
            rows, buckets, starts, source = self._ngrams(chunk)
            # Document frequency: count each (text, bucket) pair once. Sorting beats
            # np.unique's hash table on arrays this size.
            pairs = np.sort(rows * size + buckets)
            runs = np.flatnonzero(np.concatenate([[True], pairs[1:] != pairs[:-1]]))
            distinct = pairs[runs]
            df += np.bincount(distinct % size, minlength=size)
            if keep:
                per_text = np.bincount(distinct // size, minlength=len(chunk))
                kept_chunks.append(
                    (
                        np.concatenate([[0], np.cumsum(per_text)]),
                        (distinct % size).astype(np.int32),
                        np.diff(np.append(runs, pairs.size)).astype(np.float32),
                    )
                )
            # The first occurrence of each bucket no earlier chunk named: the smallest index
            # (occurrences run shortest n-gram first, then by position). ``minimum.at`` is one
            # pass; a stable sort of the occurrences took a quarter of the fit (measured).
            unnamed = np.flatnonzero(name_chunk[buckets] < 0)
            first = np.full(size, buckets.size, dtype=np.int64)
            np.minimum.at(first, buckets[unnamed], unnamed)
            fresh = np.flatnonzero(first < buckets.size)
            chosen = first[fresh]
            name_chunk[fresh] = index
            name_start[fresh] = np.concatenate(starts)[chosen]
            name_length[fresh] = np.concatenate(
                [np.full(p.size, self.ngram_range[0] + i) for i, p in enumerate(starts)]
            )[chosen]
        candidates = np.flatnonzero(df >= self.min_df)
        if candidates.size > self.max_features:
            order = np.argsort(-df[candidates], kind="stable")[: self.max_features]
            candidates = np.sort(candidates[order])
        if candidates.size == 0:
            raise ValueError(f"no {self.analyzer} n-gram reaches min_df: lower it or add data")
        self.buckets_ = candidates
        self.__dict__.pop("_table", None)
        self.idf_ = np.log((1 + len(texts)) / (1 + df[candidates])) + 1.0
        self.feature_names_ = self._names(chunks, candidates, name_chunk, name_start, name_length)
        return kept_chunks

    def _names(
        self,
        chunks: list[list[str]],
        buckets: npt.NDArray[np.int64],
        chunk_of: npt.NDArray[np.int64],
        start_of: npt.NDArray[np.int64],
        length_of: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.str_]:
        """Name the kept buckets only, each by its first n-gram, cut from its chunk's units.

        Naming every bucket seen as it was met built a string per bucket, hundreds of thousands
        more than are kept; the units are rebuilt only for the chunks that hold a kept name.
        """
        names = np.empty(buckets.size, dtype=object)
        for index in np.unique(chunk_of[buckets]).tolist():
            here = np.flatnonzero(chunk_of[buckets] == index)
            _, source = self._units(chunks[index])
            starts, lengths = start_of[buckets[here]].tolist(), length_of[buckets[here]].tolist()
            names[here] = [
                self._name(source, start, n) for start, n in zip(starts, lengths, strict=True)
            ]
        # A fixed-width string array, which skops stores as one block, not string by string.
        return np.array(names.tolist(), dtype=str)

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        """Return the L2-normalised sublinear TF-IDF matrix of ``texts``, in ``float32``.

        ``float32`` halves the matrix the classifier reads; TF-IDF weights need no more than
        its seven digits.
        """
        return _stacked(
            [self._weighted(self._counts(chunk)) for chunk in _chunks(list(texts))],
            self.idf_.size,
        )

    def _weighted(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """Turn raw counts over the kept buckets into L2-normalised sublinear TF-IDF."""
        counts.data = (1.0 + np.log(counts.data)) * self.idf_.astype(np.float32)[counts.indices]
        return normalize(counts, copy=False)

    def get_feature_names_out(self, input_features: object = None) -> npt.NDArray[np.object_]:
        """Return one n-gram per kept bucket, in column order."""
        return self.feature_names_.astype(object)


def build_features(config: FeatureConfig) -> FeatureUnion:
    """Return the unfitted union of the word and the character n-gram TF-IDF.

    Feature names come out as ``word__free`` and ``char__ cal``, so the informative-feature
    table says which kind of evidence the model uses.
    """
    return FeatureUnion(
        [
            (
                "word",
                HashedNgrams(
                    analyzer="word",
                    ngram_range=config.word_ngrams,
                    min_df=config.min_df,
                    max_features=config.max_features,
                ),
            ),
            (
                "char",
                HashedNgrams(
                    analyzer="char",
                    ngram_range=config.char_ngrams,
                    min_df=config.min_df,
                    max_features=config.max_features,
                ),
            ),
        ]
    )
