"""Split the de-duplicated messages into train, validation and test, keeping groups whole.

The split comes after de-duplication and works on near-duplicate groups, so a campaign's
copies share one side. It is stratified, so the rare positive class has the same share in
every part, and seeded, so the test set is the same on every run: touched once, at the end.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["SPLITS", "SplitError", "hold_out_groups", "split_groups"]

SPLITS = ("train", "validation", "test")


class SplitError(ValueError):
    """The data are too small or too one-sided to form the three parts."""


def hold_out_groups(
    y: npt.NDArray[np.int64], groups: npt.NDArray[np.int64], fraction: float, seed: int
) -> npt.NDArray[np.bool_]:
    """Return a mask of whole groups holding about ``fraction`` of each class's messages.

    A group counts as positive when any of its messages is (near duplicates almost always
    share a label). Within each class the groups are shuffled and taken in that order while
    the running count, at the group's midpoint, stays within the target: the share of each
    class in the held-out part is then ``fraction`` to within one group.
    """
    table = pd.DataFrame({"group": groups, "y": y}).groupby("group")["y"].agg(["max", "size"])
    rng = np.random.default_rng(seed)
    held: list[npt.NDArray[np.int64]] = []
    for _, part in table.groupby("max", sort=True):
        order = rng.permutation(len(part))
        sizes = part["size"].to_numpy()[order]
        midpoints = np.cumsum(sizes) - sizes / 2
        held.append(part.index.to_numpy()[order][midpoints <= fraction * sizes.sum()])
    return np.isin(groups, np.concatenate(held))


def split_groups(
    frame: pd.DataFrame, *, test_fraction: float, validation_fraction: float, seed: int
) -> pd.Series:
    """Return each row's part (``train``, ``validation`` or ``test``), indexed like ``frame``.

    ``frame`` needs ``y`` (0/1) and ``group``. The test set is drawn first, then the
    validation set from the rest, so changing ``validation_fraction`` never moves a test row.

    Raises:
        SplitError: a part would lack one of the classes (too few messages of a class).

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
    for part in SPLITS:
        present = set(np.unique(y[parts == part]).tolist())
        if present != {0, 1}:
            raise SplitError(
                f"the {part} set lacks a class: each class needs a few messages per part; "
                "add data or change the fractions in [split]"
            )
    return pd.Series(parts, index=frame.index, name="split", dtype="string")
