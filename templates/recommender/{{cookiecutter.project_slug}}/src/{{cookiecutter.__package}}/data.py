"""Read interactions and item metadata from any configured source into one canonical shape.

Every later stage sees the same columns whatever the source: ``user_id`` and ``item_id`` as
strings, ``rating`` as a float (1.0 for implicit data), ``timestamp`` as integer seconds; and
items as ``item_id``, ``title``, ``categories`` (names joined by ``|``) and ``year``. Loading
also records how each file was read and what was dropped, in plain sentences, so the report's
data block says what the numbers were computed from. The ``Dataset`` then turns the split
interactions into sparse user-by-item matrices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from {{ cookiecutter.__package }}.config import (
    Config,
    FileFormat,
    InteractionsFile,
    ItemsFile,
    Names,
)
from {{ cookiecutter.__package }}.reading import DataError, read_table

__all__ = [
    "ITEM_COLUMNS",
    "DataError",
    "Dataset",
    "Group",
    "LoadedData",
    "Phase",
    "item_features",
    "load_items",
    "load_movielens",
    "load_raw",
]

ITEM_COLUMNS = ["item_id", "title", "categories", "year"]
_MOVIELENS_RATINGS = FileFormat(
    delimiter="\t", header=False, column_names=("user_id", "item_id", "rating", "timestamp")
)
_MOVIELENS_ITEM_FIELDS = ("item_id", "title", "release", "video_release", "url")
_EXAMPLES = 3


@dataclass(frozen=True)
class LoadedData:
    """The canonical interactions and items, and what the report says about how they were read."""

    interactions: pd.DataFrame
    items: pd.DataFrame | None
    reading: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def _shown(values: pd.Series) -> str:
    return ", ".join(repr(v) for v in values.drop_duplicates().head(_EXAMPLES))


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _require_columns(frame: pd.DataFrame, mapped: dict[str, str], key: str, path: Path) -> None:
    missing = {role: name for role, name in mapped.items() if name and name not in frame.columns}
    if missing:
        role, name = next(iter(missing.items()))
        raise DataError(
            f"{path.name} has no column {name!r} ({key}.columns.{role}); its columns are "
            f"{', '.join(map(str, frame.columns))}"
        )


def _numbers(values: pd.Series, decimal: str, what: str, key: str) -> pd.Series:
    """Convert text to floats; "" becomes NaN, any other non-number is an error naming it."""
    text = values.astype(str).str.strip()
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce")
    bad = values[numbers.isna() & (text != "")]
    if not bad.empty:
        hint = (
            f'; set {key}.decimal = ","'
            if decimal == "." and bad.astype(str).str.contains(",").any()
            else ""
        )
        raise DataError(f"{what} has values that are not numbers: {_shown(bad)}{hint}")
    return numbers


def _timestamps(values: pd.Series, what: str) -> pd.Series:
    """Integer seconds from numbers or from dates, so both kinds of logs work; NaN if empty."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.to_datetime(values, utc=True)
    else:
        text = values.astype(str).str.strip()
        numbers = pd.to_numeric(text, errors="coerce")
        if numbers.notna().sum() == (text != "").sum():
            return numbers
        parsed = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
        if (parsed.isna() & (text != "")).any():
            parsed = pd.to_datetime(text, utc=True, errors="coerce", format="mixed")
        bad = values[parsed.isna() & (text != "")]
        if not bad.empty:
            raise DataError(
                f"{what} has values that are neither numbers nor dates: {_shown(bad)} "
                "(ISO 8601 dates such as 2024-01-31 or 2024-01-31T12:00:00 are safest)"
            )
    seconds = (parsed - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    return seconds.astype("float64")


def _canonical_interactions(
    source: InteractionsFile, names: Names, root: Path
) -> tuple[pd.DataFrame, dict[str, Any], list[str]]:
    key = "data.interactions"
    read = read_table(source.path, source, key=key)
    frame, columns = read.frame, source.columns
    mapped = columns.mapped()
    _require_columns(frame, mapped, key, source.path)
    notes: list[str] = []
    out = pd.DataFrame(
        {
            "user_id": frame[columns.user].astype(str).str.strip(),
            "item_id": frame[columns.item].astype(str).str.strip(),
        }
    )
    if columns.rating:
        what = f"rating column {columns.rating!r}"
        out["rating"] = _numbers(frame[columns.rating], source.decimal, what, key)
    else:
        out["rating"] = 1.0
    if columns.timestamp:
        out["timestamp"] = _timestamps(
            frame[columns.timestamp], f"timestamp column {columns.timestamp!r}"
        )
    else:
        out["timestamp"] = np.arange(len(out), dtype=np.float64)
        notes.append(
            "No timestamp column: the file's row order is taken as the order in time, so the "
            "split holds out its last rows (each " + names.user + "'s last rows, per user)."
        )
    incomplete = (
        (out["user_id"] == "")
        | (out["item_id"] == "")
        | out[["rating", "timestamp"]].isna().any(axis=1)
    )
    if incomplete.any():
        notes.append(
            f"{int(incomplete.sum()):,} rows without a {names.user}, a {names.item}"
            + (", a rating" if columns.rating else "")
            + (" or a timestamp" if columns.timestamp else "")
            + " were dropped."
        )
        out = out[~incomplete]
    reading = {
        "file": _relative(source.path, root),
        "format": read.describe(),
        "columns": {role: name for role, name in mapped.items() if name},
        "rows": len(frame),
    }
    return out.astype({"timestamp": "int64"}), reading, notes


def load_items(source: ItemsFile, root: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read an item metadata file into the canonical item columns (absent ones left empty).

    Raises:
        DataError: the file cannot be read or lacks a column the config names.

    """
    key = "data.items"
    read = read_table(source.path, source, key=key)
    frame, columns = read.frame, source.columns
    _require_columns(frame, columns.mapped(), key, source.path)
    ids = frame[columns.item].astype(str).str.strip()
    categories = (
        frame[columns.categories]
        .astype(str)
        .str.split(columns.category_separator, regex=False)
        .map(lambda names: "|".join(n.strip() for n in names if n.strip()))
        if columns.categories
        else pd.Series("", index=frame.index)
    )
    year = pd.Series(np.nan, index=frame.index)
    if columns.year:
        raw = frame[columns.year]
        as_number = pd.to_numeric(raw, errors="coerce")
        as_date = pd.to_datetime(raw.where(as_number.isna()), errors="coerce", format="mixed")
        year = as_number.fillna(as_date.dt.year)
    items = pd.DataFrame(
        {
            "item_id": ids,
            "title": frame[columns.title].astype(str) if columns.title else ids,
            "categories": categories,
            "year": year.astype("float64"),
        }
    )
    reading = {
        "file": _relative(source.path, root),
        "format": read.describe(),
        "columns": {role: name for role, name in columns.mapped().items() if name},
        "category_separator": columns.category_separator,
        "rows": len(frame),
    }
    return items, reading


def load_movielens(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read MovieLens 100K's ``u.data``, ``u.item`` and ``u.genre`` from ``folder``.

    ``u.item`` is ``|``-separated latin-1 with one 0/1 column per category, named in order
    by ``u.genre``; the categories become the ``|``-joined canonical column.

    Raises:
        DataError: a file is missing (run ``make data``) or unreadable.

    """
    paths = {name: folder / name for name in ("u.data", "u.item", "u.genre")}
    for path in paths.values():
        if not path.is_file():
            raise DataError(f"{path} not found: run `make data` to download MovieLens 100K")
    key = "data (MovieLens)"
    ratings = read_table(paths["u.data"], _MOVIELENS_RATINGS, key=key).frame
    categories = pd.read_csv(paths["u.genre"], sep="|", header=None, names=["name", "index"])
    flags = tuple(categories.sort_values("index")["name"].astype(str))
    raw_items = read_table(
        paths["u.item"],
        FileFormat(
            delimiter="|",
            header=False,
            encoding="latin-1",
            column_names=(*_MOVIELENS_ITEM_FIELDS, *flags),
        ),
        key=key,
    ).frame
    on = raw_items[list(flags)].to_numpy() == "1"
    names = np.array(flags)
    items = pd.DataFrame(
        {
            "item_id": raw_items["item_id"],
            "title": raw_items["title"],
            "categories": ["|".join(n for n in names[row] if n != "unknown") for row in on],
            "year": pd.to_datetime(
                raw_items["release"], format="%d-%b-%Y", errors="coerce"
            ).dt.year.astype("float64"),
        }
    )
    interactions = pd.DataFrame(
        {
            "user_id": ratings["user_id"],
            "item_id": ratings["item_id"],
            "rating": ratings["rating"].astype(float),
            "timestamp": ratings["timestamp"].astype("int64"),
        }
    )
    return interactions, items


def _feedback_notes(
    interactions: pd.DataFrame, threshold: float | None, explicit: bool, names: Names
) -> tuple[pd.DataFrame, dict[str, Any], list[str]]:
    before = len(interactions)
    feedback: dict[str, Any] = {"explicit": explicit, "relevance_threshold": threshold}
    notes = []
    if threshold is not None:
        interactions = interactions[interactions["rating"] >= threshold]
        feedback["relevant"] = len(interactions)
        notes.append(
            f"Explicit ratings: {len(interactions):,} of {before:,} interactions are rated "
            f"{threshold:g} or more and count as relevant; the {before - len(interactions):,} "
            "rated lower were dropped before the split, as if never made."
        )
    elif explicit:
        notes.append(
            "Explicit ratings without a relevance threshold: every rating counts as an "
            f"interaction, however low (set data.relevance_threshold to keep only the "
            f"{names.items} a {names.user} liked)."
        )
    else:
        notes.append(
            f"Implicit feedback (no rating column): every interaction counts as a {names.user} "
            f"choosing a {names.item}."
        )
    ordered = interactions.sort_values(["timestamp", "user_id", "item_id"], kind="stable")
    unique = ordered.drop_duplicates(["user_id", "item_id"], keep="first").reset_index(drop=True)
    repeated = len(ordered) - len(unique)
    if repeated:
        notes.append(
            f"{repeated:,} repeated {names.user}-{names.item} pairs were dropped, keeping the "
            f"first: the task is to predict what a {names.user} discovers next, not a repeat."
        )
    return unique, feedback, notes


def _metadata_notes(
    interactions: pd.DataFrame, items: pd.DataFrame, names: Names
) -> tuple[pd.DataFrame, list[str]]:
    notes = []
    unique = items.drop_duplicates("item_id", keep="first")
    if len(unique) < len(items):
        notes.append(
            f"{len(items) - len(unique):,} repeated {names.item} ids in the metadata were "
            "dropped, keeping the first."
        )
    used = pd.Index(interactions["item_id"].unique())
    described = pd.Index(unique["item_id"])
    if undescribed := len(used.difference(described)):
        notes.append(
            f"{undescribed:,} {names.items} with interactions have no metadata row: the "
            "content model sees nothing of them."
        )
    if unused := len(described.difference(used)):
        notes.append(
            f"{unused:,} {names.items} in the metadata have no interactions: only the content "
            "model can recommend them."
        )
    return unique.reset_index(drop=True), notes


def load_raw(config: Config) -> LoadedData:
    """Return the configured source's interactions and items, and how they were read.

    Interactions rated below ``data.relevance_threshold`` are dropped, and a repeated
    user-item pair keeps only its first occurrence: the task is to predict what a user
    discovers next, not a repeat. Each of these, when it changes anything, becomes a note.

    Raises:
        DataError: a file or a column is missing or unreadable, or nothing is left.

    """
    data, names = config.data, config.names
    notes: list[str] = []
    if data.source == "movielens":
        interactions, items = load_movielens(data.movielens_path)
        reading: dict[str, Any] = {
            "file": _relative(data.movielens_path / "u.data", config.root),
            "format": "MovieLens 100K",
        }
        items_reading: dict[str, Any] | None = {
            "file": _relative(data.movielens_path / "u.item", config.root),
            "format": "MovieLens 100K",
        }
        explicit = True
    else:
        assert data.interactions is not None  # noqa: S101 - guaranteed by DataConfig
        interactions, reading, notes = _canonical_interactions(
            data.interactions, names, config.root
        )
        items, items_reading = (
            load_items(data.items, config.root) if data.items is not None else (None, None)
        )
        explicit = bool(data.interactions.columns.rating)
    interactions, feedback, feedback_notes = _feedback_notes(
        interactions, data.relevance_threshold, explicit, names
    )
    notes = [*feedback_notes, *notes]
    if items is not None:
        items, item_notes = _metadata_notes(interactions, items, names)
        notes.extend(item_notes)
    if interactions.empty:
        raise DataError(
            "no interactions left after reading and filtering: check the file, its columns "
            "and data.relevance_threshold"
        )
    reading.update(feedback)
    reading["items"] = items_reading
    return LoadedData(interactions, items, reading, tuple(notes))


def item_features(items: pd.DataFrame | None, item_ids: np.ndarray) -> sparse.csr_matrix | None:
    """Return L2-normalised, idf-weighted category and decade indicators, one row per item.

    Rare categories weigh more than common ones, so two items sharing a niche category count
    as more alike than two sharing the most frequent one. Items without metadata get an
    all-zero row. Returns ``None`` when there is nothing to build features from (no metadata,
    or metadata with neither categories nor years), so the content model and the diversity
    metric report that instead of a number.
    """
    if items is None or items.empty:
        return None
    meta = items.set_index("item_id").reindex(item_ids)
    categories = meta["categories"].fillna("").astype(str)
    decades = meta["year"].map(lambda y: "" if pd.isna(y) else f"decade:{int(y) // 10 * 10}s")
    tokens = categories.str.split("|") + decades.map(lambda d: [d])
    rows, vocabulary, cols = [], {}, []
    for row, names in enumerate(tokens):
        for name in dict.fromkeys(n for n in names if n):
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
    """Every interaction of ``frame`` (with its ``_row`` and ``_col`` positions) as a matrix."""
    values = np.ones(len(frame), dtype=np.float32)
    positions = (frame["_row"].to_numpy(), frame["_col"].to_numpy())
    return sparse.csr_matrix((values, positions), shape=(len(users), len(items)))


@dataclass(frozen=True)
class Group:
    """Users judged together: what a model is given of them, and what they did next.

    Row ``i`` of ``history`` and ``targets`` belongs to user ``users[i]``. ``exclude`` holds
    items never to recommend although they are not in the history (a cold-start user's earlier
    interactions), so that two ways of serving the same users rank the same candidates.
    ``full_history`` (cold-start groups only) is everything each user did before the period;
    ``withheld`` marks the users who have one beyond the few known interactions.
    """

    users: np.ndarray
    history: sparse.csr_matrix
    targets: sparse.csr_matrix
    exclude: sparse.csr_matrix | None = None
    full_history: sparse.csr_matrix | None = None
    withheld: np.ndarray | None = None

    @property
    def size(self) -> int:
        """How many users the group holds."""
        return int(self.users.size)

    def sample(self, limit: int | None, seed: int) -> Group:
        """Return a seeded sample of ``limit`` users, in the group's order (all when it fits)."""
        if limit is None or self.size <= limit:
            return self
        rows = np.sort(np.random.default_rng(seed).choice(self.size, size=limit, replace=False))

        def pick(matrix: sparse.csr_matrix | None) -> sparse.csr_matrix | None:
            return None if matrix is None else matrix[rows]

        return Group(
            users=self.users[rows],
            history=self.history[rows],
            targets=self.targets[rows],
            exclude=pick(self.exclude),
            full_history=pick(self.full_history),
            withheld=None if self.withheld is None else self.withheld[rows],
        )


@dataclass(frozen=True)
class Phase:
    """One evaluation: what models learn from, and the users judged on one period.

    Validation: models learn from the training period and are judged on the validation one.
    Test: they learn from both and are judged on the test period, once.
    """

    name: str
    fit: sparse.csr_matrix
    warm: Group
    cold: Group
    #: Cold-start users who first appear in the period (not withheld): new sign-ups.
    new_users: int
    #: For the median warm user: the share of the training interactions made after their
    #: first judged one. 0 for a global cut; a per-user split learns from the future.
    future_share: float


@dataclass(frozen=True)
class Dataset:
    """The split as sparse binary user-by-item matrices over one user and one item index.

    ``phase("validation")`` and ``phase("test")`` give what each evaluation sees; ``everything``
    is every interaction, what a served model scores a known user from.
    """

    user_ids: np.ndarray
    item_ids: np.ndarray
    interactions: pd.DataFrame
    everything: sparse.csr_matrix
    features: sparse.csr_matrix | None
    titles: np.ndarray
    min_user_interactions: int
    cold_start_known: int

    @classmethod
    def from_split(
        cls,
        interactions: pd.DataFrame,
        items: pd.DataFrame | None,
        *,
        min_user_interactions: int,
        cold_start_known: int,
    ) -> Dataset:
        """Build the indexes and matrices from interactions carrying ``split``'s columns."""
        # Unique values, never Python sets: iterating millions of (Arrow-backed) strings one
        # at a time was most of the time this took.
        # One hashing pass per column gives both the sorted index and every row's position.
        rows, users = pd.factorize(interactions["user_id"], sort=True)
        cols, seen = pd.factorize(interactions["item_id"], sort=True)
        user_index, item_index = pd.Index(users), pd.Index(seen)
        if items is not None:
            catalogue = item_index.union(pd.Index(items["item_id"].unique())).sort_values()
            cols = catalogue.get_indexer(item_index)[cols]
            item_index = catalogue
        item_ids = item_index.to_numpy(dtype=object)
        titles = item_ids.copy()
        if items is not None:
            known = items.drop_duplicates("item_id").set_index("item_id")["title"]
            titles = known.reindex(item_index).fillna(pd.Series(item_ids, index=item_index))
            titles = titles.to_numpy(dtype=object)
        frame = interactions.assign(_row=rows, _col=cols)
        return cls(
            user_ids=user_index.to_numpy(dtype=object),
            item_ids=item_ids,
            interactions=frame,
            everything=_matrix(frame, user_index, item_index),
            features=item_features(items, item_ids),
            titles=titles,
            min_user_interactions=min_user_interactions,
            cold_start_known=cold_start_known,
        )

    def _rows(
        self, mask: pd.Series | np.ndarray, users: np.ndarray | None = None
    ) -> sparse.csr_matrix:
        """Return the interactions under ``mask`` as a matrix over all users, or ``users`` rows."""
        chosen = self.interactions[np.asarray(mask)]
        shape = (self.user_ids.size, self.item_ids.size)
        values = np.ones(len(chosen), dtype=np.float32)
        matrix = sparse.csr_matrix((values, (chosen["_row"], chosen["_col"])), shape=shape)
        return matrix if users is None else matrix[users]

    def phase(self, name: str) -> Phase:
        """Return what the ``validation`` or ``test`` evaluation sees.

        Warm users learned from and judged on the period need ``min_user_interactions`` by
        its end. Cold-start users are the withheld ones with interactions in the period, and
        users who first appear in it with more than ``cold_start_known``: each is given only
        their first ``cold_start_known`` interactions and judged on the rest of the period.

        Raises:
            ValueError: ``name`` is not a phase.

        """
        if name not in ("validation", "test"):
            raise ValueError(f"unknown phase {name!r}: use 'validation' or 'test'")
        frame = self.interactions
        period = frame["period"]
        earlier = period == "train" if name == "validation" else period != "test"
        during = period == name
        withheld = frame["withheld"].to_numpy()
        n_users = self.user_ids.size

        def per_user(mask: pd.Series | np.ndarray) -> np.ndarray:
            return np.bincount(frame.loc[np.asarray(mask), "_row"], minlength=n_users)

        fit = self._rows(earlier & ~withheld)
        before, now = per_user(earlier), per_user(during)
        is_withheld = per_user(withheld) > 0
        warm = np.flatnonzero(
            ~is_withheld & (before > 0) & (now > 0) & (before + now >= self.min_user_interactions)
        )
        known = self.cold_start_known
        new = (before == 0) & (now >= max(self.min_user_interactions, known + 1))
        cold = np.flatnonzero((is_withheld & (now > 0)) | new)
        position = frame["position"].to_numpy()
        cold_group = Group(
            users=cold,
            history=self._rows(position < known, cold),
            targets=self._rows(during & (position >= known), cold),
            exclude=self._rows(earlier, cold),
            full_history=self._rows(earlier | (position < known), cold),
            withheld=is_withheld[cold],
        )
        warm_group = Group(users=warm, history=fit[warm], targets=self._rows(during, warm))
        return Phase(
            name=name,
            fit=fit,
            warm=warm_group,
            cold=cold_group,
            new_users=int(new.sum()),
            future_share=self._future_share(earlier & ~withheld, during, warm),
        )

    def _future_share(self, fitted: pd.Series, during: pd.Series, warm: np.ndarray) -> float:
        """Median over warm users of the share of training interactions after their first target."""
        if warm.size == 0:
            return 0.0
        frame = self.interactions
        trained = np.sort(frame.loc[np.asarray(fitted), "timestamp"].to_numpy())
        judged = frame[np.asarray(during) & frame["_row"].isin(warm).to_numpy()]
        first = judged.groupby("_row")["timestamp"].min().to_numpy()
        later = trained.size - np.searchsorted(trained, first, side="right")
        return float(np.median(later / max(1, trained.size)))

    def examples(self, n_items: int = 2, *, test: Phase | None = None) -> dict[str, Any]:
        """Ids to show in examples: an evaluated user, the most popular items, an unknown user.

        The README's example commands and the API's documented examples use these, so they
        name ids that exist (or, for the unknown user, do not) in whatever data the config
        points at. ``test`` is ``phase("test")`` when the caller has it already (building
        it again costs seconds at millions of interactions).
        """
        test = self.phase("test") if test is None else test
        activity = np.asarray(self.everything.getnnz(axis=1))
        candidates = test.warm.users if test.warm.size else np.arange(self.user_ids.size)
        user = candidates[np.argmax(activity[candidates])]
        popularity = np.asarray(self.everything.sum(axis=0)).ravel()
        top = np.argsort(-popularity, kind="stable")[:n_items]
        known = {str(u) for u in self.user_ids}
        unknown = "new-user"
        while unknown in known:
            unknown += "-1"
        return {
            "user": str(self.user_ids[user]),
            "items": [str(self.item_ids[i]) for i in top],
            "unknown_user": unknown,
        }
