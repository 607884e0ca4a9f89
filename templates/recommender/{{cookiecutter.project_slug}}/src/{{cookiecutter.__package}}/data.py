"""Read interactions and item metadata from any configured source into one canonical shape.

Every later stage sees the same columns whatever the source: ``user_id`` and ``item_id`` as
strings, ``rating`` as a float (1.0 for implicit data), ``timestamp`` as integer seconds; and
items as ``item_id``, ``title``, ``genres`` (names joined by ``|``) and ``year``. The
``Dataset`` then turns the split interactions into sparse user-by-item matrices.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from {{ cookiecutter.__package }}.config import Config, DataConfig

__all__ = [
    "MOVIELENS_GENRES",
    "DataError",
    "Dataset",
    "item_features",
    "load_items",
    "load_movielens",
    "load_raw",
    "read_table",
]

MOVIELENS_GENRES = (
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)
ITEM_COLUMNS = ["item_id", "title", "genres", "year"]


class DataError(ValueError):
    """The input data is missing, empty or lacks a column the configuration names."""


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet file, chosen by its suffix.

    Raises:
        DataError: the file does not exist or has another suffix.

    """
    if not path.is_file():
        raise DataError(f"data file not found: {path}")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix in {".csv", ".txt"}:
        return pd.read_csv(path)
    raise DataError(f"{path}: use a .csv or .parquet file")


def _timestamps(column: pd.Series) -> pd.Series:
    """Integer seconds from numbers or from date strings, so both kinds of logs work."""
    if pd.api.types.is_numeric_dtype(column):
        return column.astype("int64")
    parsed = pd.to_datetime(column, utc=True)
    return ((parsed - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)).astype("int64")


def _canonical(frame: pd.DataFrame, data: DataConfig) -> pd.DataFrame:
    columns = data.columns
    wanted = [c for c in (columns.user, columns.item, columns.rating, columns.timestamp) if c]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise DataError(
            f"interactions lack the columns {missing} named in config.toml [data.columns]; "
            f"the file has {list(frame.columns)}"
        )
    out = pd.DataFrame(
        {
            "user_id": frame[columns.user].astype(str),
            "item_id": frame[columns.item].astype(str),
            "rating": frame[columns.rating].astype(float) if columns.rating else 1.0,
            "timestamp": _timestamps(frame[columns.timestamp])
            if columns.timestamp
            else np.arange(len(frame), dtype=np.int64),
        }
    )
    return out


def load_items(path: Path) -> pd.DataFrame:
    """Read an item metadata file into the canonical item columns (missing ones left empty)."""
    frame = read_table(path)
    if "item_id" not in frame.columns:
        raise DataError(f"{path} needs an item_id column; it has {list(frame.columns)}")
    return pd.DataFrame(
        {
            "item_id": frame["item_id"].astype(str),
            "title": frame["title"].astype(str)
            if "title" in frame
            else frame["item_id"].astype(str),
            "genres": frame["genres"].fillna("").astype(str) if "genres" in frame else "",
            "year": pd.to_numeric(frame["year"], errors="coerce") if "year" in frame else np.nan,
        }
    )


def load_movielens(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read MovieLens 100K's ``u.data`` and ``u.item`` (latin-1, ``|``-separated) from ``folder``.

    Raises:
        DataError: a file is missing (run ``make data``).

    """
    ratings_path, items_path = folder / "u.data", folder / "u.item"
    for path in (ratings_path, items_path):
        if not path.is_file():
            raise DataError(f"{path} not found: run `make data` to download MovieLens 100K")
    ratings = pd.read_csv(
        ratings_path, sep="\t", header=None, names=["user_id", "item_id", "rating", "timestamp"]
    )
    raw_items = pd.read_csv(
        items_path,
        sep="|",
        header=None,
        encoding="latin-1",
        names=["item_id", "title", "release", "video_release", "url", *MOVIELENS_GENRES],
    )
    flags = raw_items[list(MOVIELENS_GENRES)].to_numpy(dtype=bool)
    names = np.array(MOVIELENS_GENRES)
    items = pd.DataFrame(
        {
            "item_id": raw_items["item_id"].astype(str),
            "title": raw_items["title"].fillna("").astype(str),
            "genres": ["|".join(names[row]) for row in flags],
            "year": pd.to_datetime(
                raw_items["release"], format="%d-%b-%Y", errors="coerce"
            ).dt.year,
        }
    )
    interactions = pd.DataFrame(
        {
            "user_id": ratings["user_id"].astype(str),
            "item_id": ratings["item_id"].astype(str),
            "rating": ratings["rating"].astype(float),
            "timestamp": ratings["timestamp"].astype("int64"),
        }
    )
    return interactions, items


def load_raw(config: Config) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Return the configured source's interactions and items (``None`` without metadata).

    Interactions below ``min_rating`` are dropped, and a repeated user-item pair keeps only
    its first occurrence: the task is to predict what a user discovers next, not a rewatch.

    Raises:
        DataError: a file or a column is missing, or nothing is left after filtering.

    """
    data = config.data
    if data.source == "movielens":
        interactions, items = load_movielens(data.path)
    else:
        interactions = _canonical(read_table(data.interactions), data)
        items = load_items(data.items) if data.items is not None else None
    interactions = interactions[interactions["rating"] >= data.min_rating]
    interactions = (
        interactions.sort_values(["timestamp", "user_id", "item_id"], kind="stable")
        .drop_duplicates(["user_id", "item_id"], keep="first")
        .reset_index(drop=True)
    )
    if interactions.empty:
        raise DataError("no interactions left after filtering: check data.min_rating and the file")
    return interactions, items


def item_features(items: pd.DataFrame | None, item_ids: np.ndarray) -> sparse.csr_matrix | None:
    """Return L2-normalised, idf-weighted genre and decade indicators, one row per item.

    Rare genres weigh more than "Drama", so two films sharing "Film-Noir" count as more alike
    than two sharing "Drama". Items without metadata get an all-zero row. Returns ``None``
    when there is no metadata at all, so diversity is reported as unavailable, not as zero.
    """
    if items is None or items.empty:
        return None
    meta = items.set_index("item_id").reindex(item_ids)
    genres = meta["genres"].fillna("").astype(str)
    decades = meta["year"].map(lambda y: "" if pd.isna(y) else f"decade:{int(y) // 10 * 10}s")
    tokens = genres.str.split("|") + decades.map(lambda d: [d])
    rows, vocabulary, cols = [], {}, []
    for row, names in enumerate(tokens):
        for name in dict.fromkeys(n for n in names if n and n != "unknown"):
            rows.append(row)
            cols.append(vocabulary.setdefault(name, len(vocabulary)))
    if not vocabulary:
        return None
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(item_ids), len(vocabulary))
    )
    document_frequency = np.asarray((matrix > 0).sum(axis=0)).ravel()
    idf = np.log((1 + len(item_ids)) / (1 + document_frequency)) + 1.0
    matrix = matrix @ sparse.diags(idf.astype(np.float32))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix, dtype=np.float32)


def _matrix(frame: pd.DataFrame, users: pd.Index, items: pd.Index) -> sparse.csr_matrix:
    rows = users.get_indexer(frame["user_id"])
    cols = items.get_indexer(frame["item_id"])
    values = np.ones(len(frame), dtype=np.float32)
    return sparse.csr_matrix((values, (rows, cols)), shape=(len(users), len(items)))


@dataclass(frozen=True)
class Dataset:
    """The split as sparse binary user-by-item matrices over one user and one item index.

    ``train`` is what models learn from. Warm users are judged on ``test`` given their
    ``train`` row; cold-start users never appear in ``train``: they are judged on
    ``cold_test`` given only the few interactions in ``cold_known``.
    """

    user_ids: np.ndarray
    item_ids: np.ndarray
    train: sparse.csr_matrix
    test: sparse.csr_matrix
    cold_known: sparse.csr_matrix
    cold_test: sparse.csr_matrix
    features: sparse.csr_matrix | None
    titles: np.ndarray

    @classmethod
    def from_split(cls, interactions: pd.DataFrame, items: pd.DataFrame | None) -> Dataset:
        """Build the matrices from interactions carrying a ``role`` column (see ``split``)."""
        catalogue = set(interactions["item_id"])
        if items is not None:
            catalogue |= set(items["item_id"])
        item_index = pd.Index(sorted(catalogue))
        user_index = pd.Index(sorted(set(interactions["user_id"])))
        by_role = {
            role: interactions[interactions["role"] == role]
            for role in ("train", "test", "cold_known", "cold_test")
        }
        item_ids = item_index.to_numpy(dtype=object)
        titles = item_ids.copy()
        if items is not None:
            known = items.drop_duplicates("item_id").set_index("item_id")["title"]
            titles = known.reindex(item_index).fillna(pd.Series(item_ids, index=item_index))
            titles = titles.to_numpy(dtype=object)
        return cls(
            user_ids=user_index.to_numpy(dtype=object),
            item_ids=item_ids,
            train=_matrix(by_role["train"], user_index, item_index),
            test=_matrix(by_role["test"], user_index, item_index),
            cold_known=_matrix(by_role["cold_known"], user_index, item_index),
            cold_test=_matrix(by_role["cold_test"], user_index, item_index),
            features=item_features(items, item_ids),
            titles=titles,
        )

    @property
    def warm_users(self) -> np.ndarray:
        """Row indices of users with held-out interactions and a training history."""
        return np.flatnonzero(self.test.getnnz(axis=1) > 0)

    @property
    def cold_users(self) -> np.ndarray:
        """Row indices of cold-start users (absent from training, with held-out interactions)."""
        return np.flatnonzero(self.cold_test.getnnz(axis=1) > 0)
