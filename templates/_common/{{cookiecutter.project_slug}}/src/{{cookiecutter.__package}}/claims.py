"""Sentences that compare two things, written from a paired interval so words follow the numbers.

A reviewer checks every sentence against the numbers beside it. "The model saves 11,236 EUR a
month" on a test set whose paired interval runs from -191,011 to +191,011 is a claim the data
does not make. So a comparison is worded by the sign of its whole interval: one side is ahead
only when the interval excludes zero; otherwise the sentence says no difference can be shown,
gives the interval, and says how much more data would settle it if the difference held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .business import format_count
from .uncertainty import Difference

__all__ = ["Wording", "compare", "settle_clause"]


@dataclass(frozen=True)
class Wording:
    """The three sentences a comparison can end in, as ``str.format`` templates.

    ``ahead`` and ``behind`` may use ``{value}`` (the size of the difference) and ``{interval}``
    (its bounds, as sizes in the same direction: ``[lo, hi]``); ``unclear`` may use
    ``{estimate}`` and ``{interval}`` (signed, first minus second) and ``{settle}`` (a clause
    such as "about 2,400 more cases would settle it", or the empty string).
    """

    ahead: str
    behind: str
    unclear: str


def settle_clause(difference: Difference, units: str = "cases") -> str:
    """Say how many units an interval that excludes zero would need, or why none would do."""
    needed = difference.units_to_settle()
    if needed is None:
        return "" if difference.conclusive else f"the two are indistinguishable on these {units}"
    return f"about {format_count(needed)} {units} would settle it if the difference held"


def compare(
    difference: Difference,
    wording: Wording,
    *,
    value: Callable[[float], str] = format_count,
    units: str = "cases",
) -> str:
    """Return the sentence ``wording`` gives for ``difference`` (first minus second).

    ``value`` formats one number (a cost, a rate, an NDCG). "Ahead" means the first is larger;
    for a cost, pass the difference as ``second - first`` (the saving) so larger is better.
    """
    low, high = difference.low, difference.high
    if difference.direction > 0:
        return wording.ahead.format(
            value=value(difference.estimate), interval=f"[{value(low)}, {value(high)}]"
        )
    if difference.direction < 0:
        return wording.behind.format(
            value=value(-difference.estimate), interval=f"[{value(-high)}, {value(-low)}]"
        )
    return wording.unclear.format(
        estimate=value(difference.estimate),
        interval=f"[{value(low)}, {value(high)}]",
        settle=settle_clause(difference, units),
    )
