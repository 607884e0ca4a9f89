"""One number format per kind of quantity, so a table never mixes 63.7 with 605.

Counts and costs per 10,000 texts are whole numbers with thousands separators (a rate per
10,000 estimated on a few hundred texts is not known to a decimal); the price of one error is
written as configured (``4.5``); metrics between 0 and 1
(precision, recall, F1, ROC-AUC, average precision) have three decimals; the Brier score, whose
differences live in the third decimal, has four; shares are percentages with one decimal;
thresholds three decimals. Intervals use their estimate's format.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from .business import format_count

# The placeholders of ``claims.Wording`` templates, to put inside f-strings: a doubled brace in
# this project's source would read as template syntax when the project is generated.
_OPEN, _CLOSE = "{", "}"
VALUE = "{value}"
AMOUNT = "{value} {interval}"
SIGNED = "{estimate} {interval}"
SETTLE = "{settle}"

__all__ = [
    "AMOUNT",
    "SETTLE",
    "SIGNED",
    "VALUE",
    "brier",
    "capitalised",
    "escape_braces",
    "interval",
    "metric",
    "per_10k",
    "price",
    "share",
    "signed_per_10k",
    "threshold",
]


def per_10k(value: float) -> str:
    """Format a count or a cost per 10,000 texts: ``1,150``, ``64``; below 1 as ``0.4``."""
    number = float(value)
    if math.isfinite(number) and abs(number) >= 1:
        return format_count(float(round(number)))
    return format_count(number)


def price(value: float) -> str:
    """Format the price of one error as configured, to three significant figures: ``4.5``."""
    return format_count(value)


def signed_per_10k(value: float) -> str:
    """Format a difference per 10,000 texts with its sign: ``+414``, ``-20``, ``0``."""
    text = per_10k(value)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def metric(value: float | None) -> str:
    """Format a metric between 0 and 1 with three decimals: ``0.912``; None is ``n/a``."""
    return "n/a" if value is None or math.isnan(value) else f"{value:.3f}"


def brier(value: float | None) -> str:
    """Format a Brier score or a difference of two with four decimals: ``0.0214``."""
    return "n/a" if value is None or math.isnan(value) else f"{value:.4f}"


def share(value: float) -> str:
    """Format a share of texts as a percentage with one decimal: ``13.4%``."""
    return f"{value:.1%}"


def threshold(value: float) -> str:
    """Format a decision threshold with three decimals: ``0.411``."""
    return f"{value:.3f}"


def interval(values: Mapping[str, Any], fmt: Callable[[float], str] = metric) -> str:
    """Format ``{"estimate", "low", "high"}`` as ``0.912 [0.887, 0.934]``.

    An estimate without bounds (too few cases for an interval) says so; none is ``n/a``.
    """
    if values.get("estimate") is None:
        return "n/a"
    if values.get("low") is None or values.get("high") is None:
        return f"{fmt(values['estimate'])} (too few cases for an interval)"
    return f"{fmt(values['estimate'])} [{fmt(values['low'])}, {fmt(values['high'])}]"


def capitalised(text: str) -> str:
    """Return ``text`` with its first letter upper case, to open a sentence with a phrase."""
    return text[:1].upper() + text[1:]


def escape_braces(text: str) -> str:
    """Return ``text`` safe inside a ``str.format`` template: a class named ``{x}`` stays so."""
    return text.replace(_OPEN, _OPEN * 2).replace(_CLOSE, _CLOSE * 2)
