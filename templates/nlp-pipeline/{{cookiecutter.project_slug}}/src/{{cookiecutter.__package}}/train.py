"""Stages up to the trained model: ingest, normalise, de-duplicate, split, fit, threshold.

The threshold is chosen here, on the validation set, by expected cost; the test set is
only read by ``evaluate``. Everything the later stages need is saved under ``models/``: the
pipeline (skops), its decision metadata, the split with every message's part, and the facts
about the data that the datasheet reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import persistence
from .config import Config
from .costs import ErrorCosts, best_threshold
from .dedup import DedupResult, deduplicate
from .ingest import Corpus, read_corpus
from .models import build_model, positive_scores
from .normalise import normalise_many, text_flags
from .progress import StageBar
from .split import SPLITS, split_groups

__all__ = [
    "DATA_FILE",
    "SPLIT_FILE",
    "Prepared",
    "TrainResult",
    "data_facts",
    "load_facts",
    "load_split",
    "prepare",
    "train",
]

SPLIT_FILE = "split.csv"
DATA_FILE = "data.json"
_MAX_BAD_ROWS_LISTED = 20


@dataclass(frozen=True)
class Prepared:
    """The corpus after ingest, normalisation, de-duplication and the split.

    ``frame`` has one row per unique message: ``origin``, ``label``, ``text``, ``y``,
    ``normalised``, ``copies``, ``group``, ``split``, ``length``, ``has_url``,
    ``has_number``.
    """

    frame: pd.DataFrame
    corpus: Corpus
    dedup: DedupResult


@dataclass(frozen=True)
class TrainResult:
    """What training produced: the prepared data and the saved model with its threshold."""

    prepared: Prepared
    model: persistence.TrainedModel


def prepare(config: Config) -> Prepared:
    """Run ingest, normalise, de-duplicate and split.

    Raises:
        IngestError, SplitError: the data cannot be read or split (see those modules).

    """
    with StageBar(["ingest", "normalise", "deduplicate", "split"], "prepare") as bar:
        bar.start("ingest")
        corpus = read_corpus(config.data)
        bar.start("normalise")
        normalised = normalise_many(corpus.frame["text"])
        bar.start("deduplicate")
        dedup = deduplicate(
            corpus.frame,
            normalised,
            shingle_size=config.dedup.shingle_size,
            threshold=config.dedup.near_duplicate_jaccard,
            num_perm=config.dedup.num_perm,
            bands=config.dedup.bands,
            seed=config.seed,
        )
        bar.start("split")
        parts = split_groups(
            dedup.frame,
            test_fraction=config.split.test_fraction,
            validation_fraction=config.split.validation_fraction,
            seed=config.seed,
        )
        frame = pd.concat(
            [dedup.frame.assign(split=parts), text_flags(dedup.frame["text"])], axis=1
        )
    return Prepared(frame=frame, corpus=corpus, dedup=dedup)


def data_facts(prepared: Prepared, config: Config) -> dict[str, Any]:
    """Return the datasheet's facts about the data: source, counts, duplicates, bad rows."""
    frame, corpus, dedup = prepared.frame, prepared.corpus, prepared.dedup
    raw = corpus.frame
    return {
        "source": config.data.path.name,
        "format": config.data.format,
        "encoding": corpus.encoding,
        "rows_read": len(raw) + len(corpus.bad_rows),
        "messages": len(raw),
        "positive_label": config.data.positive_label,
        "negative_label": config.data.negative_label,
        "positive_messages": int(raw["y"].sum()),
        "bad_rows": len(corpus.bad_rows),
        "bad_row_examples": [
            {"location": row.location, "reason": row.reason}
            for row in corpus.bad_rows[:_MAX_BAD_ROWS_LISTED]
        ],
        "exact_duplicates_removed": dedup.exact_removed,
        "conflicting_texts": dedup.conflicting_texts,
        "conflicting_rows": dedup.conflicting_rows,
        "near_duplicate_pairs": dedup.near_pairs,
        "candidate_pairs_checked": dedup.candidate_pairs,
        "near_duplicate_jaccard": config.dedup.near_duplicate_jaccard,
        "unique_messages": len(frame),
        "groups": dedup.groups,
        "messages_in_multi_message_groups": int(frame["group"].duplicated(keep=False).sum()),
        "split": {
            part: {
                "messages": int((frame["split"] == part).sum()),
                "positive": int(frame.loc[frame["split"] == part, "y"].sum()),
            }
            for part in SPLITS
        },
        "median_length": float(frame["length"].median()),
    }


def train(config: Config) -> TrainResult:
    """Prepare the data, fit the configured model, choose its threshold, save everything.

    Raises:
        IngestError, SplitError, ConfigError: see ``prepare`` and ``build_model``.

    """
    prepared = prepare(config)
    frame = prepared.frame
    train_rows = frame[frame["split"] == "train"]
    validation = frame[frame["split"] == "validation"]
    with StageBar(["fit", "threshold", "save"], "train") as bar:
        bar.start("fit")
        pipeline = build_model(config)
        pipeline.fit(train_rows["text"].tolist(), train_rows["y"].to_numpy())
        bar.start("threshold")
        costs = ErrorCosts(config.costs.false_positive, config.costs.false_negative)
        scores = positive_scores(pipeline, validation["text"].tolist())
        threshold = best_threshold(validation["y"].to_numpy(), scores, costs)
        bar.start("save")
        model = persistence.TrainedModel(
            pipeline=pipeline,
            threshold=threshold,
            positive_label=config.data.positive_label,
            negative_label=config.data.negative_label,
            metadata={"kind": config.model.kind, "seed": config.seed},
        )
        persistence.save(model, config.models_dir)
        frame.to_csv(config.models_dir / SPLIT_FILE, index=False)
        facts = data_facts(prepared, config)
        (config.models_dir / DATA_FILE).write_text(
            json.dumps(facts, indent=2) + "\n", encoding="utf-8"
        )
    return TrainResult(prepared=prepared, model=model)


def load_split(config: Config) -> pd.DataFrame:
    """Read the split saved by ``train``, with the column types it was written with."""
    frame = pd.read_csv(
        config.models_dir / SPLIT_FILE,
        dtype={"origin": "string", "label": "string", "text": "string", "split": "string"},
        keep_default_na=False,
    )
    frame["y"] = frame["y"].astype(np.int64)
    return frame


def load_facts(config: Config) -> dict[str, Any]:
    """Read the data facts saved by ``train``."""
    return dict(json.loads((config.models_dir / DATA_FILE).read_text(encoding="utf-8")))
