"""One number format per kind of quantity, so a reader never compares 0.0158 with 63.7.

Every sentence, table, caption and figure label of the report formats through these: ranking
metrics with three decimals, shares as percentages with one, differences of shares in
percentage points, counts and rates with ``business.format_count``, and measured times and
sizes in one fixed unit per column with a floor (``< 0.01``) instead of a misleading zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from {{ cookiecutter.__package }}.business import format_count

__all__ = [
    "bits",
    "count",
    "interval",
    "measured",
    "metric",
    "moment",
    "percentile",
    "points",
    "share",
    "size",
]

#: Below this, a measured time or size prints as "< 0.01": it was too small to read.
_FLOOR = 0.01
#: Timestamps from here on are read as Unix seconds (1973 onwards) and shown as dates.
_UNIX_SECONDS = 100_000_000


def metric(value: float | None) -> str:
    """Format a ranking or list metric (NDCG, precision, diversity, Gini): ``0.306``."""
    return "n/a" if value is None else f"{value:.3f}"


def share(value: float | None) -> str:
    """Format a share of users, slots or the catalogue: ``46.5%``."""
    return "n/a" if value is None else f"{value:.1%}"


def points(value: float) -> str:
    """Format a difference of two shares in percentage points: ``12.3`` (say "points")."""
    return f"{value * 100:.1f}"


def bits(value: float | None) -> str:
    """Novelty, in bits of self-information: ``2.85``."""
    return "n/a" if value is None else f"{value:.2f}"


def percentile(value: float) -> str:
    """Format a popularity percentile, 0 to 100: ``53.6``."""
    return f"{value:.1f}"


def count(value: float) -> str:
    """Format a count or a rate per 10,000 the house way: ``1,150`` or ``11.5``."""
    return format_count(value)


def measured(value: float) -> str:
    """Format a measured time or size in its column's unit: ``11.7``, ``0.45``, ``< 0.01``."""
    return f"< {_FLOOR:g}" if value < _FLOOR else format_count(value)


def size(n_bytes: float) -> str:
    """Format a file size: ``642 KB``, ``11.2 MB`` (kilo = 1,024)."""
    value = float(n_bytes)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{measured(value)} {unit}"
        value /= 1024
    return f"{measured(value)} GB"


def interval(values: Mapping[str, float], show: Callable[[float], str] = metric) -> str:
    """Format an estimate and its interval alike: ``0.306 [0.278, 0.334]``."""
    return f"{show(values['estimate'])} [{show(values['low'])}, {show(values['high'])}]"


def moment(timestamp: int) -> str:
    """Format a cut in time: a date for Unix seconds, else the timestamp (row order, years)."""
    if timestamp >= _UNIX_SECONDS:
        return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    return f"{timestamp:,}"
