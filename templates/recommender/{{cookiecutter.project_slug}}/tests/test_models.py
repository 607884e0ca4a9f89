"""Each model returns well-formed, deterministic lists, never repeats what a user has seen."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skops.io as sio
from scipy import sparse

from {{ cookiecutter.__package }}.config import MODEL_NAMES
from {{ cookiecutter.__package }}.modelfile import ModelFileError, types_needing_trust
from {{ cookiecutter.__package }}.models import (
    TRUSTED_TYPES,
    ALSRecommender,
    EASERecommender,
    EASETooLargeError,
    ItemKNNRecommender,
    PopularityRecommender,
    Recommender,
    build_model,
    ease_bytes,
    ease_items_within,
    load_model,
    save_model,
)

# A real numpy function that runs a string as code: the payload a crafted file would name.
RUNSTRING = ("numpy.testing._private.utils", "runstring")

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


#: A hyperparameter value for each tunable model (validation chooses them in the pipeline).
VALUES = {"item_knn": 10.0, "ease": 10.0, "als": 4.0, "content": 0.3}


def fitted(name: str) -> Recommender:
    model = build_model(name, seed=0, value=VALUES.get(name))
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


def test_the_trusted_types_are_exactly_what_the_models_need(tmp_path: Path) -> None:
    needed: set[str] = set()
    for name in MODEL_NAMES:
        path = tmp_path / f"{name}.skops"
        save_model(fitted(name), path)
        needed |= types_needing_trust(path)

    assert needed == TRUSTED_TYPES


def test_loading_refuses_types_outside_the_trusted_list(tmp_path: Path) -> None:
    path = tmp_path / "other.skops"
    sio.dump({"payload": sparse.coo_matrix(np.eye(2))}, path)

    with pytest.raises(ModelFileError, match=r"scipy\.sparse\._coo\.coo_matrix"):
        load_model(path)


def craft_model_file(path: Path, marker: Path) -> None:
    """Save a real EASE model, then hide in it a node that would ``exec`` code creating ``marker``.

    The node sits inside a trusted type, where a loader that only checked the outer object,
    or trusted every ``numpy.`` name, would construct it.
    """
    save_model(fitted("ease"), path)
    schema = _schema(path)
    # skops's own encoding of the call's arguments, whatever its version writes.
    arguments_file = path.with_name("arguments.skops")
    sio.dump((f"open({str(marker)!r}, 'w').close()", {}), arguments_file)
    arguments = _without_ids(_schema(arguments_file))
    for key in ("protocol", "_skops_version"):
        arguments.pop(key, None)
    module, name = RUNSTRING
    schema["content"]["content"]["l2"] = {
        "__class__": name,
        "__module__": module,
        "__loader__": "ConstructorFromReduceNode",
        "content": arguments,
    }
    with zipfile.ZipFile(path) as archive:
        members = {member: archive.read(member) for member in archive.namelist()}
    members["schema.json"] = json.dumps(schema).encode("utf-8")
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)


def _without_ids(node: Any) -> Any:
    """Drop skops's object ids, which could collide with those of the model's own schema."""
    if isinstance(node, dict):
        return {k: _without_ids(v) for k, v in node.items() if k != "__id__"}
    if isinstance(node, list):
        return [_without_ids(v) for v in node]
    return node


def _schema(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("schema.json"))


def test_a_crafted_model_file_is_refused_before_anything_in_it_runs(tmp_path: Path) -> None:
    path, marker = tmp_path / "ease.skops", tmp_path / "ran"
    craft_model_file(path, marker)

    with pytest.raises(ModelFileError, match="numpy.testing._private.utils.runstring"):
        load_model(path)

    assert not marker.exists()


def test_the_crafted_file_would_run_code_if_its_type_were_trusted(tmp_path: Path) -> None:
    # Proves the payload above is real, so the refusal is what keeps the code from running.
    path, marker = tmp_path / "ease.skops", tmp_path / "ran"
    craft_model_file(path, marker)

    sio.load(path, trusted=sorted(types_needing_trust(path)))

    assert marker.exists()


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04 damaged"])
def test_a_damaged_model_file_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "ease.skops"
    path.write_bytes(content)

    with pytest.raises(ModelFileError, match="ease.skops is not a readable skops model file"):
        load_model(path)


def test_a_missing_model_file_says_to_train(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="make train"):
        load_model(tmp_path / "ease.skops")


def test_a_file_holding_something_else_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ease.skops"
    sio.dump({"weights": np.eye(2)}, path)

    with pytest.raises(ModelFileError, match="does not hold a recommender"):
        load_model(path)


def test_popularity_ranks_by_count() -> None:
    train = sparse.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 1, 0], [1, 0, 0, 0]], dtype=float))
    model = PopularityRecommender().fit(train, None)

    recs = model.recommend(sparse.csr_matrix((1, 4)), 3)

    assert recs.tolist() == [[0, 1, 2]]


@pytest.mark.parametrize(
    "model",
    [
        EASERecommender(l2=1.0),
        ItemKNNRecommender(neighbours=3),
        ALSRecommender(factors=2, regularization=0.01, iterations=10),
    ],
)
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


def test_excluded_items_are_never_recommended_though_the_scores_never_see_them() -> None:
    model = fitted("ease")
    history = interactions(seed=5)[:4]
    first = model.recommend(history, K)
    exclude = sparse.csr_matrix(
        (np.ones(4, dtype=np.float32), (np.arange(4), first[:, 0])), shape=history.shape
    )

    again = model.recommend(history, K, exclude=exclude)

    assert not (again == first[:, :1]).any()
    # The rest keeps its order: only the excluded item left each list.
    assert (again[:, : K - 1] == first[:, 1:]).all()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [("ease", None, "ease needs a value for l2"), ("popularity", 3.0, "popularity has no")],
)
def test_a_hyperparameter_is_given_exactly_to_the_models_that_have_one(
    name: str, value: float | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_model(name, seed=0, value=value)


@pytest.mark.parametrize("name", ["popularity", "item_knn", "ease", "als", "content"])
def test_lists_do_not_depend_on_the_batch_size(name: str) -> None:
    model = fitted(name)
    history = interactions(seed=6)

    whole = model.recommend(history, K, batch_users=history.shape[0])

    for batch in (1, 7, 25):
        assert (model.recommend(history, K, batch_users=batch) == whole).all()


def test_ease_memory_is_items_squared_times_float32_times_its_copies() -> None:
    assert ease_bytes(20_000) == 20_000**2 * 4 * 3
    assert ease_items_within(ease_bytes(5_000)) == 5_000
    assert ease_items_within(ease_bytes(5_000) - 1) == 4_999


def _popular_first(users: int = 80, items: int = 30) -> sparse.csr_matrix:
    # Item i is chosen with probability falling with i: the first items are the popular ones.
    rng = np.random.default_rng(7)
    chance = np.linspace(0.6, 0.05, items)
    return sparse.csr_matrix((rng.random((users, items)) < chance).astype(np.float32))


def test_ease_over_its_budget_keeps_the_most_popular_items_that_fit() -> None:
    train = _popular_first()
    budget = ease_bytes(10) / 2**30  # room for 10 of the 30 items
    model = EASERecommender(l2=5.0, max_memory_gib=budget).fit(train, None)

    kept = model.restriction()
    counts = np.asarray(train.sum(axis=0)).ravel()
    popular = np.argsort(-counts, kind="stable")[:10]
    assert kept == {
        "items": 10,
        "of": 30,
        "interactions": pytest.approx(counts[popular].sum() / counts.sum()),
    }
    recs = model.recommend(sparse.csr_matrix((4, 30), dtype=np.float32), 12)
    # Every kept item comes first; then the others, most popular first.
    assert set(recs[:, :10].ravel()) == set(popular.tolist())
    assert recs[:, 10:].tolist() == [np.argsort(-counts, kind="stable")[10:12].tolist()] * 4
    # Within the kept items it is the same model as EASE fitted on them alone.
    alone = EASERecommender(l2=5.0).fit(sparse.csr_matrix(train[:, np.sort(popular)]), None)
    assert np.allclose(model.weights_, alone.weights_, atol=1e-5)


def test_ease_within_its_budget_ranks_every_item() -> None:
    model = EASERecommender(l2=5.0, max_memory_gib=1.0).fit(_popular_first(), None)

    assert model.restriction() is None
    assert model.weights_.shape == (30, 30)
    assert model.weights_.dtype == np.float32


def test_ease_weights_match_the_textbook_float64_inverse() -> None:
    train = _popular_first()
    gram = (train.T @ train).toarray().astype(np.float64) + 5.0 * np.eye(30)
    precision = np.linalg.inv(gram)
    expected = precision / -np.diag(precision)
    np.fill_diagonal(expected, 0.0)

    model = EASERecommender(l2=5.0).fit(train, None)

    assert np.allclose(model.weights_, expected, atol=1e-5)


def test_ease_refuses_a_catalogue_over_its_budget_when_told_to() -> None:
    budget = ease_bytes(10) / 2**30
    model = EASERecommender(l2=5.0, max_memory_gib=budget, on_too_large="refuse")

    with pytest.raises(EASETooLargeError) as raised:
        model.fit(_popular_first(), None)

    message = str(raised.value)
    assert "\n" not in message
    assert "models.ease.max_memory_gib" in message
    assert "30 x 30 item matrix" in message


def test_narrowing_item_knn_keeps_the_same_neighbours_as_fitting_with_fewer() -> None:
    # Weighted interactions: cosine similarities without ties, so the top sets are unique.
    rng = np.random.default_rng(8)
    train = sparse.csr_matrix(rng.random((60, 30)) * (rng.random((60, 30)) < 0.3))
    wide = ItemKNNRecommender(neighbours=12).fit(train, None)

    for neighbours in (1, 4, 12):
        narrow = wide.narrowed(neighbours)
        direct = ItemKNNRecommender(neighbours=neighbours).fit(train, None)
        assert narrow.neighbours == neighbours
        assert (narrow.similarity_ != direct.similarity_).nnz == 0
        assert (narrow.recommend(train, K) == direct.recommend(train, K)).all()


def test_ease_from_a_shared_gram_matrix_equals_fitting_each_penalty() -> None:
    train = _popular_first()
    shared = EASERecommender(max_memory_gib=ease_bytes(12) / 2**30).gram(train)
    before = shared.matrix.copy()

    for l2 in (1.0, 30.0):
        budget = ease_bytes(12) / 2**30
        direct = EASERecommender(l2=l2, max_memory_gib=budget).fit(train, None)
        tuned = EASERecommender(l2=l2, max_memory_gib=budget).fit_gram(shared, copy=True)
        assert np.array_equal(tuned.weights_, direct.weights_)
        assert tuned.restriction() == direct.restriction()
    assert np.array_equal(shared.matrix, before)


def test_item_knn_scores_by_its_similarities_and_saves_none_of_its_scoring_copy(
    tmp_path: Path,
) -> None:
    model = fitted("item_knn")
    history = interactions(seed=5)
    unscored = save_model(model, tmp_path / "before.skops")

    scores = model.score(history)
    again = model.score(history)

    assert np.allclose(scores, (history @ model.similarity_.T).toarray())
    assert np.array_equal(scores, again)
    assert save_model(model, tmp_path / "after.skops") == unscored
    # A refit on other data scores by the new similarities, not the kept copy of the old.
    model.fit(interactions(seed=9), features())
    assert np.allclose(model.score(history), (history @ model.similarity_.T).toarray())
