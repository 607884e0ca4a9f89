"""Turn model numbers into the units a business reader uses: counts per 10,000 cases.

"Precision 0.93" means little to a product owner; "70 good customers wrongly flagged per
10,000" can be weighed against what each one costs. Every report states its rates this way,
with the same rounding, so numbers are comparable across sections.
"""

from __future__ import annotations

import math

__all__ = ["PER", "format_count", "per_n"]

PER = 10_000


def per_n(count: float, total: float, n: float = PER) -> float:
    """Return ``count`` out of ``total`` cases rescaled to ``n`` cases (10,000 by default).

    ``count`` may be any additive quantity, such as errors or a cost, so the same helper gives
    "false alarms per 10,000" and "cost per 10,000". Example: 3 errors in 1,000 cases are 30
    per 10,000.

    Raises ``ValueError`` if ``total`` or ``n`` is not positive, or ``count`` is not finite.
    """
    if not total > 0:
        raise ValueError(f"total must be positive to form a rate, got {total!r}")
    if not n > 0:
        raise ValueError(f"n must be positive, got {n!r}")
    if not math.isfinite(count):
        raise ValueError(f"count must be finite, got {count!r}")
    return count / total * n


def format_count(x: float) -> str:
    """Format a count or rate for a reader: about three significant figures, no exponent.

    Whole numbers print exactly with thousands separators (``1,150``). Otherwise values from
    100 up are rounded to whole numbers, from 10 up to one decimal (``11.5``), from 1 up to
    two (``3.25``), and below 1 to three (``0.325``), trailing zeros dropped: a rate per
    10,000 estimated on a sample is not known more precisely than that. NaN prints ``n/a``.
    """
    value = float(x)
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value.is_integer():
        return f"{int(value):,}"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    decimals = 1 if magnitude >= 10 else 2 if magnitude >= 1 else 3
    text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
