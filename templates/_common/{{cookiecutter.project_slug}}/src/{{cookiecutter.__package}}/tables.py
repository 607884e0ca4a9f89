"""GitHub-flavoured Markdown tables, the one format every report in this project writes.

Reports put their tables inside README marker blocks, so the output is plain text that reads
well in a diff as well as on GitHub: columns are padded to a common width, numbers are
rounded the same way everywhere, and numeric columns are right-aligned.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

__all__ = ["format_value", "markdown_table"]

_ALIGNMENTS = {
    "left": "left",
    "l": "left",
    "right": "right",
    "r": "right",
    "center": "center",
    "centre": "center",
    "c": "center",
}


def format_value(value: object, digits: int = 3) -> str:
    """Format one cell: the house rounding for numbers, strings unchanged.

    Floats get ``digits`` decimals (``0.912``), with thousands separators and no decimals
    from 1,000 up (``12,346``), and ``digits`` significant figures when they are too small
    for fixed decimals (``0.000123``). Integers get thousands separators. NaN, the mark of an
    undefined metric, becomes ``n/a``; ``None`` becomes an empty cell. Anything else, such as
    a string formatted by the caller, is used as ``str(value)``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return "n/a"
        if math.isinf(number):
            return "inf" if number > 0 else "-inf"
        magnitude = abs(number)
        if magnitude >= 1000:
            return f"{number:,.0f}"
        if magnitude == 0 or magnitude >= 10.0**-digits:
            return f"{number:.{digits}f}"
        return f"{number:.{digits}g}"
    return str(value)


def _cell(value: object) -> str:
    # A "|" would end the cell and a newline would end the row: escape both.
    return format_value(value).replace("|", r"\|").replace("\r\n", "<br>").replace("\n", "<br>")


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def markdown_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    align: Sequence[str] | None = None,
) -> str:
    """Return a GitHub-flavoured Markdown table, without a trailing newline.

    Cells are formatted by ``format_value``; pass a string to control a cell's text exactly
    (an ID, a year, a confidence interval). ``align`` gives one of ``"left"``, ``"right"``
    or ``"center"`` (or ``"l"``, ``"r"``, ``"c"``) per column; by default a column whose
    cells are all numbers is right-aligned, so digits line up, and any other is left-aligned.

    Raises ``ValueError`` if there are no headers, a row or ``align`` has the wrong number
    of entries, or an alignment is unknown.
    """
    if not headers:
        raise ValueError("a table needs at least one column header")
    width = len(headers)
    raw_rows = [list(row) for row in rows]
    for number, row in enumerate(raw_rows, start=1):
        if len(row) != width:
            raise ValueError(
                f"row {number} has {len(row)} cells, expected {width} (one per header)"
            )

    if align is None:
        alignments = [
            "right"
            if raw_rows and all(_is_number(row[i]) or row[i] is None for row in raw_rows)
            else "left"
            for i in range(width)
        ]
    else:
        if len(align) != width:
            raise ValueError(f"align has {len(align)} entries, expected {width} (one per header)")
        unknown = [a for a in align if a.lower() not in _ALIGNMENTS]
        if unknown:
            raise ValueError(f"unknown alignment {unknown[0]!r}: use 'left', 'right' or 'center'")
        alignments = [_ALIGNMENTS[a.lower()] for a in align]

    header_cells = [_cell(header) for header in headers]
    body = [[_cell(value) for value in row] for row in raw_rows]
    # GitHub needs at least three dashes in the separator row.
    widths = [max(3, len(header_cells[i]), *(len(row[i]) for row in body)) for i in range(width)]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(widths[i]) if alignments[i] == "right" else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    def rule(i: int) -> str:
        dashes = "-" * widths[i]
        if alignments[i] == "right":
            return dashes[:-1] + ":"
        if alignments[i] == "center":
            return ":" + dashes[2:] + ":"
        return dashes

    separator = "| " + " | ".join(rule(i) for i in range(width)) + " |"
    return "\n".join([line(header_cells), separator, *(line(row) for row in body)])
