"""Figures in one house style, saved so that rerunning the report changes no bytes.

Figures are built with matplotlib's object-oriented ``Figure`` API, which renders with the
Agg backend and never touches pyplot: no GUI backend is chosen, no global figure list grows,
and nothing is printed or warned on a machine without a display (CI, a server).
"""

from __future__ import annotations

import html
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "DPI",
    "PALETTE",
    "image_grid",
    "new_figure",
    "readme_image",
    "save_figure",
    "style_axes",
]

DPI = 120
# Okabe and Ito's palette: distinguishable with the common colour-vision deficiencies and
# in greyscale print.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#F0E442",
    "#000000",
)
_GRID_COLOUR = "#DDDDDD"


def style_axes(ax: Axes) -> Axes:
    """Apply the house style to ``ax`` and return it.

    ``new_figure`` calls this for you; call it yourself for extra axes made with
    ``fig.add_subplot`` or ``fig.subplots``. The style lives on the axes rather than in
    ``matplotlib.rcParams``, so importing this module changes nothing global.
    """
    ax.set_prop_cycle(color=list(PALETTE))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(visible=True, axis="y", color=_GRID_COLOUR, linewidth=0.8)
    # Grid lines behind the data, not across it.
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=9)
    return ax


def new_figure(width: float = 6.4, height: float = 4.0) -> tuple[Figure, Axes]:
    """Return a new figure of ``width`` x ``height`` inches with one styled axes.

    Raises ``ValueError`` if a size is not positive.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"figure size must be positive, got {width} x {height} inches")
    fig = Figure(figsize=(width, height), layout="constrained", facecolor="white")
    ax = style_axes(fig.add_subplot())
    return fig, ax


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Save ``fig`` as a PNG at ``path``, creating folders, and release it.

    Metadata that would change between runs (the matplotlib version stamp) is left out and
    Agg renders deterministically, so the same figure gives the same bytes every run and a
    rerun of the report adds nothing to ``git diff``. The figure is closed afterwards.

    Raises ``ValueError`` if ``path`` does not end in ``.png``, and ``OSError`` if the file
    cannot be written.
    """
    target = Path(path)
    if target.suffix.lower() != ".png":
        raise ValueError(f"figures are saved as PNG: give a path ending in .png, not {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(
        target,
        format="png",
        dpi=DPI,
        bbox_inches="tight",
        facecolor="white",
        metadata={"Software": None},
    )
    # A figure made through pyplot stays in pyplot's registry (and memory) until closed;
    # one made with Figure() is released when the last reference goes.
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)
    return target


def _escape_alt(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("[", r"\[").replace("]", r"\]")
    return " ".join(escaped.split())


def readme_image(
    path: str | os.PathLike[str], alt: str, relative_to: str | os.PathLike[str]
) -> str:
    """Return the Markdown line ``![alt](relative/path.png)`` for an image.

    ``relative_to`` is the folder of the Markdown file that shows the image (the project
    root for the README, ``docs/decisions`` for a decision record). The link is relative and
    uses ``/``, so it works on GitHub and in a local clone on any operating system; ``..``
    is used when the image is outside that folder. The alt text is what screen readers say
    and what shows when the image is missing, so make it describe the finding.
    """
    return f"![{_escape_alt(alt)}]({_relative_link(path, relative_to)})"


def _relative_link(path: str | os.PathLike[str], relative_to: str | os.PathLike[str]) -> str:
    relative = Path(os.path.relpath(Path(path).resolve(), Path(relative_to).resolve())).as_posix()
    return quote(relative, safe="/-._~")


def image_grid(
    images: Sequence[tuple[str | os.PathLike[str], str, str]],
    relative_to: str | os.PathLike[str],
    *,
    per_row: int = 2,
    width: int = 430,
) -> str:
    """Return an HTML table showing ``(path, alt, caption)`` images ``per_row`` to a row.

    GitHub shows Markdown images one under another at full width, so five figures fill
    several screens; a table of ``<img width=...>`` lays two side by side within GitHub's
    ~900 px, each with its one-line caption under it. Links are relative to ``relative_to``
    as in ``readme_image``; alt text and captions are HTML-escaped. The table has no blank
    line, which would end the HTML block in Markdown.

    Raises ``ValueError`` if ``per_row`` or ``width`` is not positive.
    """
    if per_row < 1 or width < 1:
        raise ValueError(f"per_row and width must be positive, got {per_row} and {width}")
    rows = []
    for start in range(0, len(images), per_row):
        cells = [
            f'<td width="{100 // per_row}%" valign="top">'
            f'<img src="{_relative_link(path, relative_to)}" width="{width}" '
            f'alt="{html.escape(" ".join(alt.split()))}"><br>'
            f"<sub>{html.escape(' '.join(caption.split()))}</sub></td>"
            for path, alt, caption in images[start : start + per_row]
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>\n" + "\n".join(rows) + "\n</table>" if rows else ""
