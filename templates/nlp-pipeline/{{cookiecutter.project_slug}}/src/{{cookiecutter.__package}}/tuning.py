"""Choose the regularisation strength C by cross-validation inside the training part.

A value chosen by looking at the test set flatters the model; one chosen on the validation set
would leave that set no longer fresh for what it is for (the calibration and the decision).
So C is tuned on folds of the training part alone: each fold is held out in turn, the model is
fitted on the others, and the candidate with the lowest mean log loss on the held-out folds
wins. Log loss, a proper scoring rule, rewards probabilities that are right and confident; it
is smooth where cost and F1 jump, so the choice does not hinge on one borderline text.

The folds keep near-duplicate groups whole (``split.group_folds``), as the split does, so no
held-out fold has a copy of a text in its training folds, and they are stratified by class.
The features are fitted once per fold and shared by every candidate, so tuning costs one
feature fit per fold and one classifier fit per fold and candidate.

Above ``[model] tuning_texts`` training texts, the folds are cut from a seeded sample of that
many (whole near-duplicate groups, stratified by class, drawn like the split's parts), so
tuning costs the same at any size; the model is then fitted on every training text with the C
chosen, and the report says so. See ``tuning_sample`` for the measurement behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import log_loss
from threadpoolctl import threadpool_limits

from .config import Config, ConfigError
from .models import build_model, class_probabilities, with_c
from .progress import track
from .split import group_folds, hold_out_groups

__all__ = ["Tuning", "tune_c", "tuning_sample"]


@dataclass(frozen=True)
class Tuning:
    """The C chosen and each candidate's mean held-out log loss (and its spread over folds).

    ``folds`` is 0 when C was fixed in the config and nothing was tuned. ``texts`` is how
    many training texts the folds were cut from, ``of`` how many the training part has: fewer
    when C was tuned on a sample (``sample_seed`` then says which).
    """

    chosen: float
    folds: int
    candidates: tuple[dict[str, Any], ...]
    texts: int = 0
    of: int = 0
    sample_seed: int | None = None

    @property
    def sampled(self) -> bool:
        """Whether C was tuned on a sample of the training part rather than all of it."""
        return self.sample_seed is not None

    def to_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON values, for the report."""
        return {
            "chosen": self.chosen,
            "folds": self.folds,
            "criterion": "mean log loss on the held-out folds of the training part",
            "candidates": [dict(c) for c in self.candidates],
            "texts": self.texts,
            "of": self.of,
            "sampled": self.sampled,
            "sample_seed": self.sample_seed,
        }


def tuning_sample(
    y: npt.NDArray[np.int64], groups: npt.NDArray[Any], limit: int | str, seed: int
) -> npt.NDArray[np.int64] | None:
    """Return the positions of the training texts to tune C on, or None for all of them.

    Above ``limit`` texts, whole near-duplicate groups holding about ``limit`` texts, the same
    share of each class (``split.hold_out_groups``), drawn with ``seed``. Tuning costs folds
    times (one feature fit and one fit per candidate), all of it growing with the texts: about
    2.7 ms per tuned text on this project's two-core benchmark machine. Measured on the
    benchmark's 100,000 synthetic messages (55,592 training texts): a sample of 30,000 ranked
    the six default candidates in the same order as all of them and chose the same C, in 82 s
    instead of 145 s. The final fit still sees every training text. A smaller sample tends to
    favour a smaller C (more regularisation suits fewer texts), so ``"all"`` is the choice
    for an owner who can wait.
    """
    if limit == "all" or len(y) <= int(limit):
        return None
    keep = hold_out_groups(y, groups, int(limit) / len(y), seed)
    return np.flatnonzero(keep)


def _folds(y: npt.NDArray[np.int64], groups: npt.NDArray[Any], wanted: int) -> int:
    """Return how many folds every class can fill with whole groups, at most ``wanted``."""
    fewest = min(int(np.unique(groups[y == code]).size) for code in np.unique(y))
    return min(wanted, fewest)


def tune_c(
    config: Config,
    texts: list[str],
    y: npt.NDArray[np.int64],
    groups: npt.NDArray[Any],
    n_classes: int,
) -> Tuning:
    """Return the C of lowest mean held-out log loss among ``[model] C``'s candidates.

    ``texts``, ``y`` and ``groups`` are the training part only; above ``[model]
    tuning_texts`` of them, the folds come from ``tuning_sample`` (seeded by ``seed`` + 2: the
    split draws with ``seed`` and ``seed`` + 1). Ties go to the smaller C (the more regularised
    model). With one candidate nothing is fitted.

    Raises:
        ConfigError: a class has a single near-duplicate group in the training part, so no
            fold can hold it out; the message says to fix C instead.

    """
    grid = config.model.C
    total = len(texts)
    if len(grid) == 1:
        return Tuning(chosen=grid[0], folds=0, candidates=(), texts=0, of=total)
    sample_seed = config.seed + 2
    sample = tuning_sample(y, groups, config.model.tuning_texts, sample_seed)
    if sample is None:
        sample_seed = None
    else:
        texts = [texts[i] for i in sample]
        y, groups = y[sample], groups[sample]
    folds = _folds(y, groups, config.model.tuning_folds)
    if folds < 2:
        raise ConfigError(
            f"{config.path.name}: a class has a single training group, so C cannot be tuned "
            "by cross-validation; set [model] C to one number, or add data"
        )
    pipeline = build_model(config, C=grid[0])
    normaliser, features, classifier = pipeline[0], pipeline[1:-1], pipeline.steps[-1][1]
    fold_of = group_folds(y, groups, folds, config.seed)
    losses = np.empty((len(grid), folds))
    labels = list(range(n_classes))
    # Normalised once: every fold would otherwise normalise the same texts again (the
    # pipeline's first step is the normaliser, a stateless function).
    texts_array = np.asarray(normaliser.fit_transform(texts), dtype=object)
    folds_of = (
        (fold, np.flatnonzero(fold_of != fold), np.flatnonzero(fold_of == fold))
        for fold in range(folds)
    )
    # One thread: see ``train`` (small sparse fits are many times slower spread over threads).
    with threadpool_limits(limits=1):
        for fold, inside, held_out in track(
            folds_of, description="tuning C", total=folds, unit="fold"
        ):
            x_in = features.fit_transform(texts_array[inside].tolist(), y[inside])
            x_out = features.transform(texts_array[held_out].tolist())
            for row, c in enumerate(grid):
                model = with_c(classifier, c).fit(x_in, y[inside])
                probabilities = class_probabilities(model, x_out, n_classes)
                losses[row, fold] = log_loss(y[held_out], probabilities, labels=labels)
    means = losses.mean(axis=1)
    # argmin takes the first of equal means: the smallest C, as the grid is sorted.
    chosen = float(grid[int(np.argmin(means))])
    candidates = tuple(
        {
            "C": float(c),
            "log_loss": float(means[row]),
            "spread": float(losses[row].std(ddof=1)),
            "per_fold": [float(v) for v in losses[row]],
        }
        for row, c in enumerate(grid)
    )
    return Tuning(
        chosen=chosen,
        folds=folds,
        candidates=candidates,
        texts=len(texts),
        of=total,
        sample_seed=sample_seed,
    )
