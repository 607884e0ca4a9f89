"""Generate the bundled sample: synthetic film interactions shaped like real ones.

The numbers in a fresh clone come from this data, so it has the structure that makes the
trade-offs real: a long tail of item popularity, users in taste clusters over genres, heavy
and light users (a few too light to evaluate), and timestamps in which items appear over time
and are watched after release, so a split in time sees genuine drift. Nothing here describes
real people or films. Regenerate with ``python -m <package>.synthetic`` (``make sample``).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["GENRES", "SampleShape", "generate_sample", "write_sample"]

GENRES = (
    "Action",
    "Adventure",
    "Animation",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Horror",
    "Romance",
    "Sci-Fi",
    "Thriller",
)
_ADJECTIVES = (
    "Silent",
    "Crimson",
    "Last",
    "Hidden",
    "Broken",
    "Golden",
    "Midnight",
    "Distant",
    "Wild",
    "Frozen",
    "Burning",
    "Lonely",
    "Secret",
    "Electric",
    "Northern",
    "Velvet",
    "Iron",
    "Paper",
)
_NOUNS = (
    "Harbour",
    "Empire",
    "Garden",
    "Signal",
    "Horizon",
    "River",
    "Witness",
    "Machine",
    "Summer",
    "Kingdom",
    "Letter",
    "Station",
    "Forest",
    "Promise",
    "Storm",
    "Orchard",
    "Mirror",
    "Voyage",
    "Lantern",
    "Compass",
    "Island",
    "Winter",
    "Archive",
    "Carnival",
)
_DAY = 86_400
_START = 1_672_531_200  # 2023-01-01 UTC
_SPAN_DAYS = 730


@dataclass(frozen=True)
class SampleShape:
    """Size of the sample: small enough to commit and to run ``make all`` in seconds."""

    n_users: int = 500
    n_items: int = 400
    n_clusters: int = 6
    n_communities: int = 16
    median_interactions: int = 20


def _items(rng: np.random.Generator, shape: SampleShape) -> pd.DataFrame:
    n = shape.n_items
    # Items belong to latent communities (what people who like one also like). Each
    # community has a typical genre, but only most of its items carry it: metadata is a
    # noisy view of taste, as in real catalogues, so collaborative models can beat it.
    community = rng.integers(0, shape.n_communities, size=n)
    community_genre = rng.choice(len(GENRES), size=shape.n_communities)
    typical = rng.random(n) < 0.65
    primary = np.where(typical, community_genre[community], rng.integers(0, len(GENRES), n))
    extra = rng.random((n, len(GENRES))) < 0.1
    extra[np.arange(n), primary] = True
    release = _START + rng.integers(-365, _SPAN_DAYS - 60, size=n) * _DAY
    years = pd.to_datetime(release, unit="s").year.to_numpy()
    # Distinct titles while the word lists allow it, with the year as films are listed.
    combinations = len(_ADJECTIVES) * len(_NOUNS)
    picks = rng.choice(combinations, size=n, replace=n > combinations)
    titles = [
        f"The {_ADJECTIVES[p // len(_NOUNS)]} {_NOUNS[p % len(_NOUNS)]} ({year})"
        for p, year in zip(picks, years, strict=True)
    ]
    return pd.DataFrame(
        {
            "item_id": np.arange(1, n + 1),
            "title": titles,
            "genres": ["|".join(np.array(GENRES)[row]) for row in extra],
            "year": years,
            "_release": release,
            "_community": community,
        }
    )


def generate_sample(
    seed: int = 7, shape: SampleShape | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(interactions, items)`` drawn from a seeded generative model.

    Each user belongs to a taste cluster (a distribution over latent item communities) with a
    personal twist; the chance of watching an item grows with its popularity and with the
    user's taste for its community, which its genres only partly reveal. Each user watches a
    lognormal number of distinct items (Gumbel top-k sampling, vectorised over users), each
    after its release date.
    """
    shape = shape or SampleShape()
    rng = np.random.default_rng(seed)
    items = _items(rng, shape)
    membership_matrix = np.eye(shape.n_communities)[items["_community"].to_numpy()]

    clusters = rng.dirichlet(np.full(shape.n_communities, 0.3), size=shape.n_clusters)
    membership = rng.integers(0, shape.n_clusters, size=shape.n_users)
    personal = rng.dirichlet(np.full(shape.n_communities, 0.5), size=shape.n_users)
    taste = 0.75 * clusters[membership] + 0.25 * personal
    affinity = taste @ membership_matrix.T * shape.n_communities

    # Zipf-like popularity: a short head of hits and a long tail few people find.
    popularity = rng.permutation(1.0 / np.arange(1, shape.n_items + 1) ** 0.9)
    logits = np.log(popularity) + 1.6 * affinity
    keys = logits + rng.gumbel(size=logits.shape)
    order = np.argsort(-keys, axis=1)
    counts = np.clip(
        np.round(rng.lognormal(np.log(shape.median_interactions), 0.8, shape.n_users)),
        2,
        shape.n_items // 2,
    ).astype(int)
    users = np.repeat(np.arange(shape.n_users), counts)
    ranks = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    item_index = order[users, ranks]

    release = items["_release"].to_numpy()
    joined = _START + rng.integers(0, int(_SPAN_DAYS * 0.8), size=shape.n_users) * _DAY
    start = np.maximum(joined[users], release[item_index])
    gap = rng.exponential(90 * _DAY, size=users.size)
    timestamp = np.minimum(start + gap, _START + _SPAN_DAYS * _DAY).astype(np.int64)

    match = affinity[users, item_index]
    z = (match - match.mean()) / match.std()
    rating = np.clip(np.round(3.6 + 0.9 * z + rng.normal(0, 0.8, users.size)), 1, 5).astype(int)

    interactions = (
        pd.DataFrame(
            {
                "user_id": users + 1,
                "item_id": item_index + 1,
                "rating": rating,
                "timestamp": timestamp,
            }
        )
        .sort_values(["timestamp", "user_id", "item_id"], kind="stable")
        .reset_index(drop=True)
    )
    return interactions, items.drop(columns=["_release", "_community"])


def write_sample(folder: Path, seed: int = 7) -> tuple[Path, Path]:
    """Write ``interactions.csv`` and ``items.csv`` into ``folder`` and return their paths."""
    interactions, items = generate_sample(seed)
    folder.mkdir(parents=True, exist_ok=True)
    interactions_path = folder / "interactions.csv"
    items_path = folder / "items.csv"
    interactions.to_csv(interactions_path, index=False, lineterminator="\n")
    items.to_csv(items_path, index=False, lineterminator="\n")
    return interactions_path, items_path


def main(argv: list[str] | None = None) -> None:
    """Regenerate the bundled sample (``make sample``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/sample"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    for path in write_sample(args.out, args.seed):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
