import numpy as np
import pytest
import skops.io as sio
from sklearn.feature_extraction.text import TfidfVectorizer

from {{ cookiecutter.__package }}.features import HashedNgrams

TEXTS = [
    "free entry in a weekly competition",
    "are you free for lunch today",
    "free free free",
    "lunch is at noon today",
    "win a weekly prize today",
]


@pytest.mark.parametrize(
    ("analyzer", "ngram_range", "reference"),
    [
        ("char", (2, 4), {"analyzer": "char"}),
        ("word", (1, 2), {"analyzer": "word", "token_pattern": r"\w+"}),
    ],
)
def test_matches_scikit_learn_tfidf(
    analyzer: str, ngram_range: tuple[int, int], reference: dict
) -> None:
    ours = HashedNgrams(analyzer=analyzer, ngram_range=ngram_range, min_df=2).fit(TEXTS)
    theirs = TfidfVectorizer(ngram_range=ngram_range, min_df=2, sublinear_tf=True, **reference).fit(
        TEXTS
    )
    assert sorted(ours.get_feature_names_out()) == sorted(theirs.get_feature_names_out())
    order = np.argsort(ours.get_feature_names_out())
    expected = theirs.transform(TEXTS).toarray()[:, np.argsort(theirs.get_feature_names_out())]
    # float32 features: equal to seven digits.
    np.testing.assert_allclose(
        ours.transform(TEXTS).toarray()[:, order], expected, rtol=1e-6, atol=1e-7
    )


@pytest.mark.parametrize("analyzer", ["char", "word"])
def test_chunks_give_the_same_features_as_one_batch(analyzer: str, monkeypatch) -> None:
    from {{ cookiecutter.__package }} import features

    texts = TEXTS * 3 + ["free prize lunch", "a weekly lunch"]
    whole = HashedNgrams(analyzer=analyzer, ngram_range=(1, 3), min_df=2).fit(texts)
    monkeypatch.setattr(features, "_CHUNK_TEXTS", 2)
    chunked = HashedNgrams(analyzer=analyzer, ngram_range=(1, 3), min_df=2).fit(texts)
    np.testing.assert_array_equal(chunked.buckets_, whole.buckets_)
    np.testing.assert_array_equal(chunked.idf_, whole.idf_)
    # Names come from each bucket's first n-gram either way (no collisions at this size).
    assert chunked.get_feature_names_out().tolist() == whole.get_feature_names_out().tolist()
    matrix = chunked.transform(texts)
    assert matrix.dtype == np.float32
    assert matrix.shape == (len(texts), whole.buckets_.size)
    monkeypatch.setattr(features, "_CHUNK_TEXTS", 20_000)
    np.testing.assert_array_equal(matrix.toarray(), whole.transform(texts).toarray())


@pytest.mark.parametrize("chunk", [2, 20_000])
def test_fit_transform_equals_fit_then_transform(chunk: int, monkeypatch) -> None:
    from {{ cookiecutter.__package }} import features

    monkeypatch.setattr(features, "_CHUNK_TEXTS", chunk)
    texts = [*TEXTS, "", "zz", *TEXTS[:2]]
    for analyzer in ("char", "word"):
        once = HashedNgrams(analyzer=analyzer, ngram_range=(1, 3), min_df=2, max_features=15)
        direct = once.fit_transform(texts)
        twice = HashedNgrams(analyzer=analyzer, ngram_range=(1, 3), min_df=2, max_features=15)
        expected = twice.fit(texts).transform(texts)
        assert direct.dtype == expected.dtype == np.float32
        assert direct.has_canonical_format
        np.testing.assert_array_equal(direct.toarray(), expected.toarray())
        np.testing.assert_array_equal(once.buckets_, twice.buckets_)


def test_unseen_text_and_empty_text() -> None:
    vectoriser = HashedNgrams(analyzer="word", ngram_range=(1, 1), min_df=1).fit(TEXTS)
    matrix = vectoriser.transform(["zzz unknown", "", "free lunch"])
    assert matrix.shape == (3, len(vectoriser.get_feature_names_out()))
    assert matrix[0].nnz == 0
    assert matrix[1].nnz == 0
    assert np.linalg.norm(matrix[2].toarray()) == pytest.approx(1.0)


def test_max_features_keeps_the_most_frequent() -> None:
    vectoriser = HashedNgrams(analyzer="word", ngram_range=(1, 1), min_df=1, max_features=2).fit(
        TEXTS
    )
    assert sorted(vectoriser.get_feature_names_out()) == ["free", "today"]


def test_min_df_too_high_is_an_error() -> None:
    with pytest.raises(ValueError, match="min_df"):
        HashedNgrams(analyzer="word", min_df=50).fit(TEXTS)


def test_saved_without_lookup_table_and_identical_after_loading(tmp_path) -> None:
    vectoriser = HashedNgrams(analyzer="char", ngram_range=(2, 3)).fit(TEXTS)
    before = vectoriser.transform(TEXTS).toarray()
    assert "_table" not in vectoriser.__getstate__()
    path = tmp_path / "v.skops"
    sio.dump(vectoriser, path)
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    np.testing.assert_array_equal(loaded.transform(TEXTS).toarray(), before)
