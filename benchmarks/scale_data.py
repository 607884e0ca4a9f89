"""Seeded synthetic data of realistic shape for the scale benchmark, streamed to disk in chunks.

The benchmark needs files far larger than the bundled samples (a million loan applications, half
a million messages, ten million interactions), with the shape that makes the pipelines work
hard: missing values and categorical codes, Zipf-distributed words with a tenth of the messages
repeated or nearly so, power-law item popularity and user activity. Each generator builds one
chunk at a time (memory stays bounded whatever the size), hashes the bytes as it writes them, and
writes under a temporary name renamed into place at the end, so an interrupted run never leaves
half a file that a later run would take for a finished one. Same seed, size and chunk size, same
bytes: the before and after runs of the benchmark read identical data.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# Bumped whenever a generator's output changes, so cached files made by an older version are
# regenerated rather than silently compared with new ones.
GENERATOR_VERSION = 1
CHUNK_ROWS = 100_000

# --- what the files hold; the benchmark's config writers name these columns ------------------

TABLE_ID = "application_id"
TABLE_TARGET = "loan_status"
TABLE_POSITIVE, TABLE_NEGATIVE = "default", "repaid"
TABLE_CATEGORICAL = ("term_months", "home_ownership", "purpose", "region", "employment_type")
TABLE_SUBGROUPS = ("region", "home_ownership")
TABLE_POSITIVE_SHARE = 0.20

TEXT_LABELS = {2: ("urgent", "routine"), 4: ("billing", "technical", "account", "other")}
TEXT_DUPLICATE_SHARE = 0.10

GENRES = (
    "Action",
    "Adventure",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Family",
    "Fantasy",
    "History",
    "Horror",
    "Music",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Sport",
    "Thriller",
    "War",
)
_COMMUNITIES = 12
_IN_TASTE = 0.6
_START = 1_672_531_200  # 2023-01-01 UTC: two years of interactions from here
_SPAN = 2 * 365 * 86_400

# (share of rows, effect on the log-odds of default): the signal is a sum of such effects.
_HOME = {"mortgage": (0.45, -0.25), "rent": (0.40, 0.25), "own": (0.12, -0.1), "other": (0.03, 0.4)}
_PURPOSE = {
    "debt_consolidation": (0.45, 0.15),
    "credit_card": (0.20, 0.0),
    "home_improvement": (0.10, -0.25),
    "car": (0.08, -0.15),
    "medical": (0.05, 0.3),
    "small_business": (0.04, 0.7),
    "education": (0.03, 0.2),
    "other": (0.05, 0.1),
}
_EMPLOYMENT = {
    "salaried": (0.62, -0.15),
    "self-employed": (0.14, 0.3),
    "contract": (0.12, 0.2),
    "retired": (0.08, 0.0),
    "unemployed": (0.04, 0.8),
}
_REGION_NAMES = (
    "north-east",
    "north-west",
    "yorkshire",
    "east-midlands",
    "west-midlands",
    "east",
    "london",
    "south-east",
    "south-west",
    "wales",
    "scotland",
    "northern-ireland",
)


class DataError(Exception):
    """A cached data file no longer matches what was generated."""


@dataclass(frozen=True)
class DataFile:
    """One written file: where it is, how many data rows it holds, and the hash of its bytes."""

    path: Path
    rows: int
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Dataset:
    """The files one benchmark run reads, with the facts that show the shape came out right."""

    template: str
    size: int
    seed: int
    files: dict[str, DataFile]
    facts: dict[str, Any] = field(default_factory=dict)


class _StreamedFile:
    """Append text to a temporary file beside ``path``, hashing it; ``finish`` renames it in."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._partial = path.with_name(f".{path.name}.partial")
        self._handle = self._partial.open("wb")
        self._hash = hashlib.sha256()
        self._bytes = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self._hash.update(data)
        self._handle.write(data)
        self._bytes += len(data)

    def finish(self, rows: int) -> DataFile:
        self._handle.close()
        self._partial.replace(self.path)
        return DataFile(self.path, rows, self._hash.hexdigest(), self._bytes)

    def abandon(self) -> None:
        self._handle.close()
        self._partial.unlink(missing_ok=True)


def _csv(frame: pd.DataFrame, *, header: bool, sep: str = ",") -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, header=header, index=False, sep=sep, lineterminator="\n")
    return buffer.getvalue()


def _chunks(total: int, chunk_rows: int) -> list[tuple[int, int]]:
    return [(start, min(chunk_rows, total - start)) for start in range(0, total, chunk_rows)]


def _pick(rng: np.random.Generator, table: dict[str, tuple[float, float]], n: int) -> np.ndarray:
    names = np.array(list(table))
    shares = np.array([share for share, _ in table.values()])
    return names[rng.choice(len(names), size=n, p=shares / shares.sum())]


def _effect(values: np.ndarray, table: dict[str, tuple[float, float]]) -> np.ndarray:
    effects = {name: effect for name, (_, effect) in table.items()}
    return np.asarray(pd.Series(values).map(effects), dtype=float)


def _zscore(values: np.ndarray, mean: float, sd: float) -> np.ndarray:
    return (values - mean) / sd


# --- classifier-api: loan applications ------------------------------------------------------


def _table_chunk(rng: np.random.Generator, start: int, n: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Return one chunk of applications (without the target) and its log-odds before the intercept.

    The log-odds are a sum of effects of the true values, so models have signal to find but no
    column gives the answer away; missing income also raises the risk, as it does in real
    lending data, so missingness itself is informative.
    """
    age = np.clip(rng.normal(42, 12, n), 18, 80).round()
    log_income = rng.normal(10.75, 0.55, n)
    income = np.round(np.exp(log_income), -2)
    loan = np.round(income * rng.uniform(0.05, 0.6, n), -2).clip(500)
    term = rng.choice(np.array([36, 60]), size=n, p=[0.7, 0.3])
    credit = np.clip(rng.normal(690, 60, n), 300, 850).round()
    dti = np.round(rng.beta(2.0, 5.0, n) * 60, 1)
    employment_years = np.round(np.minimum(rng.exponential(6.0, n), 45), 1)
    open_accounts = rng.poisson(9, n)
    delinquencies = rng.poisson(0.3, n)
    rate = np.round(5 + (850 - credit) / 22 + 1.2 * (term == 60) + rng.normal(0, 1.5, n), 2)
    home = _pick(rng, _HOME, n)
    purpose = _pick(rng, _PURPOSE, n)
    employment = _pick(rng, _EMPLOYMENT, n)
    region_shares = np.linspace(2.0, 0.6, len(_REGION_NAMES))
    region = np.array(_REGION_NAMES)[
        rng.choice(len(_REGION_NAMES), size=n, p=region_shares / region_shares.sum())
    ]
    region_effect = pd.Series(region).map(
        dict(zip(_REGION_NAMES, np.linspace(-0.3, 0.3, len(_REGION_NAMES)), strict=True))
    )
    income_missing = rng.random(n) < 0.06
    logit = (
        0.8 * _zscore(dti, 17.1, 9.6)
        - 0.9 * _zscore(credit, 690, 60)
        + 0.5 * _zscore(loan / income, 0.325, 0.16)
        + 0.35 * (term == 60)
        + 0.45 * np.minimum(delinquencies, 3)
        - 0.25 * _zscore(log_income, 10.75, 0.55)
        - 0.15 * _zscore(np.minimum(employment_years, 15), 5.0, 4.5)
        + 0.3 * income_missing
        + _effect(home, _HOME)
        + _effect(purpose, _PURPOSE)
        + _effect(employment, _EMPLOYMENT)
        + region_effect.to_numpy()
        + rng.normal(0, 0.5, n)
    )
    frame = pd.DataFrame(
        {
            TABLE_ID: np.arange(start + 1, start + n + 1),
            "age": pd.array(age, dtype="Int64"),
            "annual_income": pd.array(np.where(income_missing, np.nan, income), dtype="Int64"),
            "loan_amount": pd.array(loan, dtype="Int64"),
            "term_months": term,
            "interest_rate": rate,
            "credit_score": pd.array(np.where(rng.random(n) < 0.03, np.nan, credit), "Int64"),
            "debt_to_income": dti,
            "employment_years": np.where(rng.random(n) < 0.08, np.nan, employment_years),
            "open_accounts": open_accounts,
            "delinquencies_2y": delinquencies,
            "home_ownership": pd.Series(home).mask(rng.random(n) < 0.01),
            "purpose": purpose,
            "region": region,
            "employment_type": employment,
        }
    )
    return frame, logit


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-values)))


def _table_intercept(seed: int) -> float:
    """Return the intercept that gives about 20% defaults, found on a pilot sample by bisection.

    A fixed intercept would drift from the target share whenever an effect above is retuned;
    solving for it keeps the share right, and the pilot's own seed keeps it deterministic.
    """
    _, logit = _table_chunk(np.random.default_rng([seed, 1]), 0, 50_000)
    low, high = -10.0, 10.0
    for _ in range(60):
        middle = (low + high) / 2
        if _sigmoid(logit + middle).mean() < TABLE_POSITIVE_SHARE:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def write_table(path: Path, *, rows: int, seed: int, chunk_rows: int = CHUNK_ROWS) -> Dataset:
    """Write ``rows`` loan applications as CSV: numeric and coded columns, gaps, ~20% defaults."""
    rng = np.random.default_rng([seed, 0])
    intercept = _table_intercept(seed)
    out = _StreamedFile(path)
    positives = missing_cells = cells = 0
    try:
        for start, n in _chunks(rows, chunk_rows):
            frame, logit = _table_chunk(rng, start, n)
            default = rng.random(n) < _sigmoid(logit + intercept)
            frame[TABLE_TARGET] = np.where(default, TABLE_POSITIVE, TABLE_NEGATIVE)
            positives += int(default.sum())
            missing_cells += int(frame.isna().to_numpy().sum())
            cells += frame.size
            out.write(_csv(frame, header=start == 0))
    except BaseException:
        out.abandon()
        raise
    written = out.finish(rows)
    facts = {
        "positive_share": round(positives / rows, 4),
        "missing_cell_share": round(missing_cells / cells, 4),
        "columns": len(frame.columns),
    }
    return Dataset("classifier-api", rows, seed, {"table": written}, facts)


# --- nlp-pipeline: labelled messages ---------------------------------------------------------

_ONSETS = tuple("bcdfghjklmnprstvwz") + ("br", "ch", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st")
_ONSETS += ("th", "tr", "")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ee", "ou", "oo", "y")
_CODAS = ("", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ng", "ck", "x")


def vocabulary(rng: np.random.Generator, size: int) -> np.ndarray:
    """Return ``size`` distinct pronounceable made-up words, shortest first.

    Shortest first because the most frequent words of a language are its shortest (Zipf's
    law of abbreviation): rank 1 gets a one-syllable word, the long tail gets the long ones.
    """
    words: dict[str, None] = {}
    while len(words) < size:
        batch = 2 * (size - len(words)) + 100
        syllables = rng.choice(np.array([1, 2, 3, 4]), size=batch, p=[0.25, 0.45, 0.22, 0.08])
        for count in syllables:
            parts = rng.integers(0, [len(_ONSETS), len(_VOWELS), len(_CODAS)], size=(count, 3))
            word = "".join(_ONSETS[o] + _VOWELS[v] + _CODAS[c] for o, v, c in parts)
            words.setdefault(word)
            if len(words) == size:
                break
    return np.array(sorted(words, key=len), dtype=object)


def _zipf(size: int, exponent: float, offset: float) -> np.ndarray:
    """Cumulative Zipf-Mandelbrot probabilities for ranks 1..size (for ``searchsorted``)."""
    weights = (np.arange(1, size + 1) + offset) ** -exponent
    return np.cumsum(weights / weights.sum())


def _draw(rng: np.random.Generator, cumulative: np.ndarray, n: int) -> np.ndarray:
    # Inverse-CDF sampling: one searchsorted, far cheaper than rng.choice(p=...) per chunk.
    return np.minimum(np.searchsorted(cumulative, rng.random(n)), len(cumulative) - 1)


class _Messages:
    """Draws messages whose words follow a Zipf law, each class with its own topical words."""

    VOCABULARY = 30_000
    TOPIC_WORDS = 250

    def __init__(self, rng: np.random.Generator, classes: int) -> None:
        self.rng = rng
        self.words = vocabulary(rng, self.VOCABULARY)
        self.background = _zipf(self.VOCABULARY, 1.0, 2.7)
        # Topical words sit in the middle of the frequency range, like "refund" or "outage".
        pool = rng.permutation(np.arange(150, 6000))
        self.topics = pool[: classes * self.TOPIC_WORDS].reshape(classes, self.TOPIC_WORDS)
        self.topic = _zipf(self.TOPIC_WORDS, 1.0, 1.0)

    def draw(self, labels: np.ndarray) -> list[str]:
        n = len(labels)
        rng = self.rng
        lengths = np.clip(np.round(rng.lognormal(np.log(22), 0.75, n)), 2, 300).astype(int)
        total = int(lengths.sum())
        tokens = _draw(rng, self.background, total)
        owner = np.repeat(np.arange(n), lengths)
        # Each message uses its class's topical words at its own rate, some barely at all.
        topical = rng.random(total) < rng.uniform(0.01, 0.2, n)[owner]
        topic_rank = _draw(rng, self.topic, int(topical.sum()))
        tokens[topical] = self.topics[labels[owner[topical]], topic_rank]
        words = self.words[tokens]
        ends = np.cumsum(lengths)
        marks = np.array([".", ".", ".", "!", "?", ""])[rng.integers(0, 6, n)]
        texts = []
        for i, end in enumerate(ends):
            text = " ".join(words[end - lengths[i] : end])
            texts.append(text[0].upper() + text[1:] + marks[i])
        return texts

    def near_copy(self, text: str) -> str:
        """Return ``text`` changed the way re-sent messages change: case, a word, a sign-off."""
        rng = self.rng
        kind = int(rng.integers(0, 4))
        if kind == 0:
            return text.lower()
        if kind == 1:
            return f"{text} {self.words[_draw(rng, self.background, 1)[0]]}!"
        words = text.split(" ")
        where = int(rng.integers(0, len(words)))
        if kind == 2 and len(words) > 3:
            del words[where]
        else:
            words[where] = str(self.words[_draw(rng, self.background, 1)[0]])
        return " ".join(words)


def write_texts(
    path: Path, *, rows: int, seed: int, classes: int = 2, chunk_rows: int = CHUNK_ROWS
) -> Dataset:
    """Write ``rows`` labelled messages as TSV (id, label, text), a tenth of them repeats.

    Repeats copy a recent original (a bounded window, as re-sent tickets and forwarded spam
    do), six in ten exactly and the rest with a small edit, and keep its label. Binary data
    has 20% of the first label (the one acted on); four classes have unequal shares.
    """
    labels_named = np.array(TEXT_LABELS[classes])
    shares = np.array([0.2, 0.8]) if classes == 2 else np.array([0.3, 0.35, 0.15, 0.2])
    rng = np.random.default_rng([seed, 2])
    messages = _Messages(rng, classes)
    window: list[tuple[int, str]] = []
    window_size = 20_000
    out = _StreamedFile(path)
    exact = near = 0
    counts = np.zeros(classes, dtype=np.int64)
    try:
        for start, n in _chunks(rows, chunk_rows):
            repeat = rng.random(n) < TEXT_DUPLICATE_SHARE
            fresh_labels = rng.choice(classes, size=int((~repeat).sum()), p=shares)
            fresh = iter(zip(fresh_labels.tolist(), messages.draw(fresh_labels), strict=True))
            label_out: list[int] = []
            text_out: list[str] = []
            for is_repeat in repeat.tolist():
                if is_repeat and window:
                    label, text = window[int(rng.integers(0, len(window)))]
                    if rng.random() < 0.6:
                        exact += 1
                    else:
                        near += 1
                        text = messages.near_copy(text)
                else:
                    label, text = next(fresh, None) or _one_more(messages, rng, classes, shares)
                    if len(window) < window_size:
                        window.append((label, text))
                    else:
                        window[int(rng.integers(0, window_size))] = (label, text)
                label_out.append(label)
                text_out.append(text)
            # A few labels are wrong, as in any hand-labelled set.
            flip = rng.random(n) < 0.02
            coded = np.array(label_out)
            coded[flip] = (coded[flip] + rng.integers(1, classes, int(flip.sum()))) % classes
            counts += np.bincount(coded, minlength=classes)
            frame = pd.DataFrame(
                {"id": np.arange(start + 1, start + n + 1), "label": labels_named[coded]}
            )
            frame["text"] = text_out
            out.write(_csv(frame, header=start == 0, sep="\t"))
    except BaseException:
        out.abandon()
        raise
    written = out.finish(rows)
    facts = {
        "labels": dict(zip(labels_named.tolist(), (counts / rows).round(4).tolist(), strict=True)),
        "exact_repeat_share": round(exact / rows, 4),
        "near_repeat_share": round(near / rows, 4),
    }
    return Dataset("nlp-pipeline", rows, seed, {"texts": written}, facts)


def _one_more(
    messages: _Messages, rng: np.random.Generator, classes: int, shares: np.ndarray
) -> tuple[int, str]:
    # Only when a chunk's first rows are repeats and the window is still empty.
    label = rng.choice(classes, size=1, p=shares)
    return int(label[0]), messages.draw(label)[0]


# --- recommender: interactions and item metadata ---------------------------------------------


def recommender_shape(interactions: int) -> tuple[int, int]:
    """Return (users, items) for a size: the issue's 100k users and 20k items at 10M.

    Users grow with the data (100 interactions each on average); the catalogue grows with its
    square root, as catalogues do, so the matrix stays sparse at every size instead of filling
    up at small ones.
    """
    users = max(interactions // 100, 50)
    items = max(round(20_000 * (interactions / 10_000_000) ** 0.5), 50)
    return users, items


def _activity(rng: np.random.Generator, users: int, total: int, cap: int) -> np.ndarray:
    """Return each user's number of interactions: heavy-tailed (Lomax), at least 1, at most cap."""
    weights = rng.pareto(2.0, users)
    counts = 1 + rng.multinomial(total - users, weights / weights.sum())
    while (over := int(np.maximum(counts - cap, 0).sum())) > 0:
        counts = np.minimum(counts, cap)
        room = (counts < cap).astype(float) * weights
        counts += rng.multinomial(over, room / room.sum())
    return counts


class _Catalogue:
    """Items with power-law popularity, each in one taste community; samples what users pick."""

    def __init__(self, rng: np.random.Generator, items: int) -> None:
        self.items = items
        popularity = np.empty(items)
        popularity[rng.permutation(items)] = (np.arange(1, items + 1) + 5.0) ** -1.0
        self.community = rng.integers(0, _COMMUNITIES, items)
        self.quality = rng.normal(0, 0.5, items)
        self.overall = np.cumsum(popularity / popularity.sum())
        self.members = [np.flatnonzero(self.community == c) for c in range(_COMMUNITIES)]
        self.within = [np.cumsum(popularity[m] / popularity[m].sum()) for m in self.members]

    def pick(
        self, rng: np.random.Generator, community: np.ndarray, taste: np.ndarray
    ) -> np.ndarray:
        chosen = _draw(rng, self.overall, len(community))
        for c in range(_COMMUNITIES):
            rows = np.flatnonzero(taste & (community == c))
            if len(rows) and len(self.members[c]):
                chosen[rows] = self.members[c][_draw(rng, self.within[c], len(rows))]
        return chosen


def _distinct_items(
    rng: np.random.Generator, catalogue: _Catalogue, users: np.ndarray, community: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return (item, in_taste) per row with no user picking the same item twice.

    Repeats are redrawn until none is left: within the user's community first, then from the
    whole catalogue (a heavy user exhausts their niche, as real ones do), then uniformly, so
    users near the cap still finish and the file has exactly the size asked for.
    """
    taste = rng.random(len(users)) < _IN_TASTE
    items = catalogue.pick(rng, community, taste)
    for attempt in range(100):
        codes = users.astype(np.int64) * catalogue.items + items
        _, first = np.unique(codes, return_index=True)
        repeated = np.ones(len(codes), dtype=bool)
        repeated[first] = False
        if not repeated.any():
            return items, taste
        rows = np.flatnonzero(repeated)
        if attempt >= 5:
            taste[rows] = False
        if attempt < 40:
            items[rows] = catalogue.pick(rng, community[rows], taste[rows])
        else:
            items[rows] = rng.integers(0, catalogue.items, len(rows))
    raise RuntimeError("could not draw distinct items; the activity cap is too high")


def write_interactions(
    directory: Path,
    *,
    rows: int,
    seed: int,
    ratings: bool = True,
    chunk_rows: int = CHUNK_ROWS * 5,
) -> Dataset:
    """Write ``rows`` interactions (and the items' metadata) as CSV into ``directory``.

    Users are written in blocks, each user's interactions sorted by time (as MovieLens'
    files are), so each block holds all of a user's rows and repeats can be removed block by
    block. Ratings follow taste and item quality; timestamps span two years, each user active
    over a window of their own.
    """
    rng = np.random.default_rng([seed, 3])
    n_users, n_items = recommender_shape(rows)
    catalogue = _Catalogue(rng, n_items)
    counts = _activity(rng, n_users, rows, cap=max(n_items // 5, 1))
    user_community = rng.integers(0, _COMMUNITIES, n_users)
    user_bias = rng.normal(0, 0.4, n_users)
    begin = _START + rng.uniform(0, 0.9, n_users) * _SPAN
    end = np.minimum(begin + rng.lognormal(np.log(0.3 * _SPAN), 0.8, n_users), _START + _SPAN)
    bounds = np.searchsorted(np.cumsum(counts), np.arange(chunk_rows, rows, chunk_rows))
    out = _StreamedFile(directory / "interactions.csv")
    in_taste = 0
    popularity = np.zeros(n_items, dtype=np.int64)
    try:
        for block, (first, last) in enumerate(
            zip([0, *(bounds + 1).tolist()], [*(bounds + 1).tolist(), n_users], strict=True)
        ):
            users = np.repeat(np.arange(first, last), counts[first:last])
            items, taste = _distinct_items(rng, catalogue, users, user_community[users])
            in_taste += int(taste.sum())
            popularity += np.bincount(items, minlength=n_items)
            when = (begin[users] + rng.random(len(users)) * (end[users] - begin[users])).round()
            order = np.lexsort((when, users))
            frame = pd.DataFrame({"user_id": users[order] + 1, "item_id": items[order] + 1})
            if ratings:
                score = 3.2 + 0.9 * taste + catalogue.quality[items] + user_bias[users]
                rating = np.clip(np.round(score + rng.normal(0, 0.9, len(users))), 1, 5)
                frame["rating"] = rating[order].astype(np.int64)
            frame["timestamp"] = when[order].astype(np.int64)
            out.write(_csv(frame, header=block == 0))
    except BaseException:
        out.abandon()
        raise
    written = out.finish(rows)
    items_file = _write_items(rng, directory / "items.csv", catalogue)
    top = np.sort(popularity)[::-1]
    facts = {
        "users": n_users,
        "items": n_items,
        "density": round(rows / (n_users * n_items), 5),
        "in_taste_share": round(in_taste / rows, 4),
        "top_1pct_items_share": round(float(top[: max(n_items // 100, 1)].sum() / rows), 4),
        "user_interactions_median_max": [int(np.median(counts)), int(counts.max())],
        "ratings": ratings,
    }
    files = {"interactions": written, "items": items_file}
    return Dataset("recommender", rows, seed, files, facts)


def _write_items(rng: np.random.Generator, path: Path, catalogue: _Catalogue) -> DataFile:
    """Write one row per item: id, a made-up title, 1 to 3 genres led by its community's, year.

    Written in one piece: a catalogue of 20,000 items is a megabyte, unlike the interactions.
    """
    n = catalogue.items
    title_words = vocabulary(rng, 2_000)
    main_genre = rng.integers(0, len(GENRES), _COMMUNITIES)[catalogue.community]
    year = rng.integers(1970, 2025, n)
    rows = []
    for item in range(n):
        words = title_words[rng.integers(0, len(title_words), int(rng.integers(1, 4)))]
        title = " ".join(word.capitalize() for word in words)
        genres = {int(main_genre[item])} if rng.random() < 0.75 else set()
        genres.update(rng.integers(0, len(GENRES), int(rng.integers(0, 3))).tolist())
        genres = genres or {int(main_genre[item])}
        rows.append(
            (item + 1, f"{title} ({year[item]})", "|".join(GENRES[g] for g in sorted(genres)))
        )
    frame = pd.DataFrame(rows, columns=["item_id", "title", "genres"])
    frame["year"] = year
    out = _StreamedFile(path)
    out.write(_csv(frame, header=True))
    return out.finish(n)


# --- the cache: generate once, reuse for every later run --------------------------------------


def load_or_write(
    data_dir: Path,
    template: str,
    *,
    size: int,
    seed: int,
    text_classes: int = 2,
    ratings: bool = True,
    chunk_rows: int | None = None,
) -> tuple[Dataset, bool]:
    """Return the dataset for these parameters and whether it was reused from ``data_dir``.

    Reuse is what lets a before and an after run read the same bytes, and saves generating ten
    million interactions twice. A reused file is hashed again and must match the manifest
    written when it was made; raises DataError when it does not.
    """
    chunk = {} if chunk_rows is None else {"chunk_rows": chunk_rows}
    variant = "".join(
        (
            f"-{text_classes}classes" if template == "nlp-pipeline" and text_classes != 2 else "",
            "-implicit" if template == "recommender" and not ratings else "",
            f"-chunk{chunk_rows}" if chunk_rows else "",
        )
    )
    folder = data_dir / f"{template}-{size}-seed{seed}{variant}-v{GENERATOR_VERSION}"
    manifest = folder / "dataset.json"
    if manifest.is_file():
        return _reused(folder, json.loads(manifest.read_text(encoding="utf-8"))), True
    folder.mkdir(parents=True, exist_ok=True)
    if template == "classifier-api":
        dataset = write_table(folder / "applications.csv", rows=size, seed=seed, **chunk)
    elif template == "nlp-pipeline":
        dataset = write_texts(
            folder / "messages.tsv", rows=size, seed=seed, classes=text_classes, **chunk
        )
    else:
        dataset = write_interactions(folder, rows=size, seed=seed, ratings=ratings, **chunk)
    described = {
        "template": template,
        "size": size,
        "seed": seed,
        "facts": dataset.facts,
        "files": {
            role: {"name": f.path.name, "rows": f.rows, "sha256": f.sha256, "bytes": f.bytes}
            for role, f in dataset.files.items()
        },
    }
    manifest.write_text(json.dumps(described, indent=2) + "\n", encoding="utf-8")
    return dataset, False


def _reused(folder: Path, described: dict[str, Any]) -> Dataset:
    files = {}
    for role, entry in described["files"].items():
        path = folder / entry["name"]
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
        if digest.hexdigest() != entry["sha256"]:
            raise DataError(f"{path} changed since it was generated: delete {folder} to remake it")
        files[role] = DataFile(path, entry["rows"], entry["sha256"], entry["bytes"])
    return Dataset(
        described["template"], described["size"], described["seed"], files, described["facts"]
    )
