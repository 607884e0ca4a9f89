"""Each model returns well-formed, deterministic lists, never repeats what a user has seen."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from scipy import sparse

from {{ cookiecutter.__package }}.config import MODEL_NAMES
from {{ cookiecutter.__package }}.models import (
    EASERecommender,
    ItemKNNRecommender,
    PopularityRecommender,
    Recommender,
    build_model,
    load_model,
    save_model,
)

K = 5


def interactions(seed: int = 0, users: int = 60, items: int = 30) -> sparse.csr_matrix:
    rng = np.random.default_rng(seed)
    return sparse.csr_matrix((rng.random((users, items)) < 0.15).astype(np.float32))


def features(items: int = 30) -> sparse.csr_matrix:
    rng = np.random.default_rng(1)
    dense = (rng.random((items, 6)) < 0.3).astype(np.float32)
    dense[dense.sum(axis=1) == 0, 0] = 1.0
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    return sparse.csr_matrix(dense)


def fitted(name: str) -> Recommender:
    model = build_model(name, seed=0, neighbours=10, l2=10.0, popularity_weight=0.3)
    return model.fit(interactions(), features())


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_lists_have_k_distinct_unseen_items(name: str) -> None:
    history = interactions(seed=2)

    recs = fitted(name).recommend(history, K)

    assert recs.shape == (history.shape[0], K)
    assert all(len(set(row)) == K for row in recs)
    seen = history.toarray() > 0
    assert not np.take_along_axis(seen, recs, axis=1).any()


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_the_same_data_gives_the_same_lists(name: str) -> None:
    history = interactions(seed=3)

    assert (fitted(name).recommend(history, K) == fitted(name).recommend(history, K)).all()


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_a_user_with_no_history_still_gets_a_list(name: str) -> None:
    recs = fitted(name).recommend(sparse.csr_matrix((1, 30), dtype=np.float32), K)

    assert recs.shape == (1, K)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_a_saved_model_loads_back_and_recommends_the_same(name: str, tmp_path: Path) -> None:
    model = fitted(name)
    history = interactions(seed=4)
    path = tmp_path / f"{name}.skops"

    size = save_model(model, path)
    loaded = load_model(path)

    assert size == path.stat().st_size > 0
    assert (loaded.recommend(history, K) == model.recommend(history, K)).all()


def test_loading_refuses_types_outside_the_trusted_list(tmp_path: Path) -> None:
    path = tmp_path / "other.skops"
    sio.dump({"payload": sparse.coo_matrix(np.eye(2))}, path)

    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        load_model(path)


def test_popularity_ranks_by_count() -> None:
    train = sparse.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 1, 0], [1, 0, 0, 0]], dtype=float))
    model = PopularityRecommender().fit(train, None)

    recs = model.recommend(sparse.csr_matrix((1, 4)), 3)

    assert recs.tolist() == [[0, 1, 2]]


@pytest.mark.parametrize("model", [EASERecommender(l2=1.0), ItemKNNRecommender(neighbours=3)])
def test_collaborative_models_recommend_what_co_occurs(model: Recommender) -> None:
    # Items 0 and 1 always go together, as do 2 and 3.
    train = sparse.csr_matrix(
        np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 0, 0]], float)
    )
    model.fit(train, None)

    recs = model.recommend(sparse.csr_matrix(np.array([[1, 0, 0, 0], [0, 0, 1, 0]], float)), 1)

    assert recs.ravel().tolist() == [1, 3]


def test_recommend_rejects_a_history_of_the_wrong_width() -> None:
    with pytest.raises(ValueError, match="items"):
        fitted("ease").recommend(sparse.csr_matrix((1, 7)), K)
