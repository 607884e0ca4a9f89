"""Split the de-duplicated texts into train, validation and test, keeping groups whole.

The split comes after de-duplication and works on near-duplicate groups, so the copies of one
text share one side. It is stratified, so every class has the same share in every part, and
seeded, so the test set is the same on every run: touched once, at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["SPLITS", "SplitError", "group_folds", "hold_out_groups", "split_groups"]

SPLITS = ("train", "validation", "test")


class SplitError(ValueError):
    """The data are too small or too one-sided to form the three parts."""


def _group_classes(y: npt.NDArray[np.int64], groups: npt.NDArray[np.int64]) -> pd.DataFrame:
    """Return each group's size and class: the most common class of its texts.

    Near duplicates almost always share a class; when they do not, the group is stratified by
    its majority (the smallest code on a tie, so the result is reproducible).
    """
    counts = pd.DataFrame({"group": groups, "y": y}).value_counts(["group", "y"]).reset_index()
    counts = counts.sort_values(["group", "count", "y"], ascending=[True, False, True])
    majority = counts.drop_duplicates("group").set_index("group")["y"]
    sizes = pd.Series(groups).value_counts()
    return pd.DataFrame({"y": majority, "size": sizes.reindex(majority.index)})


def _midpoints(
    y: npt.NDArray[np.int64], groups: npt.NDArray[Any], seed: int
) -> list[tuple[npt.NDArray[Any], npt.NDArray[np.float64], int]]:
    """Return, per class, its groups in a seeded shuffle, their midpoints and the class's texts.

    A group's midpoint is the running count of texts, in that order, halfway through it.
    """
    table = _group_classes(y, groups)
    rng = np.random.default_rng(seed)
    shuffled = []
    for _, part in table.groupby("y", sort=True):
        order = rng.permutation(len(part))
        sizes = part["size"].to_numpy()[order]
        shuffled.append((part.index.to_numpy()[order], np.cumsum(sizes) - sizes / 2, sizes.sum()))
    return shuffled


def hold_out_groups(
    y: npt.NDArray[np.int64], groups: npt.NDArray[np.int64], fraction: float, seed: int
) -> npt.NDArray[np.bool_]:
    """Return a mask of whole groups holding about ``fraction`` of each class's texts.

    Within each class the groups are shuffled and taken in that order while the running count,
    at the group's midpoint, stays within the target: the share of each class in the held-out
    part is then ``fraction`` to within one group.
    """
    held: list[npt.NDArray[Any]] = [np.empty(0, dtype=np.int64)]
    for ids, midpoints, total in _midpoints(y, groups, seed):
        held.append(ids[midpoints <= fraction * total])
    return np.isin(groups, np.concatenate(held))


def group_folds(
    y: npt.NDArray[np.int64], groups: npt.NDArray[Any], folds: int, seed: int
) -> npt.NDArray[np.int64]:
    """Return each text's fold, 0 to ``folds`` - 1: whole groups, each class shared evenly.

    As in ``hold_out_groups``, each class's groups are shuffled; a group goes to the fold its
    running count's midpoint falls in, so each fold holds ``1 / folds`` of every class to
    within one group. Array operations throughout, where scikit-learn's
    ``StratifiedGroupKFold`` weighs every group against every fold in a Python loop (19 s of
    a 50,000-message training run, measured; growing with the groups).
    """
    ids, fold = [], []
    for part, midpoints, total in _midpoints(y, groups, seed):
        ids.append(part)
        fold.append(np.minimum((midpoints * folds / total).astype(np.int64), folds - 1))
    fold_of = pd.Series(np.concatenate(fold), index=np.concatenate(ids))
    return fold_of.reindex(groups).to_numpy()


def split_groups(
    frame: pd.DataFrame,
    *,
    test_fraction: float,
    validation_fraction: float,
    seed: int,
    classes: Sequence[str] = (),
) -> pd.Series:
    """Return each row's part (``train``, ``validation`` or ``test``), indexed like ``frame``.

    ``frame`` needs ``y`` (class codes) and ``group``; ``classes`` names the codes in errors.
    The test set is drawn first, then the validation set from the rest, so changing
    ``validation_fraction`` never moves a test row.

    Raises:
        SplitError: a part would lack one of the classes (too few texts of a class).

    """
    y = frame["y"].to_numpy()
    groups = frame["group"].to_numpy()
    parts = np.full(len(y), "train", dtype=object)
    test = hold_out_groups(y, groups, test_fraction, seed)
    parts[test] = "test"
    rest = np.flatnonzero(~test)
    # The validation share is of the whole corpus, so rescale it to what is left.
    share = validation_fraction / (1 - test_fraction)
    validation = hold_out_groups(y[rest], groups[rest], share, seed + 1)
    parts[rest[validation]] = "validation"
    names = list(classes) or [str(code) for code in range(int(y.max()) + 1)]
    for part in SPLITS:
        present = set(np.unique(y[parts == part]).tolist())
        missing = [code for code in range(len(names)) if code not in present]
        if missing:
            name = names[missing[0]]
            of_class = y == missing[0]
            count = int(np.count_nonzero(of_class))
            clusters = int(np.unique(groups[of_class]).size)
            if clusters < count / 2:
                # Plenty of texts, few groups: near duplicates chained them together.
                raise SplitError(
                    f"the {part} set has no text of class {name!r}: its {count} texts fall in "
                    f"only {clusters} near-duplicate groups, and a group never straddles two "
                    "parts; raise [dedup] near_duplicate_jaccard if these texts are not copies"
                )
            raise SplitError(
                f"the {part} set has no text of class {name!r}, which has {count} unique "
                f"text{'' if count == 1 else 's'}: each class needs a few per part; add data, "
                "merge the class with another in [labels.map], or drop its labels in [labels]"
            )
    return pd.Series(parts, index=frame.index, name="split", dtype="string")
