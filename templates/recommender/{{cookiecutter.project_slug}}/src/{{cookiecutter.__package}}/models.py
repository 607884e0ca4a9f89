"""The recommenders compared in the trade-off analysis, behind one small interface.

Every model maps a batch of user histories (a sparse user-by-item matrix) to a dense score
matrix in one matrix operation, then ``recommend`` masks what each user has already seen and
takes the top k with ``argpartition``: no Python loop per user anywhere in the hot path.
Because each model scores from a history rather than from a learned user vector, all of them
can serve a user who was not in the training data (fold-in), which is what cold start needs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
from scipy import linalg, sparse
from threadpoolctl import threadpool_limits

from {{ cookiecutter.__package }}.modelfile import ModelFileError, dump_model, load_model_file
from {{ cookiecutter.__package }}.progress import interactive, track

__all__ = [
    "ALSRecommender",
    "EASE_COPIES",
    "MODEL_CLASSES",
    "ContentRecommender",
    "EASEGram",
    "EASERecommender",
    "EASETooLargeError",
    "HYPERPARAMETERS",
    "ItemKNNRecommender",
    "PopularityRecommender",
    "TRUSTED_TYPES",
    "RandomRecommender",
    "Recommender",
    "SCORE_CELLS",
    "build_model",
    "ease_bytes",
    "ease_items_within",
    "load_model",
    "save_model",
]

Scores = npt.NDArray[np.float32]
#: Dense scores held at once when recommending, in float32 cells (16 MB): about 2,400 users
#: of a 1,700-item catalogue, 200 of a 20,000-item one. Larger batches were no faster.
SCORE_CELLS = 4_000_000


class Recommender:
    """Base class: subclasses learn in ``fit`` and score histories in ``score``."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    n_items_: int = 0

    def fit(self, train: sparse.csr_matrix, features: sparse.csr_matrix | None) -> Self:
        """Learn from the binary user-by-item ``train`` matrix and optional item ``features``."""
        raise NotImplementedError

    def score(self, history: sparse.csr_matrix) -> Scores:
        """Return one row of item scores per row of ``history``; higher is better."""
        raise NotImplementedError

    def restriction(self) -> dict[str, float] | None:
        """Return the part of the catalogue the fitted model ranks, when it is not all of it.

        ``items`` kept of ``of``, and ``interactions``, the share of the training
        interactions they hold: the report states both. None for a model that ranks every item.
        """
        return None

    def recommend(
        self,
        history: sparse.csr_matrix,
        k: int,
        exclude: sparse.csr_matrix | None = None,
        *,
        batch_users: int | None = None,
    ) -> npt.NDArray[np.int64]:
        """Return the indices of the ``k`` best unseen items per user, best first.

        Items in ``history`` are never recommended, nor those in ``exclude`` (same shape),
        which the scores do not see: what a user did that the model is not told about.
        Users are scored in batches of ``batch_users`` (by default as many as keep a batch's
        dense scores near ``SCORE_CELLS``), so memory stays bounded however many users and
        items there are; the lists do not depend on the batch size, except the random
        model's, whose noise is seeded by each batch.

        Raises:
            ValueError: ``history`` has a different number of items than the training data.

        """
        if history.shape[1] != self.n_items_:
            raise ValueError(f"history has {history.shape[1]} items, model knows {self.n_items_}")
        k = min(k, self.n_items_)
        batch = batch_users or max(1, SCORE_CELLS // max(1, self.n_items_))
        history = sparse.csr_matrix(history)
        seen = history if exclude is None else sparse.csr_matrix(history + exclude)
        out = np.empty((history.shape[0], k), dtype=np.int64)
        for start in range(0, history.shape[0], batch):
            block = history[start : start + batch]
            scores = self.score(block)
            rows, cols = seen[start : start + batch].nonzero()
            scores[rows, cols] = -np.inf
            # Negated in place (the best is the smallest) rather than through a copy.
            np.negative(scores, out=scores)
            top = np.argpartition(scores, k - 1, axis=1)[:, :k]
            order = np.argsort(np.take_along_axis(scores, top, axis=1), axis=1, kind="stable")
            out[start : start + block.shape[0]] = np.take_along_axis(top, order, axis=1)
        return out


def _item_counts(train: sparse.csr_matrix) -> npt.NDArray[np.float64]:
    return np.asarray(train.sum(axis=0), dtype=np.float64).ravel()


class RandomRecommender(Recommender):
    """Uniformly random unseen items: the floor every model must clear."""

    name = "random"
    description = "Random unseen items; the floor any model must beat."

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def fit(self, train: sparse.csr_matrix, features: sparse.csr_matrix | None) -> Self:
        """Remember the catalogue size; there is nothing to learn."""
        self.n_items_ = train.shape[1]
        return self

    def score(self, history: sparse.csr_matrix) -> Scores:
        """Seeded noise: the same histories always get the same lists.

        The histories themselves join the seed, so successive batches of users get
        different noise instead of repeating the first batch's lists.
        """
        history = sparse.csr_matrix(history)
        fingerprint = [int(history.shape[0]), int(history.nnz), int(history.indices.sum())]
        rng = np.random.default_rng([self.seed, *fingerprint])
        return rng.random((history.shape[0], self.n_items_), dtype=np.float32)


class PopularityRecommender(Recommender):
    """The most-interacted items: the strong, unpersonalised baseline of every product."""

    name = "popularity"
    description = "The most interacted-with items in training; the same list for everyone."

    def fit(self, train: sparse.csr_matrix, features: sparse.csr_matrix | None) -> Self:
        """Count interactions per item."""
        self.n_items_ = train.shape[1]
        self.counts_ = _item_counts(train).astype(np.float32)
        return self

    def score(self, history: sparse.csr_matrix) -> Scores:
        """Every user gets the item counts."""
        return np.tile(self.counts_, (history.shape[0], 1))


class ItemKNNRecommender(Recommender):
    """Item-item neighbourhood: items liked by the same users as yours, by cosine similarity."""

    name = "item_knn"
    description = "Item-item cosine neighbourhood (sparse top-k similarities)."

    def __init__(self, neighbours: int = 50) -> None:
        self.neighbours = neighbours

    def fit(self, train: sparse.csr_matrix, features: sparse.csr_matrix | None) -> Self:
        """Keep each item's ``neighbours`` most similar items, computed in blocks of items.

        Blocks bound memory to ``block x n_items`` dense floats, so large catalogues never
        materialise the full item-by-item matrix.
        """
        n_items = train.shape[1]
        self.n_items_ = n_items
        self.__dict__.pop("_transposed", None)
        norms = np.sqrt(_item_counts(train))
        norms[norms == 0] = 1.0
        normalised = sparse.csr_matrix(train @ sparse.diags(1.0 / norms), dtype=np.float32)
        # Both operands CSR: a CSC right-hand side is converted to CSR again in every block,
        # which at ten million interactions cost more than the products themselves.
        by_item = sparse.csr_matrix(normalised.T)
        k = min(self.neighbours, max(1, n_items - 1))
        rows, cols, values = [], [], []
        block = max(1, 4_000_000 // max(1, n_items))
        for start in track(
            range(0, n_items, block),
            description="item-kNN similarities",
            total=-(-n_items // block),
            unit="block",
        ):
            stop = min(n_items, start + block)
            similarity = (by_item[start:stop] @ normalised).toarray()
            similarity[np.arange(stop - start), np.arange(start, stop)] = 0.0
            top = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
            rows.append(np.repeat(np.arange(start, stop), k))
            cols.append(top.ravel())
            values.append(np.take_along_axis(similarity, top, axis=1).ravel())
        matrix = sparse.csr_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
            shape=(n_items, n_items),
            dtype=np.float32,
        )
        matrix.eliminate_zeros()
        self.similarity_ = matrix
        return self

    def narrowed(self, neighbours: int) -> ItemKNNRecommender:
        """Return this fitted model keeping only each item's ``neighbours`` most similar items.

        The same neighbours as fitting with ``neighbours`` (up to ties at the cut), without
        computing the similarities again: validation fits the widest candidate once and
        narrows it for the others.
        """
        similarity = self.similarity_
        row = np.repeat(np.arange(similarity.shape[0]), np.diff(similarity.indptr))
        order = np.lexsort((-similarity.data, row))
        rank = np.arange(order.size) - similarity.indptr[row[order]]
        keep = order[rank < neighbours]
        narrow = ItemKNNRecommender(neighbours=neighbours)
        narrow.n_items_ = self.n_items_
        narrow.similarity_ = sparse.csr_matrix(
            (similarity.data[keep], (row[keep], similarity.indices[keep])),
            shape=similarity.shape,
            dtype=np.float32,
        )
        return narrow

    def score(self, history: sparse.csr_matrix) -> Scores:
        """Sum, for each candidate, its similarity to the items in the history."""
        # The transpose as CSR, made once per loaded model: multiplying by the CSC view
        # ``similarity_.T`` converted it again in every batch, half of scoring at 20k items.
        transposed = self.__dict__.get("_transposed")
        if transposed is None:
            transposed = sparse.csr_matrix(self.similarity_.T)
            self.__dict__["_transposed"] = transposed
        return np.asarray((history @ transposed).toarray(), dtype=np.float32)

    def __getstate__(self) -> dict[str, Any]:
        """Save what was learned, never the transposed copy ``score`` keeps."""
        state = dict(self.__dict__)
        state.pop("_transposed", None)
        return state


#: Dense ``n_items x n_items`` float32 matrices EASE holds at its peak, in validation: the
#: Gram matrix every candidate penalty shares, the copy being inverted in place by LAPACK,
#: and the weights of the best candidate so far (saving goes through one more copy, with
#: the Gram matrix gone).
EASE_COPIES = 3
_FLOAT32_BYTES = 4
# Items per block when the dense Gram matrix is filled from sparse products: bounds the
# sparse intermediate to about this many cells, whatever the catalogue.
_GRAM_BLOCK_CELLS = 8_000_000


def ease_bytes(n_items: int) -> int:
    """Return the memory the EASE fit needs for ``n_items``: ``items² x 4 bytes x copies``."""
    return n_items * n_items * _FLOAT32_BYTES * EASE_COPIES


def ease_items_within(budget_bytes: float) -> int:
    """Return the most items whose EASE fit stays within ``budget_bytes``."""
    return math.isqrt(int(budget_bytes // (_FLOAT32_BYTES * EASE_COPIES)))


@dataclass(frozen=True)
class EASEGram:
    """The kept items (None: all), their dense Gram matrix, and every item's training count."""

    items: npt.NDArray[np.int64] | None
    matrix: npt.NDArray[np.float32]
    counts: npt.NDArray[np.float64]
    n_items: int


class EASETooLargeError(ValueError):
    """EASE's item-item matrix would not fit its memory budget, and restricting is refused."""


def _dense_gram(train: sparse.csc_matrix) -> npt.NDArray[np.float32]:
    """Return ``train' train`` as a dense float32 matrix, built in blocks of items.

    One sparse product of the whole matrix would hold the co-occurrences of every pair of
    items in a sparse intermediate as large as the dense result (8 bytes a cell with its
    index); blocks keep that intermediate to a few million cells.
    """
    n_items = train.shape[1]
    gram = np.empty((n_items, n_items), dtype=np.float32)
    block = max(1, _GRAM_BLOCK_CELLS // max(1, n_items))
    # Both operands CSR, so no block converts the right-hand side again.
    by_item, by_user = sparse.csr_matrix(train.T), sparse.csr_matrix(train)
    for start in range(0, n_items, block):
        stop = min(n_items, start + block)
        gram[start:stop] = (by_item[start:stop] @ by_user).toarray()
    return gram


def _invert_in_place(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Invert a symmetric positive definite float32 matrix in its own memory (Cholesky).

    ``numpy.linalg.inv`` solves against an identity matrix it allocates, holding three
    ``n x n`` matrices; LAPACK's ``potrf`` and ``potri`` overwrite the input instead, at half
    the floating-point work of a general inverse. ``potri`` writes one triangle, which is
    mirrored in blocks of rows.

    Raises:
        ValueError: the matrix is not positive definite (LAPACK's ``info`` is positive).

    """
    # The transpose of a C-ordered array is Fortran-ordered, what LAPACK overwrites in place.
    factor, info = linalg.lapack.spotrf(matrix.T, lower=0, overwrite_a=1, clean=0)
    if info == 0:
        factor, info = linalg.lapack.spotri(factor, lower=0, overwrite_c=1)
    if info != 0:
        raise ValueError(f"the regularised Gram matrix is not positive definite (LAPACK {info})")
    inverse = np.asarray(factor).T  # the Fortran upper triangle is the C-ordered lower one
    n = inverse.shape[0]
    block = max(1, _GRAM_BLOCK_CELLS // max(1, n))
    for start in range(0, n, block):
        stop = min(n, start + block)
        diagonal = np.tril(inverse[start:stop, start:stop])
        inverse[start:stop, start:stop] = diagonal + np.tril(diagonal, -1).T
        inverse[start:stop, stop:] = inverse[stop:, start:stop].T
    return inverse


class EASERecommender(Recommender):
    """EASE (Steck, 2019): a linear item-to-item autoencoder with a closed-form solution.

    One regularised inverse of the item Gram matrix gives the weights: no epochs, no
    learning-rate tuning, and state-of-the-art accuracy on MovieLens-sized catalogues. The
    cost is a dense ``n_items x n_items`` matrix: memory grows with the square of the
    catalogue and the inverse with its cube. Before fitting, that memory (``ease_bytes``) is
    checked against the budget; a catalogue over it is restricted to the most popular items
    that fit (the others are never recommended by EASE, and the report says how many items
    and what share of the interactions it kept), or refused with the key to change.
    """

    name = "ease"
    description = "EASE linear autoencoder, closed form (Steck 2019)."

    def __init__(
        self, l2: float = 250.0, max_memory_gib: float = 1.0, on_too_large: str = "restrict"
    ) -> None:
        self.l2 = l2
        self.max_memory_gib = max_memory_gib
        self.on_too_large = on_too_large

    def _catalogue(self, train: sparse.csr_matrix) -> npt.NDArray[np.int64] | None:
        """Return the items EASE keeps (None: all of them), or refuse a catalogue too large."""
        n_items = train.shape[1]
        budget = self.max_memory_gib * 2**30
        if ease_bytes(n_items) <= budget:
            return None
        fits = ease_items_within(budget)
        if self.on_too_large == "refuse" or fits < 1:
            raise EASETooLargeError(
                f"EASE needs {ease_bytes(n_items) / 2**30:.1f} GiB for its {n_items:,} x "
                f"{n_items:,} item matrix, over models.ease.max_memory_gib = "
                f"{self.max_memory_gib:g}: raise models.ease.max_memory_gib, set "
                'models.ease.on_too_large = "restrict", or remove "ease" from models.enabled'
            )
        popular = np.argsort(-_item_counts(train), kind="stable")[:fits]
        return np.sort(popular)

    def gram(self, train: sparse.csr_matrix) -> EASEGram:
        """Return what every L2 penalty shares: the kept items and their Gram matrix.

        Validation computes it once and fits each candidate penalty from it
        (``fit_gram(gram, copy=True)``): at ten million interactions the Gram matrix costs as
        much as an inverse. Raises ``EASETooLargeError`` as ``fit`` does.
        """
        items = self._catalogue(train)
        counts = _item_counts(train)
        kept = sparse.csr_matrix(train if items is None else train[:, items], dtype=np.float32)
        return EASEGram(items, _dense_gram(kept), counts, train.shape[1])

    def fit(self, train: sparse.csr_matrix, features: sparse.csr_matrix | None) -> Self:
        """Set ``B = I - P diagMat(1 / diag(P))``, ``P = (X'X + l2 I)^-1``; zero diagonal.

        float32 throughout: the weights are sums of a few thousand products of counts, far
        from float32's 7 significant digits mattering for a ranking.

        Raises:
            EASETooLargeError: the catalogue is over the budget and restricting is refused.

        """
        return self.fit_gram(self.gram(train), copy=False)

    def fit_gram(self, gram: EASEGram, *, copy: bool) -> Self:
        """Fit from a Gram matrix made by ``gram``; ``copy=False`` inverts it in its memory."""
        self.n_items_ = gram.n_items
        items, counts = gram.items, gram.counts
        matrix = gram.matrix.copy() if copy else gram.matrix
        matrix[np.diag_indices_from(matrix)] += np.float32(self.l2)
        weights = _invert_in_place(matrix)
        weights /= -np.diag(weights)
        weights[np.diag_indices_from(weights)] = 0.0
        self.weights_ = weights
        self.items_ = items
        if items is not None:
            # Items left out follow every kept one, most popular first: offsets in [0, 1).
            left_out = np.setdiff1d(np.arange(self.n_items_), items)
            order = np.argsort(-counts[left_out], kind="stable")
            offsets = np.empty(left_out.size, dtype=np.float32)
            offsets[order] = np.arange(left_out.size, dtype=np.float32) / max(1, left_out.size)
            self.left_out_, self.offsets_ = left_out, offsets
        self.kept_share_ = (
            1.0 if items is None else float(counts[items].sum() / max(counts.sum(), 1.0))
        )
        return self

    def restriction(self) -> dict[str, float] | None:
        """Say how many of the most popular items EASE kept, when its budget restricted it."""
        if self.items_ is None:
            return None
        return {"items": self.items_.size, "of": self.n_items_, "interactions": self.kept_share_}

    def score(self, history: sparse.csr_matrix) -> Scores:
        """Reconstruct each history through the learned item-to-item weights.

        In a restricted catalogue the items left out score below every kept item of the
        same user, in order of popularity: a list reaches them only when a user has seen
        nearly all the kept items.
        """
        if self.items_ is None:
            return np.asarray(history @ self.weights_, dtype=np.float32)
        kept = np.asarray(sparse.csr_matrix(history)[:, self.items_] @ self.weights_)
        scores = np.empty((history.shape[0], self.n_items_), dtype=np.float32)
        scores[:, self.items_] = kept
        floor = kept.min(axis=1, keepdims=True, initial=0.0) - 1.0
        scores[:, self.left_out_] = floor - self.offsets_
        return scores


class ALSRecommender(Recommender):
    """Implicit-feedback matrix factorisation by alternating least squares (``implicit``).

    Hu, Koren and Volinsky (2008), as the ``implicit`` library implements it on sparse CSR
    matrices: memory and time grow with the interactions and ``factors x n_items``, not with
    the square of the catalogue, so it keeps going where EASE's dense matrix stops. Only the
    item factors are kept; a user, known or not, is folded in from their history by the same
    least-squares step that training alternates (``recalculate_user``), so cold start works as
    in the other models. The BLAS pool is held at one thread while ``implicit`` runs its own
    threads (one per core), as its documentation asks: two pools on two cores thrash.
    """

    name = "als"
    description = "Implicit ALS matrix factorisation (Hu et al. 2008, the implicit library)."

    def __init__(
        self,
        factors: int = 64,
        regularization: float = 0.05,
        alpha: float = 2.0,
        iterations: int = 15,
        seed: int = 0,
    ) -> None:
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.seed = seed

    def _solver(self) -> Any:
        # Imported here: implicit loads its compiled modules and checks the BLAS set-up on
        # import, which the other models and the API's start-up need not pay for.
        from implicit.cpu.als import AlternatingLeastSquares

        return AlternatingLeastSquares(
            factors=self.factors,
            regularization=self.regularization,
            alpha=self.alpha,
            iterations=self.iterations,
            random_state=self.seed,
            num_threads=0,  # every core the process may use
        )

    def fit(self, train: sparse.csr_matrix, features: sparse.csr_matrix | None) -> Self:
        """Factorise the binary ``train`` matrix; keep the item factors (float32)."""
        self.n_items_ = train.shape[1]
        with threadpool_limits(1, "blas"):
            solver = self._solver()
            solver.fit(sparse.csr_matrix(train, dtype=np.float32), show_progress=interactive())
        self.item_factors_ = np.ascontiguousarray(solver.item_factors, dtype=np.float32)
        return self

    def score(self, history: sparse.csr_matrix) -> Scores:
        """Fold each history in (one least-squares solve per user), then score every item."""
        history = sparse.csr_matrix(history, dtype=np.float32)
        with threadpool_limits(1, "blas"):
            solver = self._solver()
            solver.item_factors = self.item_factors_
            users = solver.recalculate_user(np.arange(history.shape[0]), history)
        return np.asarray(users @ self.item_factors_.T, dtype=np.float32)


class ContentRecommender(Recommender):
    """Metadata similarity blended with a popularity prior: serves users with no history.

    A user's profile is the sum of the feature vectors (categories, decade) of the items in
    their history; candidates are scored by cosine similarity to it. The popularity prior
    breaks the many ties of coarse metadata and is all that is left for a user with an empty
    history, who therefore gets the popular items, as a product would show a new visitor.
    New items with metadata but no interactions can still be recommended, unlike in the
    other models. Without any item features the prior is all there is: the model then ranks
    exactly as popularity does, and the report says so.
    """

    name = "content"
    description = "Item-metadata similarity blended with a popularity prior (cold start)."

    def __init__(self, popularity_weight: float = 0.3) -> None:
        self.popularity_weight = popularity_weight

    def fit(self, train: sparse.csr_matrix, features: sparse.csr_matrix | None) -> Self:
        """Keep the item features and a log-scaled popularity prior in [0, 1]."""
        self.n_items_ = train.shape[1]
        self.features_ = features
        prior = np.log1p(_item_counts(train))
        self.prior_ = (prior / max(prior.max(), 1e-12)).astype(np.float32)
        return self

    def score(self, history: sparse.csr_matrix) -> Scores:
        """Blend cosine similarity to the user's profile with the popularity prior."""
        prior = np.tile(self.prior_, (history.shape[0], 1))
        if self.features_ is None:
            return prior
        profile = np.asarray((history @ self.features_).toarray(), dtype=np.float32)
        norms = np.linalg.norm(profile, axis=1, keepdims=True)
        profile /= np.where(norms == 0, 1.0, norms)
        similarity = np.asarray((self.features_ @ profile.T).T, dtype=np.float32)
        return (1.0 - self.popularity_weight) * similarity + self.popularity_weight * prior


MODEL_CLASSES: tuple[type[Recommender], ...] = (
    RandomRecommender,
    PopularityRecommender,
    ItemKNNRecommender,
    EASERecommender,
    ALSRecommender,
    ContentRecommender,
)
_BY_NAME = {cls.name: cls for cls in MODEL_CLASSES}
# Every type a saved model may contain beyond what skops trusts by default (numpy arrays
# and builtins), by exact name. Never a prefix such as "scipy.", never read from a file:
# skops constructs whatever it is told to trust. A test saves every model and checks that
# this is exactly the set they need.
TRUSTED_TYPES = frozenset(
    {
        "{{ cookiecutter.__package }}.models.RandomRecommender",
        "{{ cookiecutter.__package }}.models.PopularityRecommender",
        "{{ cookiecutter.__package }}.models.ItemKNNRecommender",
        "{{ cookiecutter.__package }}.models.EASERecommender",
        "{{ cookiecutter.__package }}.models.ALSRecommender",
        "{{ cookiecutter.__package }}.models.ContentRecommender",
        "scipy.sparse._csr.csr_matrix",
    }
)


#: The one hyperparameter each tunable model has, by config name: what validation chooses.
HYPERPARAMETERS = {
    "item_knn": "neighbours",
    "ease": "l2",
    "als": "factors",
    "content": "popularity_weight",
}


def build_model(
    name: str, *, seed: int, value: float | None = None, options: Mapping[str, Any] | None = None
) -> Recommender:
    """Return an unfitted model by its config name, with ``value`` for its hyperparameter.

    ``options`` are the model's fixed settings from its config table (EASE's memory budget,
    ALS's regularisation, alpha and iterations); left out, each takes its default.

    Raises:
        KeyError: the name is not a known model.
        ValueError: a tunable model without a value, or a value for one that has none.

    """
    cls = _BY_NAME[name]
    settings = dict(options or {})
    if name not in HYPERPARAMETERS:
        if value is not None:
            raise ValueError(f"{name} has no hyperparameter to set")
        return RandomRecommender(seed=seed) if name == "random" else cls()
    if value is None:
        raise ValueError(f"{name} needs a value for {HYPERPARAMETERS[name]}")
    if name == "item_knn":
        return ItemKNNRecommender(neighbours=int(value))
    if name == "ease":
        return EASERecommender(l2=value, **settings)
    if name == "als":
        return ALSRecommender(factors=int(value), seed=seed, **settings)
    return ContentRecommender(popularity_weight=value)


def save_model(model: Recommender, path: Path) -> int:
    """Save ``model`` with skops (no pickle), atomically, and return the file size in bytes.

    Raises:
        ModelFileError: the model holds a type outside ``TRUSTED_TYPES``; nothing is written.

    """
    dump_model(model, path, trusted=TRUSTED_TYPES)
    return path.stat().st_size


def load_model(path: Path) -> Recommender:
    """Load a model saved by ``save_model``, refusing any file that names another type.

    Raises:
        ModelFileError: the file is missing (``make train``), not a readable skops file,
            names a type outside ``TRUSTED_TYPES`` (nothing in it has run), or holds
            something other than a recommender.

    """
    model = load_model_file(path, trusted=TRUSTED_TYPES)
    if not isinstance(model, Recommender):
        raise ModelFileError(f"{path.name} does not hold a recommender: run `make train`")
    return model
