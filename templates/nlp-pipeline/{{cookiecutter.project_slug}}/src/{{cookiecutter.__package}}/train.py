"""Stages up to the trained model: ingest, normalise, de-duplicate, split, tune, fit, decide.

Each part of the split has one job. The training part fits the model and, by cross-validation
within it, tunes C. The validation part recalibrates the probabilities (where that lowers the
Brier score) and, with two classes, chooses the threshold by expected cost; with more, the
decision is the class with the lowest expected cost under the configured matrix. The test set
is only read by ``evaluate``, once. Everything the later stages need is saved under
``models/``: the pipeline (skops), its calibration and decision, how they were chosen, the
split with every text's part, and the facts about the data that the datasheet reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from . import persistence
from .calibrator import CalibrationChoice, choose_calibration
from .config import DELIMITER_NAMES, Config
from .costmatrix import cost_matrix
from .costs import best_threshold
from .dedup import DedupResult, deduplicate
from .ingest import Corpus, read_corpus
from .models import build_model, class_probabilities
from .normalise import normalise_many, text_flags
from .progress import StageBar
from .split import SPLITS, split_groups
from .tuning import Tuning, tune_c

__all__ = [
    "DATA_FILE",
    "SPLIT_FILE",
    "TRAINING_FILE",
    "Prepared",
    "TrainResult",
    "data_facts",
    "load_facts",
    "load_split",
    "load_training",
    "prepare",
    "train",
]

SPLIT_FILE = "split.csv"
DATA_FILE = "data.json"
TRAINING_FILE = "training.json"
_MAX_BAD_ROWS_LISTED = 20
# A class with fewer test texts than this gets a data-quality note: its intervals are wide.
_FEW_TEST_TEXTS = 30


@dataclass(frozen=True)
class Prepared:
    """The corpus after ingest, normalisation, de-duplication and the split.

    ``frame`` has one row per unique text: ``origin``, ``label``, ``class``, ``text``, ``y``,
    ``normalised``, ``copies``, ``group``, ``split``, ``length``, ``has_url``, ``has_number``.
    """

    frame: pd.DataFrame
    corpus: Corpus
    dedup: DedupResult


@dataclass(frozen=True)
class TrainResult:
    """What training produced: the prepared data, the saved model, and how it was chosen."""

    prepared: Prepared
    model: persistence.TrainedModel
    tuning: Tuning
    calibration: CalibrationChoice


def prepare(config: Config) -> Prepared:
    """Run ingest, normalise, de-duplicate and split.

    Raises:
        IngestError, SplitError: the data cannot be read or split (see those modules).

    """
    with StageBar(["ingest", "normalise", "deduplicate", "split"], "prepare") as bar:
        bar.start("ingest")
        corpus = read_corpus(config.data, config.labels)
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
            classes=corpus.classes,
        )
        frame = pd.concat(
            [dedup.frame.assign(split=parts), text_flags(dedup.frame["text"])], axis=1
        )
    return Prepared(frame=frame, corpus=corpus, dedup=dedup)


def _quality_notes(prepared: Prepared, config: Config) -> list[str]:
    """Return what was done to the data and how to change it, one sentence each."""
    corpus, dedup, frame = prepared.corpus, prepared.dedup, prepared.frame
    items = config.dataset.items
    notes = []
    if corpus.delimiter is not None:
        name = DELIMITER_NAMES.get(corpus.delimiter, repr(corpus.delimiter))
        how = "detected" if corpus.delimiter_detected else "as configured"
        notes.append(f"Fields split at the {name} ({how}); set [data] delimiter to change it.")
    if corpus.bad_rows:
        first = corpus.bad_rows[0]
        notes.append(
            f"{len(corpus.bad_rows):,} unreadable rows left out (first: {first.location}, "
            f"{first.reason}); the run stops above [data] max_bad_fraction = "
            f"{config.data.max_bad_fraction}."
        )
    for label, count in sorted(corpus.dropped.items()):
        notes.append(
            f"{count:,} rows labelled {label!r} left out, as [labels] drop asks; map the label "
            "in [labels.map] to keep them."
        )
    merged: dict[str, list[str]] = {}
    for raw, name in config.labels.map.items():
        merged.setdefault(name, []).append(raw)
    for name, raws in merged.items():
        if len(raws) > 1:
            notes.append(
                f"Labels {', '.join(map(repr, raws))} are merged into the class {name!r} "
                "([labels.map])."
            )
    renamed = [
        f"{raws[0]!r} as {name!r}"
        for name, raws in merged.items()
        if len(raws) == 1 and raws[0] != name
    ]
    if renamed:
        notes.append(f"Labels shown by their class names ([labels.map]): {', '.join(renamed)}.")
    if dedup.exact_removed:
        notes.append(
            f"{dedup.exact_removed:,} exact duplicates removed (the first copy kept), so no "
            f"{config.dataset.item} is counted twice or sits on both sides of the split."
        )
    if dedup.conflicting_texts:
        notes.append(
            f"{dedup.conflicting_texts:,} texts appeared under different classes "
            f"({dedup.conflicting_rows:,} rows) and were removed: neither label can be trusted."
        )
    test = frame[frame["split"] == "test"]
    few = [
        f"{name!r} ({count})"
        for code, name in enumerate(corpus.classes)
        if (count := int((test["y"] == code).sum())) < _FEW_TEST_TEXTS
    ]
    if few:
        notes.append(
            f"Fewer than {_FEW_TEST_TEXTS} test {items} in {', '.join(few)}: intervals there are "
            "wide; more data, or merging classes in [labels.map], would narrow them."
        )
    shares = frame["y"].value_counts(normalize=True)
    if shares.max() > 0.9:
        top = corpus.classes[int(shares.idxmax())]
        notes.append(
            f"{shares.max():.0%} of the {items} are {top!r}: accuracy alone would flatter any "
            "model, so the report leads with per-class metrics and costs."
        )
    return notes


def data_facts(prepared: Prepared, config: Config) -> dict[str, Any]:
    """Return the datasheet's facts about the data: source, counts, duplicates, notes."""
    frame, corpus, dedup = prepared.frame, prepared.corpus, prepared.dedup
    raw = corpus.frame
    classes = corpus.classes
    return {
        "source": config.data.path.name,
        "format": config.data.format,
        "encoding": corpus.encoding,
        "delimiter": corpus.delimiter,
        "delimiter_detected": corpus.delimiter_detected,
        "text_columns": list(config.data.text_columns),
        "classes": list(classes),
        "item": config.dataset.item,
        "items": config.dataset.items,
        "rows_read": len(raw) + len(corpus.bad_rows) + sum(corpus.dropped.values()),
        "texts": len(raw),
        "per_class": {name: int((raw["y"] == code).sum()) for code, name in enumerate(classes)},
        "bad_rows": len(corpus.bad_rows),
        "bad_row_examples": [
            {"location": row.location, "reason": row.reason}
            for row in corpus.bad_rows[:_MAX_BAD_ROWS_LISTED]
        ],
        "dropped_rows": dict(sorted(corpus.dropped.items())),
        "exact_duplicates_removed": dedup.exact_removed,
        "conflicting_texts": dedup.conflicting_texts,
        "conflicting_rows": dedup.conflicting_rows,
        "near_duplicate_pairs": dedup.near_pairs,
        "candidate_pairs_checked": dedup.candidate_pairs,
        "near_duplicate_jaccard": config.dedup.near_duplicate_jaccard,
        "unique_texts": len(frame),
        "groups": dedup.groups,
        "texts_in_multi_text_groups": int(frame["group"].duplicated(keep=False).sum()),
        "split": {
            part: {
                "texts": int((frame["split"] == part).sum()),
                "per_class": {
                    name: int(((frame["split"] == part) & (frame["y"] == code)).sum())
                    for code, name in enumerate(classes)
                },
            }
            for part in SPLITS
        },
        "median_length": float(frame["length"].median()),
        "quality_notes": _quality_notes(prepared, config),
    }


def train(config: Config) -> TrainResult:
    """Prepare the data, tune and fit the model, calibrate it, set its decision, save everything.

    Raises:
        IngestError, SplitError, ConfigError: see ``prepare``, ``build_model`` and ``tune_c``.
        ModelLoadError: the fitted pipeline holds a type outside ``TRUSTED_TYPES``.

    """
    prepared = prepare(config)
    frame = prepared.frame
    classes = prepared.corpus.classes
    train_rows = frame[frame["split"] == "train"]
    validation = frame[frame["split"] == "validation"]
    texts, y = train_rows["text"].tolist(), train_rows["y"].to_numpy()
    # One thread: scikit-learn's logistic regression spreads each small sparse fit over
    # OpenMP threads, which on a busy two-core machine made a fit take 1-2 s instead of
    # 0.03 s (measured: C tuned on the bundled sample in 32 s against 1.5 s).
    with (
        threadpool_limits(limits=1),
        StageBar(["tune", "fit", "calibrate", "decision", "save"], "train") as bar,
    ):
        bar.start("tune")
        tuning = tune_c(config, texts, y, train_rows["group"].to_numpy(), len(classes))
        bar.start("fit")
        pipeline = build_model(config, C=tuning.chosen)
        # The pipeline's first step is the stateless normaliser that ``prepare`` already
        # applied: its output is fitted on directly, sparing a second pass over every training
        # text (about as long as the features' transform, measured).
        pipeline[0].fit(texts)
        pipeline[1:].fit(train_rows["normalised"].tolist(), y)
        bar.start("calibrate")
        y_val = validation["y"].to_numpy()
        raw = class_probabilities(pipeline, validation["text"].tolist(), len(classes))
        calibration = choose_calibration(
            raw,
            y_val,
            enabled=config.model.calibration == "auto",
            resamples=config.report.resamples_for(len(validation)),
            seed=config.seed,
        )
        calibrated = raw if calibration.calibrator is None else calibration.calibrator.apply(raw)
        bar.start("decision")
        costs = cost_matrix(config.costs, config.labels)
        threshold = None
        if config.labels.binary:
            threshold = best_threshold(y_val, calibrated[:, 1], costs.error_costs())
        bar.start("save")
        model = persistence.TrainedModel(
            pipeline=pipeline,
            classes=classes,
            costs=costs,
            threshold=threshold,
            calibrator=calibration.calibrator,
            metadata={"kind": config.model.kind, "seed": config.seed, "C": tuning.chosen},
        )
        config.models_dir.mkdir(parents=True, exist_ok=True)
        persistence.save(model, config.models_dir)
        frame.to_csv(config.models_dir / SPLIT_FILE, index=False)
        facts = data_facts(prepared, config)
        _write_json(config.models_dir / DATA_FILE, facts)
        _write_json(
            config.models_dir / TRAINING_FILE,
            {"tuning": tuning.to_dict(), "calibration": calibration.to_dict()},
        )
    return TrainResult(prepared=prepared, model=model, tuning=tuning, calibration=calibration)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load_split(config: Config) -> pd.DataFrame:
    """Read the split saved by ``train``, with the column types it was written with."""
    frame = pd.read_csv(
        config.models_dir / SPLIT_FILE,
        dtype={
            "origin": "string",
            "label": "string",
            "class": "string",
            "text": "string",
            "split": "string",
        },
        keep_default_na=False,
    )
    frame["y"] = frame["y"].astype(np.int64)
    return frame


def load_facts(config: Config) -> dict[str, Any]:
    """Read the data facts saved by ``train``."""
    return dict(json.loads((config.models_dir / DATA_FILE).read_text(encoding="utf-8")))


def load_training(config: Config) -> dict[str, Any]:
    """Read how ``train`` chose C and the calibration."""
    return dict(json.loads((config.models_dir / TRAINING_FILE).read_text(encoding="utf-8")))
