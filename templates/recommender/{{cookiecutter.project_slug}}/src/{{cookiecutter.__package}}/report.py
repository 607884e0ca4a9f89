"""Stage 4: turn ``reports/metrics.json`` into the trade-off report a product team decides from.

Writes the figures and the ``headline`` of metrics.json (CONTRACTS.md §1), then rewrites only
the marked blocks of ``README.md``, ``MODEL_CARD.md`` and ``docs/tradeoffs.md``: the results
at a glance, the tables, the business translation and the generated sentences, each
comparison worded from its paired interval (``narrative``). The argued choice stays with the
author, in the placeholder sections outside the blocks, which this stage never touches.
"""

from __future__ import annotations

import json
import os
import shlex
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from {{ cookiecutter.__package }} import formats
from {{ cookiecutter.__package }}.business import PER
from {{ cookiecutter.__package }}.charts import FIGURES, draw_figures
from {{ cookiecutter.__package }}.config import Config, Names
from {{ cookiecutter.__package }}.figures import image_grid
from {{ cookiecutter.__package }}.markers import rewrite_blocks
from {{ cookiecutter.__package }}.metrics import ACCURACY_METRICS
from {{ cookiecutter.__package }}.narrative import (
    best_baseline,
    captions,
    difference,
    headline,
    summary,
)
from {{ cookiecutter.__package }}.provenance import code_files, record_provenance
from {{ cookiecutter.__package }}.site import links_markdown, project_links, write_site_data
from {{ cookiecutter.__package }}.tables import markdown_table
from {{ cookiecutter.__package }}.userlists import lists_payload

__all__ = ["DOCUMENT_BLOCKS", "render_blocks", "report", "tuning_sample_sentence"]

Metrics = dict[str, Any]
#: The marker blocks the report writes, per document; every other line belongs to the author.
DOCUMENT_BLOCKS = {
    "README.md": ("links", "glance", "summary", "results", "business", "data", "try"),
    "docs/tradeoffs.md": (
        "summary",
        "data",
        "validation",
        "accuracy",
        "beyond",
        "cost",
        "cold-start",
        "figures",
        "business",
    ),
    "MODEL_CARD.md": ("data", "results"),
}
#: Shown width of a figure two to a row, and of the hero figure alone, in GitHub pixels.
GRID_WIDTH = 430
HERO_WIDTH = 600
_METRIC_NAMES = {
    "ndcg": "NDCG",
    "precision": "Precision",
    "recall": "Recall",
    "map": "MAP",
    "hit_rate": "Hit rate",
}
_ALT = {
    "accuracy_long_tail": "NDCG against the share of slots given to the long tail, per model",
    "accuracy_novelty": "NDCG against the novelty of the recommended items, per model",
    "accuracy_latency": "NDCG against the time to score a batch, per model",
    "exposure": "Lorenz curves of recommendation exposure across the catalogue, per model",
    "cold_start": "NDCG for cold-start users from few and from all interactions, per model",
}


def _ci(metrics: Metrics) -> str:
    """Label an interval with the configured confidence: ``95% CI``."""
    return f"{metrics['confidence']:.0%} CI"


def _right(headers: list[str]) -> list[str]:
    return ["left", *["right"] * (len(headers) - 1)]


def _definitions(k: int, names: Names) -> str:
    """Define the metrics beside their table, MAP's normaliser above all."""
    items = names.items
    return (
        f"With R a {names.user}'s held-out {items}: precision@{k} is hits / {k}, recall@{k} "
        "hits / R, "
        f"hit rate the share of users with at least one hit. NDCG@{k} uses binary gains "
        f"normalised by a perfect list of min(R, {k}) hits. MAP@{k} = (1 / min(R, {k})) x "
        f"the sum over ranks i <= {k} of precision@i at each hit: divided by min(R, {k}), the "
        f"most hits a list of {k} can hold, not by R as TREC's trec_eval and ranx do, so it "
        f"is higher than their MAP for {names.users} with more than {k} held-out {items}."
    )


def _accuracy_table(metrics: Metrics, names: Names, group: str = "accuracy") -> str:
    k = metrics["k"]
    headers = ["Model", *(f"{_METRIC_NAMES[n]}@{k}" for n in ACCURACY_METRICS)]
    # Hit rate is a share of users, shown as one everywhere; the others are metrics.
    shows = {n: formats.share if n == "hit_rate" else formats.metric for n in ACCURACY_METRICS}
    rows = [
        [model, *(formats.interval(result[group][n], shows[n]) for n in ACCURACY_METRICS)]
        for model, result in metrics["models"].items()
        if result[group] is not None
    ]
    return (
        f"Means over {names.users}, each with its {_ci(metrics)} from the bootstrap over "
        f"{names.users}.\n\n" + markdown_table(headers, rows, align=_right(headers))
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


def _paired_cell(metrics: Metrics, group: str, metric: str, model: str, other: str | None) -> str:
    """``model - other`` on the same users, signed, or an em dash for the baseline's own row."""
    if other is None or model == other:
        return "—"
    unit = {"precision": lambda v: formats.count(v * PER), "long_tail": formats.points}
    show = unit.get(metric, formats.metric)
    diff = difference(metrics, group, metric, model, other)
    return f"{show(diff.estimate)} [{show(diff.low)}, {show(diff.high)}]"


def _readme_table(metrics: Metrics) -> str:
    k = metrics["k"]
    baseline = best_baseline(metrics, metrics["served"]["model"])
    headers = [
        "Model",
        f"NDCG@{k} ({_ci(metrics)})",
        *([f"NDCG@{k} minus {baseline}, paired"] if baseline else []),
        "Long-tail share",
        "Coverage",
        f"Cold-start NDCG@{k}",
        "µs per user",
    ]
    rows = []
    for model, result in metrics["models"].items():
        beyond = result["beyond_accuracy"]
        cold = result["cold_start"]
        rows.append(
            [
                model,
                formats.interval(result["accuracy"]["ndcg"]),
                *([_paired_cell(metrics, "warm", "ndcg", model, baseline)] if baseline else []),
                formats.interval(beyond["long_tail"], formats.share),
                formats.share(beyond["coverage"]),
                formats.metric(cold["ndcg"]["estimate"] if cold else None),
                formats.measured(beyond["batch_microseconds_per_user"]),
            ]
        )
    return markdown_table(headers, rows, align=_right(headers))


def _beyond_table(metrics: Metrics) -> str:
    headers = [
        "Model",
        f"Long-tail share ({_ci(metrics)})",
        "Novelty, bits",
        "Diversity",
        "Coverage",
        "Gini",
        "Personalisation",
    ]
    rows = []
    for model, result in metrics["models"].items():
        beyond = result["beyond_accuracy"]
        diversity = beyond["diversity"]
        rows.append(
            [
                model,
                formats.interval(beyond["long_tail"], formats.share),
                formats.interval(beyond["novelty"], formats.bits),
                "n/a" if diversity is None else formats.interval(diversity),
                formats.share(beyond["coverage"]),
                formats.metric(beyond["gini"]),
                formats.metric(beyond["personalisation"]),
            ]
        )
    return markdown_table(headers, rows, align=_right(headers))


def _cost_table(metrics: Metrics) -> str:
    headers = [
        "Model",
        "Chosen on validation",
        "Train, ms",
        "µs per user (batch)",
        "Request, ms",
        "Size",
    ]
    rows = []
    for model, result in metrics["models"].items():
        chosen = ", ".join(f"{key} {value:g}" for key, value in result["hyperparameters"].items())
        rows.append(
            [
                model,
                chosen or "—",
                formats.measured(result["training"]["fit_seconds"] * 1000),
                formats.measured(result["beyond_accuracy"]["batch_microseconds_per_user"]),
                formats.measured(result["beyond_accuracy"]["single_request_ms"]),
                formats.size(result["training"]["size_bytes"]),
            ]
        )
    return markdown_table(headers, rows, align=["left", "left", *["right"] * 4])


def _validation_block(metrics: Metrics, names: Names) -> str:
    validation = metrics["validation"]
    k = validation["k"]
    headers = [
        "Model",
        "Tuned",
        f"Candidates: validation NDCG@{k}",
        "Chosen",
        f"NDCG@{k} ({_ci(metrics)})",
        f"Cold-start NDCG@{k}",
    ]
    rows = []
    for model, result in validation["models"].items():
        grid = "; ".join(f"{g['value']:g}: {formats.metric(g['ndcg'])}" for g in result["grid"])
        cold = result["cold_start_ndcg"]
        rows.append(
            [
                model,
                result["hyperparameter"] or "—",
                grid or "—",
                "—" if result["value"] is None else f"{result['value']:g}",
                formats.interval(result["ndcg"]),
                "n/a" if cold is None else formats.interval(cold),
            ]
        )
    intro = (
        f"Chosen on the validation period only, before the test period is looked at: "
        f"{validation['warm_users']:,} known {names.users} and "
        f"{validation['cold_start_users']:,} cold-start {names.users}. Each model keeps the "
        f"candidate with the best NDCG@{k} for known {names.users} (ties go to the smaller "
        "value), and is then refitted on the training and validation periods together."
    )
    sampled = tuning_sample_sentence(validation, names)
    if sampled:
        intro += " " + sampled[0].upper() + sampled[1:]
    align = ["left", "left", "left", "right", "right", "right"]
    return intro + "\n\n" + markdown_table(headers, rows, align=align)


def _cold_start_block(metrics: Metrics, names: Names) -> str:
    if not metrics["cold_start_users"]:
        return (
            f"No cold-start {names.users} in this run (`split.cold_start_fraction` is 0 and "
            f"no {names.user} first appears in the test period)."
        )
    known = metrics["cold_start_known"]
    parts = [
        f"{metrics['cold_start_users']:,} {names.users} no model saw, each given only their "
        f"first {known} interactions and judged on what they did in the test period:",
        _accuracy_table(metrics, names, "cold_start"),
    ]
    costs = {m: r["cold_start"]["cost"] for m, r in metrics["models"].items() if r["cold_start"]}
    if all(cost is not None for cost in costs.values()):
        k = metrics["k"]
        users = next(iter(costs.values()))["users"]
        headers = [
            "Model",
            f"NDCG@{k}, whole history",
            f"NDCG@{k}, first {known} only",
            "Difference, paired",
        ]
        rows = [
            [
                model,
                formats.interval(cost["full_history"]),
                formats.interval(cost["known_only"]),
                formats.interval(cost["difference"]),
            ]
            for model, cost in costs.items()
        ]
        parts += [
            f"The same targets scored two ways for the {users:,} of them withheld from "
            "training, from their whole history before the test period and from their first "
            f"{known} interactions only (the same {names.items} excluded both times): what "
            "knowing little costs, on comparable targets.",
            markdown_table(headers, rows, align=_right(headers)),
        ]
    return "\n\n".join(parts)


def _business(metrics: Metrics, names: Names) -> str:
    k = metrics["k"]
    baseline = best_baseline(metrics, metrics["served"]["model"])
    headers = [
        "Model",
        f"Hits per {PER:,} slots ({_ci(metrics)})",
        *([f"Minus {baseline}, paired"] if baseline else []),
        "Catalogue exposed",
        f"Cold-start hits per {PER:,} slots",
        f"Cold-start {names.users} with a hit",
    ]
    rows = []
    for model, result in metrics["models"].items():
        cold = result["cold_start"]
        rows.append(
            [
                model,
                formats.interval(result["accuracy"]["precision"], lambda v: formats.count(v * PER)),
                *(
                    [_paired_cell(metrics, "warm", "precision", model, baseline)]
                    if baseline
                    else []
                ),
                formats.share(result["beyond_accuracy"]["coverage"]),
                "n/a" if cold is None else formats.count(cold["precision"]["estimate"] * PER),
                "n/a" if cold is None else formats.share(cold["hit_rate"]["estimate"]),
            ]
        )
    return (
        f"If {PER:,} recommendation slots (for example {PER // k:,} visits showing {k} "
        f"{names.items} each) were filled by each model, this many would be {names.items} the "
        f"{names.user} {names.interacted} later ({metrics['confidence']:.0%} interval), and "
        "this share of the catalogue would get any exposure at all:\n\n"
        + markdown_table(headers, rows, align=_right(headers))
    )


def _split_line(data: Metrics, names: Names) -> str:
    phases = data["phases"]
    test, validation = phases["test"], phases["validation"]
    periods = data["periods"]
    counts = (
        f"{periods['train']:,} / {periods['validation']:,} / {periods['test']:,} interactions "
        "in the training / validation / test periods"
    )
    if data["strategy"] == "global":
        cuts = data["cuts"]
        how = (
            f"one global time cut: interactions before {formats.moment(cuts['validation'])} "
            f"train the models, those from then until {formats.moment(cuts['test'])} choose "
            "what is tuned, and the later ones judge them once, so no model learns from "
            "anything after the moment it predicts"
        )
    elif data["strategy"] == "per_user":
        how = (
            f"per {names.user}: each {names.user}'s latest {data['test_fraction']:.0%} of "
            f"interactions are the test period and the {data['validation_fraction']:.0%} before "
            f"them validation. Other {names.users}' later interactions still train the models: "
            f"for the median judged {names.user}, {formats.share(test['future_share'])} of the "
            f"training interactions happened after their first test one"
        )
    else:
        how = (
            f"random: a random {data['test_fraction']:.0%} of each {names.user}'s interactions "
            f"are the test period and {data['validation_fraction']:.0%} validation; optimistic, "
            "as models learn from what came after what they predict"
        )
    cold = test["cold_start_users"]
    new = (
        f", {test['new_users']:,} of them first seen in the test period"
        if test["new_users"]
        else ""
    )
    return (
        f"- **Split:** {how}; {counts}. On test, {test['warm_users']:,} {names.users} are "
        f"judged on {test['warm_targets']:,} interactions and {cold:,} cold-start {names.users} "
        f"on {test['cold_start_targets']:,}{new} ({data['withheld_users']:,} kept out of "
        f"training); validation judges {validation['warm_users']:,} and "
        f"{validation['cold_start_users']:,}. {names.users.capitalize()} with fewer than "
        f"{data['min_user_interactions']} interactions are not judged "
        f"({data['users_too_short_to_evaluate']:,} in all)."
    )


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
    lines.extend(f"- {note}" for note in _restriction_notes(metrics, names))
    lines.append(_split_line(data, names))
    sampled = tuning_sample_sentence(metrics["validation"], names)
    if sampled:
        lines.append(f"- **Tuning:** {sampled}")
    return "\n".join(lines)


def tuning_sample_sentence(validation: Metrics, names: Names) -> str:
    """Say on whom tuning scored the candidates when it sampled users; "" when it used all."""
    sample = validation.get("sample")
    if not sample:
        return ""
    groups = [
        (sample["warm_users"], validation["warm_users"], "known"),
        (sample["cold_start_users"], validation["cold_start_users"], "cold-start"),
    ]
    sampled = [f"{kept:,} of the {of:,} {who}" for kept, of, who in groups if kept < of]
    if not sampled:
        return ""
    return (
        f"each candidate was scored on a seeded sample of validation {names.users} "
        f"({' and '.join(sampled)} {names.users}; seed {sample['seed']}), the cap "
        f"`tuning.validation_users = {sample['limit']}` in `config.toml`, which "
        '`"all"` lifts; the test period judges every one of its users.'
    )


def _restriction_notes(metrics: Metrics, names: Names) -> list[str]:
    """Say, for each model that ranks only part of the catalogue, which part and why."""
    notes = []
    for model, result in metrics["models"].items():
        kept = result.get("restriction")
        if kept is None:
            continue
        notes.append(
            f"{model} ranks only the {kept['items']:,} most popular of the {kept['of']:,} "
            f"{names.items} ({kept['items'] / kept['of']:.0%} of them, holding "
            f"{kept['interactions']:.0%} of the training interactions): its item-item matrix "
            "for all of them would not fit models.ease.max_memory_gib. The others come "
            f"after them in its lists, by popularity alone: its coverage and long-tail share "
            "show what that costs."
        )
    return notes


def _glance(metrics: Metrics, names: Names, hero: Path | None, root: Path) -> str:
    head = metrics["headline"]
    served = metrics["served"]["model"]
    how = metrics["validation"]["selection"]["model"]["how"]
    chosen = "chosen on validation" if how == "validation" else "set in `config.toml`"
    against = (
        f"; against **{head['baseline']}**, the best baseline, on the same "
        f"{metrics['warm_users']:,} {names.users} of the test period:"
        if head["baseline"]
        else ":"
    )
    lines = [f"**{served}** serves known {names.users} ({chosen}){against}", ""]
    lines += [f"- **{item['label']}:** {item['text']}" for item in head["items"]]
    if hero is not None:
        lines += [
            "",
            image_grid(
                [(hero, _ALT["accuracy_long_tail"], head["figure_caption"])],
                root,
                per_row=1,
                width=HERO_WIDTH,
            ),
        ]
    return "\n".join(lines)


def _figures(
    figures: dict[str, Path], texts: dict[str, str], relative_to: Path, names: tuple[str, ...]
) -> str:
    chosen = [(figures[n], _ALT[n], texts[n]) for n in names if n in figures]
    return image_grid(chosen, relative_to, per_row=2, width=GRID_WIDTH)


def render_blocks(
    metrics: Metrics, figures: dict[str, Path], root: Path, names: Names
) -> dict[Path, dict[str, str]]:
    """Return the new content of every marker block, per file, from the metrics."""
    docs = root / "docs"
    texts = captions(metrics, names)
    paragraph = summary(metrics, names)
    data = _data_block(metrics, names)
    business = _business(metrics, names)
    accuracy = _accuracy_table(metrics, names) + "\n\n" + _definitions(metrics["k"], names)
    return {
        root / "README.md": {
            "links": links_markdown(project_links(root), deploy_to_render=True),
            "glance": _glance(metrics, names, figures.get(FIGURES[0]), root),
            "summary": paragraph,
            "results": _readme_table(metrics)
            + "\n\n"
            + _figures(figures, texts, root, ("exposure", "cold_start")),
            "business": business,
            "data": data,
            "try": _try_block(metrics, names),
        },
        docs / "tradeoffs.md": {
            "summary": paragraph,
            "data": data,
            "validation": _validation_block(metrics, names),
            "accuracy": accuracy,
            "beyond": _beyond_table(metrics),
            "cost": _cost_table(metrics),
            "cold-start": _cold_start_block(metrics, names),
            "figures": _figures(figures, texts, docs, FIGURES),
            "business": business,
        },
        root / "MODEL_CARD.md": {
            "data": data,
            "results": accuracy + "\n\n" + _cold_start_block(metrics, names),
        },
    }


def _write_json(path: Path, data: Metrics) -> None:
    """Replace ``path`` in one step, so an interrupted report never leaves half a file."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, indent=2) + "\n")
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def report(config: Config) -> list[Path]:
    """Write the figures, the headline, the marker blocks and the site data; return paths.

    ``reports/site-data.json`` carries, besides the headline and figures, each model's list
    for a seeded sample of users (``userlists``): the results site's interactive part.

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
    names = config.names
    figures = draw_figures(metrics, names, config.reports_dir / "figures")
    hero = figures[FIGURES[0]].relative_to(config.root).as_posix()
    metrics["headline"] = headline(metrics, names, hero, captions(metrics, names)[FIGURES[0]])
    _write_json(path, metrics)
    documents = []
    for document, blocks in render_blocks(metrics, figures, config.root, names).items():
        rewrite_blocks(document, blocks)
        documents.append(document)
    texts = captions(metrics, names)
    site_data = write_site_data(
        config.root,
        headline=metrics["headline"],
        figures=[
            {"path": figures[n].relative_to(config.root).as_posix(), "caption": texts[n]}
            for n in FIGURES
            if n in figures
        ],
        interactive=lists_payload(config, metrics),
    )
    outputs = [path, *figures.values(), site_data]
    inputs = [config.file, *code_files(config.root), *config.data_files]
    provenance = record_provenance(config.root, inputs, outputs, documents)
    return [*figures.values(), path, site_data, *documents, provenance]
