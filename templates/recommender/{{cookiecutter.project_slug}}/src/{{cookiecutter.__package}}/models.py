"""The recommenders compared in the trade-off analysis, behind one small interface.

Every model maps a batch of user histories (a sparse user-by-item matrix) to a dense score
matrix in one matrix operation, then ``recommend`` masks what each user has already seen and
takes the top k with ``argpartition``: no Python loop per user anywhere in the hot path.
Because each model scores from a history rather than from a learned user vector, all of them
can serve a user who was not in the training data (fold-in), which is what cold start needs.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Self

import numpy as np
import numpy.typing as npt
from scipy import sparse

from {{ cookiecutter.__package }}.modelfile import ModelFileError, dump_model, load_model_file

__all__ = [
    "MODEL_CLASSES",
    "ContentRecommender",
    "EASERecommender",
    "HYPERPARAMETERS",
    "ItemKNNRecommender",
    "PopularityRecommender",
    "TRUSTED_TYPES",
    "RandomRecommender",
    "Recommender",
    "build_model",
    "load_model",
    "save_model",
]

Scores = npt.NDArray[np.float32]
# Users scored at once: bounds the dense score block to about 2,048 x n_items floats.
BATCH_USERS = 2048


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

    def recommend(
        self, history: sparse.csr_matrix, k: int, exclude: sparse.csr_matrix | None = None
    ) -> npt.NDArray[np.int64]:
        """Return the indices of the ``k`` best unseen items per user, best first.

        Items in ``history`` are never recommended, nor those in ``exclude`` (same shape),
        which the scores do not see: what a user did that the model is not told about.

        Raises:
            ValueError: ``history`` has a different number of items than the training data.

        """
        if history.shape[1] != self.n_items_:
            raise ValueError(f"history has {history.shape[1]} items, model knows {self.n_items_}")
        k = min(k, self.n_items_)
        history = sparse.csr_matrix(history)
        seen = history if exclude is None else sparse.csr_matrix(history + exclude)
        out = np.empty((history.shape[0], k), dtype=np.int64)
        for start in range(0, history.shape[0], BATCH_USERS):
            block = history[start : start + BATCH_USERS]
            scores = self.score(block)
            rows, cols = seen[start : start + BATCH_USERS].nonzero()
            scores[rows, cols] = -np.inf
            top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
            order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1, kind="stable")
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
        norms = np.sqrt(_item_counts(train))
        norms[norms == 0] = 1.0
        normalised = sparse.csc_matrix(train @ sparse.diags(1.0 / norms), dtype=np.float32)
        k = min(self.neighbours, max(1, n_items - 1))
        rows, cols, values = [], [], []
        block = max(1, 4_000_000 // max(1, n_items))
        for start in range(0, n_items, block):
            stop = min(n_items, start + block)
            similarity = (normalised[:, start:stop].T @ normalised).toarray()
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

    def score(self, history: sparse.csr_matrix) -> Scores:
        """Sum, for each candidate, its similarity to the items in the history."""
        return np.asarray((history @ self.similarity_.T).toarray(), dtype=np.float32)


class EASERecommender(Recommender):
    """EASE (Steck, 2019): a linear item-to-item autoencoder with a closed-form solution.

    One regularised inverse of the item Gram matrix gives the weights: no epochs, no
    learning-rate tuning, and state-of-the-art accuracy on MovieLens-sized catalogues. The
    cost is an ``n_items x n_items`` dense matrix, fine up to some tens of thousands of items.
    """

    name = "ease"
    description = "EASE linear autoencoder, closed form (Steck 2019)."

    def __init__(self, l2: float = 250.0) -> None:
        self.l2 = l2

    def fit(self, train: sparse.csr_matrix, features: sparse.csr_matrix | None) -> Self:
        """Set ``B = I - P diagMat(1 / diag(P))``, ``P = (X'X + l2 I)^-1``; zero diagonal."""
        self.n_items_ = train.shape[1]
        gram = (train.T @ train).toarray().astype(np.float64)
        gram[np.diag_indices_from(gram)] += self.l2
        precision = np.linalg.inv(gram)
        weights = precision / -np.diag(precision)
        weights[np.diag_indices_from(weights)] = 0.0
        self.weights_ = weights.astype(np.float32)
        return self

    def score(self, history: sparse.csr_matrix) -> Scores:
        """Reconstruct each history through the learned item-to-item weights."""
        return np.asarray(history @ self.weights_, dtype=np.float32)


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
        "{{ cookiecutter.__package }}.models.ContentRecommender",
        "scipy.sparse._csr.csr_matrix",
    }
)


#: The one hyperparameter each tunable model has, by config name: what validation chooses.
HYPERPARAMETERS = {"item_knn": "neighbours", "ease": "l2", "content": "popularity_weight"}


def build_model(name: str, *, seed: int, value: float | None = None) -> Recommender:
    """Return an unfitted model by its config name, with ``value`` for its hyperparameter.

    Raises:
        KeyError: the name is not a known model.
        ValueError: a tunable model without a value, or a value for one that has none.

    """
    cls = _BY_NAME[name]
    if name not in HYPERPARAMETERS:
        if value is not None:
            raise ValueError(f"{name} has no hyperparameter to set")
        return RandomRecommender(seed=seed) if name == "random" else cls()
    if value is None:
        raise ValueError(f"{name} needs a value for {HYPERPARAMETERS[name]}")
    if name == "item_knn":
        return ItemKNNRecommender(neighbours=int(value))
    if name == "ease":
        return EASERecommender(l2=value)
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
