"""Stage 4: turn ``reports/metrics.json`` into the trade-off report a product team decides from.

Writes the figures, then rewrites only the marked blocks of ``README.md``, ``MODEL_CARD.md``
and ``docs/tradeoffs.md``: the tables, the business translation and a generated paragraph
stating which model wins on which axis. The argued choice stays with the author, in the
placeholder sections outside the blocks, which this stage never touches.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from {{ cookiecutter.__package }}.business import PER, format_count, per_n
from {{ cookiecutter.__package }}.config import Config, Names
from {{ cookiecutter.__package }}.figures import PALETTE, readme_image, save_figure, style_axes
from {{ cookiecutter.__package }}.markers import rewrite_blocks
from {{ cookiecutter.__package }}.provenance import code_files, record_provenance
from {{ cookiecutter.__package }}.tables import markdown_table
from {{ cookiecutter.__package }}.uncertainty import Interval

__all__ = ["AXES", "DOCUMENT_BLOCKS", "Axis", "pareto_front", "render_blocks", "report", "winners"]

Metrics = dict[str, Any]
#: The marker blocks the report writes, per document; every other line belongs to the author.
DOCUMENT_BLOCKS = {
    "README.md": ("summary", "results", "business", "data", "try"),
    "docs/tradeoffs.md": (
        "summary",
        "data",
        "accuracy",
        "beyond",
        "cold-start",
        "figures",
        "business",
    ),
    "MODEL_CARD.md": ("data", "results"),
}


@dataclass(frozen=True)
class Axis:
    """One dimension of the trade-off: how to read it from a model's results, and its sense."""

    key: str
    label: str
    higher_is_better: bool
    read: Callable[[Metrics], float | None]

    def better(self, a: float, b: float) -> bool:
        """Whether value ``a`` is strictly better than ``b`` on this axis."""
        return a > b if self.higher_is_better else a < b


def _accuracy(name: str) -> Callable[[Metrics], float | None]:
    return lambda result: result["accuracy"][name]["estimate"]


def _beyond(name: str) -> Callable[[Metrics], float | None]:
    return lambda result: result["beyond_accuracy"][name]


def _cold(result: Metrics) -> float | None:
    return None if result["cold_start"] is None else result["cold_start"]["ndcg"]["estimate"]


AXES = {
    axis.key: axis
    for axis in (
        Axis("ndcg", "accuracy (NDCG)", True, _accuracy("ndcg")),
        Axis("coverage", "catalogue coverage", True, _beyond("coverage")),
        Axis("novelty", "novelty", True, _beyond("novelty")),
        Axis("diversity", "intra-list diversity", True, _beyond("diversity")),
        Axis("gini", "least popularity concentration (Gini)", False, _beyond("gini")),
        Axis("personalisation", "personalisation", True, _beyond("personalisation")),
        Axis("cold_ndcg", "cold-start accuracy (NDCG)", True, _cold),
        Axis("latency", "serving latency", False, _beyond("latency_ms_per_user")),
        Axis("fit_seconds", "training time", False, lambda r: r["training"]["fit_seconds"]),
        Axis("size", "model size", False, lambda r: r["training"]["size_bytes"]),
    )
}


def _interval(value: dict[str, float]) -> Interval:
    return Interval(value["estimate"], value["low"], value["high"], value["confidence"])


def _number(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _ci(metrics: Metrics) -> str:
    """Label an interval with the configured confidence: ``95% CI``."""
    return f"{metrics['confidence']:.0%} CI"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _size(n_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:,.0f} {unit}" if unit == "B" else f"{n_bytes:,.1f} {unit}"
        n_bytes /= 1024
    raise AssertionError("unreachable")


def beats_random(models: dict[str, Metrics]) -> list[str]:
    """Models whose NDCG interval lies entirely above random's: the ones worth comparing."""
    floor = models["random"]["accuracy"]["ndcg"]["high"]
    return [name for name, r in models.items() if r["accuracy"]["ndcg"]["low"] > floor]


def winners(models: dict[str, Metrics], candidates: Sequence[str]) -> dict[str, str]:
    """Return, per axis, the best of ``candidates`` (first listed wins ties)."""
    best: dict[str, str] = {}
    for key, axis in AXES.items():
        values = [(name, axis.read(models[name])) for name in candidates]
        values = [(name, v) for name, v in values if v is not None]
        if not values:
            continue
        winner, top = values[0]
        for name, value in values[1:]:
            if axis.better(value, top):
                winner, top = name, value
        best[key] = winner
    return best


def pareto_front(models: dict[str, Metrics], x_axis: str, y_axis: str = "ndcg") -> list[str]:
    """Models no other model beats on both axes at once (better on one, no worse on the other)."""
    x, y = AXES[x_axis], AXES[y_axis]
    points = {name: (x.read(r), y.read(r)) for name, r in models.items()}
    points = {n: p for n, p in points.items() if None not in p}

    def dominates(a: tuple[Any, Any], b: tuple[Any, Any]) -> bool:
        no_worse = not x.better(b[0], a[0]) and not y.better(b[1], a[1])
        return no_worse and (x.better(a[0], b[0]) or y.better(a[1], b[1]))

    return [n for n, p in points.items() if not any(dominates(q, p) for q in points.values())]


def _summary(metrics: Metrics, names: Names) -> str:
    models, k = metrics["models"], metrics["k"]
    beating = beats_random(models)
    useful = beating or [name for name in models if name != "random"] or ["random"]
    best = winners(models, useful)
    ranked = sorted(models, key=lambda n: -models[n]["accuracy"]["ndcg"]["estimate"])
    top = ranked[0]
    top_ndcg = _interval(models[top]["accuracy"]["ndcg"])
    sentences = [
        f"**{top}** is the most accurate: NDCG@{k} {top_ndcg.format()} over "
        f"{metrics['warm_users']:,} {names.users}."
    ]
    if len(ranked) > 1:
        second = ranked[1]
        second_ndcg = _interval(models[second]["accuracy"]["ndcg"])
        verdict = (
            "the intervals overlap, so this data cannot separate the two"
            if second_ndcg.high >= top_ndcg.low
            else "the intervals do not overlap"
        )
        sentences.append(f"Next is **{second}** ({second_ndcg.format()}); {verdict}.")
    sentences.append(
        f"{len(beating)} of {len(models)} models beat random with non-overlapping intervals"
        + (
            f" ({', '.join(beating)})."
            if beating
            else ": this data may hold no signal these models can use."
        )
    )
    beyond_parts = []
    for key, phrase, show in (
        ("coverage", "exposes the most of the catalogue", lambda v: f"{v:.1%}"),
        ("novelty", "recommends the least obvious items", lambda v: f"{v:.2f} bits"),
        ("diversity", "builds the most varied lists", lambda v: f"{v:.3f}"),
        ("gini", "spreads exposure most evenly", lambda v: f"Gini {v:.3f}"),
    ):
        if key in best:
            value = AXES[key].read(models[best[key]])
            beyond_parts.append(f"**{best[key]}** {phrase} ({show(value)})")
    if beyond_parts:
        sentences.append("Among those, " + "; ".join(beyond_parts) + ".")
    if models.get("content", {}).get("fallback"):
        sentences.append(
            "With no item features to use, **content** falls back to popularity: its lists, "
            "and so its numbers, are popularity's."
        )
    if "cold_ndcg" in best:
        name = best["cold_ndcg"]
        cold = _interval(models[name]["cold_start"]["ndcg"])
        sentences.append(
            f"For the {metrics['cold_start_users']:,} cold-start {names.users}, who had given only "
            f"{metrics['cold_start_known']} interactions, **{name}** is the most accurate "
            f"(NDCG@{k} {cold.format()})."
        )
    cost = []
    for key, phrase, show in (
        ("latency", "fastest to serve", lambda v: f"{v:.3f} ms per user"),
        ("fit_seconds", "fastest to train", lambda v: f"{v:.2f} s"),
        ("size", "smallest", _size),
    ):
        if key in best:
            cost.append(f"**{best[key]}** is {phrase} ({show(AXES[key].read(models[best[key]]))})")
    if cost:
        sentences.append("On cost, " + "; ".join(cost) + ".")
    fronts = [
        f"against {AXES[axis].label}: {', '.join(pareto_front(models, axis))}"
        for axis in ("coverage", "novelty", "latency")
    ]
    sentences.append("Pareto-optimal on accuracy " + "; ".join(fronts) + ".")
    return " ".join(sentences)


def _accuracy_table(metrics: Metrics, group: str = "accuracy") -> str:
    k = metrics["k"]
    names = ("ndcg", "precision", "recall", "map", "hit_rate")
    headers = [
        "Model",
        *(
            f"{n.replace('_', ' ').title().replace('Ndcg', 'NDCG').replace('Map', 'MAP')}@{k}"
            for n in names
        ),
    ]
    rows = []
    for model, result in metrics["models"].items():
        values = result[group]
        if values is None:
            continue
        rows.append([model, *(_interval(values[n]).format() for n in names)])
    return markdown_table(headers, rows)


def _beyond_table(metrics: Metrics) -> str:
    k = metrics["k"]
    headers = [
        "Model",
        "Coverage",
        "Novelty (bits)",
        "Diversity",
        "Gini",
        "Personalisation",
        "Top-20% share",
        f"Cold-start NDCG@{k}",
        "Train (s)",
        "Batch ms/user",
        "Request ms",
        "Size",
    ]
    rows = []
    for model, result in metrics["models"].items():
        beyond = result["beyond_accuracy"]
        cold = _cold(result)
        rows.append(
            [
                model,
                _percent(beyond["coverage"]),
                _number(beyond["novelty"], 2),
                _number(beyond["diversity"]),
                _number(beyond["gini"]),
                _number(beyond["personalisation"]),
                _percent(beyond["popular_share"]),
                _number(cold),
                _number(result["training"]["fit_seconds"], 2),
                _number(beyond["latency_ms_per_user"], 4),
                _number(beyond["single_request_ms"], 2),
                _size(result["training"]["size_bytes"]),
            ]
        )
    return markdown_table(headers, rows, align=["left", *["right"] * (len(headers) - 1)])


def _readme_table(metrics: Metrics) -> str:
    k = metrics["k"]
    headers = [
        "Model",
        f"NDCG@{k} ({_ci(metrics)})",
        "Coverage",
        "Novelty",
        "Gini",
        f"Cold-start NDCG@{k}",
        "Batch ms/user",
    ]
    rows = []
    for model, result in metrics["models"].items():
        beyond = result["beyond_accuracy"]
        cold = _cold(result)
        rows.append(
            [
                model,
                _interval(result["accuracy"]["ndcg"]).format(),
                _percent(beyond["coverage"]),
                _number(beyond["novelty"], 2),
                _number(beyond["gini"]),
                _number(cold),
                _number(beyond["latency_ms_per_user"], 4),
            ]
        )
    return markdown_table(headers, rows, align=["left", *["right"] * (len(headers) - 1)])


def _business(metrics: Metrics, names: Names) -> str:
    k = metrics["k"]
    headers = [
        "Model",
        f"Hits per {PER:,} slots",
        "Catalogue exposed",
        f"Cold-start hits per {PER:,} slots",
        f"Cold-start {names.users} with a hit in their top {k}",
    ]
    rows = []
    slots = metrics["warm_users"] * k
    for model, result in metrics["models"].items():
        precision = _interval(result["accuracy"]["precision"])
        hits = (
            f"{format_count(per_n(precision.estimate * slots, slots))} "
            f"[{format_count(per_n(precision.low * slots, slots))}, "
            f"{format_count(per_n(precision.high * slots, slots))}]"
        )
        cold = result["cold_start"]
        if cold is None:
            cold_hits, cold_users = "n/a", "n/a"
        else:
            cold_slots = cold["users"] * k
            cold_hits = format_count(per_n(cold["precision"]["estimate"] * cold_slots, cold_slots))
            cold_users = _percent(cold["hit_rate"]["estimate"])
        rows.append(
            [model, hits, _percent(result["beyond_accuracy"]["coverage"]), cold_hits, cold_users]
        )
    table = markdown_table(headers, rows, align=["left", "right", "right", "right", "right"])
    return (
        f"If {PER:,} recommendation slots (for example {PER // k:,} visits showing {k} "
        f"{names.items} each) were filled by each model, this many would be {names.items} the "
        f"{names.user} {names.interacted} later ({metrics['confidence']:.0%} interval), and "
        "this share of the catalogue would get any exposure at all:\n\n" + table
    )


def _origin(data: Metrics, names: Names) -> str:
    reading = data["reading"]
    if data["source"] == "movielens":
        return (
            "MovieLens 100K (GroupLens; F. M. Harper and J. A. Konstan, 2015), read from "
            f"`{reading['file']}`. Its licence allows research use only and no "
            "redistribution, so it stays in the git-ignored `data/raw/`."
        )
    if data["bundled_sample"]:
        return (
            f"the bundled synthetic sample, `{reading['file']}` (datasheet: "
            "`data/sample/README.md`). `make sample` regenerates it from a seeded script; it "
            f"describes no real {names.user} or {names.item}, so its numbers show that the "
            "pipeline works, not how any model does in the world. Real data is one command "
            "away: `make data` downloads MovieLens 100K into the git-ignored `data/raw/` (then "
            'set `data.source = "movielens"`), or point `[data.interactions]` in '
            "`config.toml` at your own log."
        )
    return f"`{reading['file']}`."


def _columns(mapped: dict[str, str], roles: dict[str, str]) -> str:
    return ", ".join(
        f"`{column}` as the {roles.get(role, role)}" for role, column in mapped.items()
    )


def _metadata(data: Metrics, names: Names) -> str:
    items = data["reading"].get("items")
    fallback = (
        "The content model has nothing to use and falls back to popularity: it ranks "
        f"{names.items} by popularity alone, so its results equal popularity's, and list "
        "diversity cannot be measured (n/a)."
    )
    if items is None:
        return f"none (`[data.items]` is not set). {fallback}"
    described = f"`{items['file']}`"
    if "columns" in items:
        roles = {"item": names.item}
        described += f", read as {items['format']}; " + _columns(items["columns"], roles)
    if not data["content_features"]:
        return f"{described}, which holds no categories or years. {fallback}"
    return f"{described}: {data['content_features']:,} category and decade features."


def _data_block(metrics: Metrics, names: Names) -> str:
    data = metrics["dataset"]
    reading = data["reading"]
    lines = [f"- **Source:** {_origin(data, names)}"]
    if "columns" in reading:
        roles = {"user": names.user, "item": names.item}
        lines.append(
            f"- **Read as:** {reading['format']}, {reading['rows']:,} rows; "
            + _columns(reading["columns"], roles)
            + "."
        )
    lines.append(
        f"- **Size:** {data['interactions']:,} interactions of {data['users']:,} "
        f"{names.users} with {data['items']:,} {names.items} (density {data['density']:.1%})."
    )
    lines.append(f"- **Item metadata:** {_metadata(data, names)}")
    lines.extend(f"- {note}" for note in data["notes"])
    held_out = (
        "latest" if data["strategy"] == "temporal" else "randomly chosen"
    ) + f" {data['test_fraction']:.0%} of interactions"
    lines.append(
        f"- **Split:** {data['strategy']}: each {names.user}'s {held_out} held out; "
        f"{data['warm_users_evaluated']:,} {names.users} evaluated on "
        f"{data['test_interactions']:,} held-out interactions; {data['cold_start_users']:,} "
        f"cold-start {names.users} kept out of training; "
        f"{data['users_too_short_to_evaluate']:,} {names.users} with fewer than "
        f"{data['min_user_interactions']} interactions trained on but not evaluated."
    )
    return "\n".join(lines)


def _try_block(metrics: Metrics, names: Names) -> str:
    """Write example commands on ids that exist in the data in use (README, How to run)."""
    examples = metrics["examples"]
    user, unknown = shlex.quote(examples["user"]), shlex.quote(examples["unknown_user"])
    items = " ".join(shlex.quote(item) for item in examples["items"])
    k = metrics["k"]
    url = f"http://127.0.0.1:8000/users/{quote(examples['user'], safe='')}/recommendations?k={k}"
    command = f"PYTHONPATH=src python -m {__package__} recommend"
    lines = [
        f"    make recommend USER_ID={user}   # top {k} for a {names.user} in the data",
        f"    curl '{url}'   # after `make serve`",
        f"    {command} {unknown} --seen {items}",
        f"    # an unknown {names.user} who chose the {len(examples['items'])} most popular "
        f"{names.items}: the cold-start model answers, and says so",
    ]
    return "\n".join(lines)


def _colour(models: Sequence[str]) -> dict[str, str]:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(models)}


def _tradeoff_figure(metrics: Metrics, path: Path) -> Path:
    models = metrics["models"]
    colours = _colour(list(models))
    fig = Figure(figsize=(12, 3.8), layout="constrained", facecolor="white")
    axes = fig.subplots(1, 3, sharey=True)
    for ax, axis_key in zip(axes, ("coverage", "novelty", "latency"), strict=True):
        style_axes(ax)
        x_axis = AXES[axis_key]
        front = set(pareto_front(models, axis_key))
        points = []
        for name, result in models.items():
            # Latency is plotted in microseconds: batch scoring costs a few per user.
            scale = 1000.0 if axis_key == "latency" else 1.0
            x, ndcg = x_axis.read(result) * scale, result["accuracy"]["ndcg"]
            y = ndcg["estimate"]
            ax.errorbar(
                x,
                y,
                yerr=[[y - ndcg["low"]], [ndcg["high"] - y]],
                fmt="o",
                color=colours[name],
                markerfacecolor=colours[name] if name in front else "white",
                markersize=7,
                capsize=3,
            )
            ax.annotate(name, (x, y), textcoords="offset points", xytext=(6, 4), fontsize=8)
            if name in front:
                points.append((x, y))
        points.sort()
        if len(points) > 1:
            ax.plot(*zip(*points, strict=True), color="#999999", linestyle="--", linewidth=1)
        if axis_key == "latency":
            ax.set_xlim(left=0)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.set_xlabel(
            {
                "coverage": "catalogue coverage",
                "novelty": "novelty (bits)",
                "latency": "µs per user (batch scoring)",
            }[axis_key]
        )
    axes[0].set_ylabel(f"NDCG@{metrics['k']} ({_ci(metrics)})")
    fig.suptitle("Accuracy against what it hides (filled: Pareto-optimal)", fontsize=11)
    return save_figure(fig, path)


def _exposure_figure(metrics: Metrics, path: Path) -> Path:
    models = metrics["models"]
    colours = _colour(list(models))
    fig = Figure(figsize=(5.5, 4.2), layout="constrained", facecolor="white")
    ax = style_axes(fig.add_subplot())
    grid = np.linspace(0, 1, len(next(iter(models.values()))["exposure_lorenz"]))
    ax.plot([0, 1], [0, 1], color="#999999", linestyle=":", linewidth=1, label="equal exposure")
    for name, result in models.items():
        ax.plot(
            grid,
            result["exposure_lorenz"],
            color=colours[name],
            linewidth=1.8,
            label=f"{name} (Gini {result['beyond_accuracy']['gini']:.2f})",
        )
    ax.set_xlabel("share of catalogue, least recommended first")
    ax.set_ylabel("share of recommendation slots")
    ax.set_title("Who gets recommended: exposure across the catalogue", fontsize=11)
    ax.legend(fontsize=8, frameon=False)
    return save_figure(fig, path)


def _cold_start_figure(metrics: Metrics, names: Names, path: Path) -> Path:
    models = metrics["models"]
    model_names = list(models)
    fig = Figure(figsize=(6.4, 3.8), layout="constrained", facecolor="white")
    ax = style_axes(fig.add_subplot())
    positions = np.arange(len(model_names))
    width = 0.38
    for offset, group, label, colour in (
        (-width / 2, "accuracy", f"known {names.users}", PALETTE[0]),
        (
            width / 2,
            "cold_start",
            f"cold start ({metrics['cold_start_known']} interactions known)",
            PALETTE[1],
        ),
    ):
        values = [models[n][group]["ndcg"] if models[n][group] else None for n in model_names]
        heights = [v["estimate"] if v else 0.0 for v in values]
        errors = [
            [(v["estimate"] - v["low"]) if v else 0.0 for v in values],
            [(v["high"] - v["estimate"]) if v else 0.0 for v in values],
        ]
        ax.bar(
            positions + offset, heights, width, yerr=errors, capsize=3, color=colour, label=label
        )
    ax.set_xticks(positions, model_names)
    ax.set_ylabel(f"NDCG@{metrics['k']} ({_ci(metrics)})")
    ax.set_title(f"Accuracy for known {names.users} and for new ones", fontsize=11)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    return save_figure(fig, path)


def render_blocks(
    metrics: Metrics, figures: dict[str, Path], root: Path, names: Names
) -> dict[Path, dict[str, str]]:
    """Return the new content of every marker block, per file, from the metrics."""
    docs = root / "docs"
    alt = {
        "tradeoffs": "NDCG against coverage, novelty and latency per model, Pareto-optimal filled",
        "exposure": "Lorenz curves of recommendation exposure across the catalogue, per model",
        "cold_start": f"NDCG for known and for cold-start {names.users}, per model, with "
        f"{metrics['confidence']:.0%} intervals",
    }

    def images(relative_to: Path) -> str:
        return "\n\n".join(
            readme_image(path, alt[key], relative_to) for key, path in figures.items()
        )

    summary = _summary(metrics, names)
    data = _data_block(metrics, names)
    business = _business(metrics, names)
    return {
        root / "README.md": {
            "summary": summary,
            "results": _readme_table(metrics)
            + "\n\n"
            + readme_image(figures["tradeoffs"], alt["tradeoffs"], root),
            "business": business,
            "data": data,
            "try": _try_block(metrics, names),
        },
        docs / "tradeoffs.md": {
            "summary": summary,
            "accuracy": _accuracy_table(metrics),
            "beyond": _beyond_table(metrics),
            "cold-start": _accuracy_table(metrics, "cold_start"),
            "figures": images(docs),
            "business": business,
            "data": data,
        },
        root / "MODEL_CARD.md": {
            "data": data,
            "results": _accuracy_table(metrics)
            + f"\n\nCold-start {names.users}:\n\n"
            + _accuracy_table(metrics, "cold_start"),
        },
    }


def report(config: Config) -> list[Path]:
    """Write the figures, rewrite the marker blocks, record provenance; return paths written.

    ``reports/provenance.json`` fingerprints the config, code and data the numbers came
    from, so a later check can tell when the README no longer matches them.

    Raises:
        FileNotFoundError: ``evaluate`` has not run (``make evaluate``).
        markers.MarkerError: a marker block was deleted from one of the documents.

    """
    path = config.reports_dir / "metrics.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `make evaluate` first")
    metrics = json.loads(path.read_text(encoding="utf-8"))
    folder = config.reports_dir / "figures"
    figures = {
        "tradeoffs": _tradeoff_figure(metrics, folder / "tradeoffs.png"),
        "exposure": _exposure_figure(metrics, folder / "exposure.png"),
        "cold_start": _cold_start_figure(metrics, config.names, folder / "cold_start.png"),
    }
    documents = []
    for document, blocks in render_blocks(metrics, figures, config.root, config.names).items():
        rewrite_blocks(document, blocks)
        documents.append(document)
    outputs = [path, *figures.values()]
    inputs = [config.file, *code_files(config.root), *config.data_files]
    provenance = record_provenance(config.root, inputs, outputs, documents)
    return [*figures.values(), *documents, provenance]
