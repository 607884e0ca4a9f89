"""The Markdown written between the documents' ``portfolio:NAME`` markers.

Every domain word comes from the config or the data: the class names from ``[labels]``, what a
row is called from ``[dataset] item`` / ``items``, what acting on the positive class means from
``[labels] action``, the data's name, licence and citation from ``[dataset]``. So pointing the
config at another corpus leaves no word of the old one in the documents.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

from .business import format_count
from .config import DELIMITER_NAMES, Config
from .evaluate import Evaluation
from .plots import DrawnFigure
from .result_blocks import result_blocks
from .site import links_markdown, project_links
from .tables import markdown_table

__all__ = ["BLOCK_NAMES", "render_blocks"]

#: Every block this module writes, in the order a README shows them.
BLOCK_NAMES = (
    "links",
    "glance",
    "dataset",
    "data",
    "results",
    "figures",
    "errors",
    "features",
    "subgroups",
    "business",
    "predict",
    "citation",
    "threshold",
    "tuning",
    "duplicates",
)

_EXAMPLE_LIMIT = 100


def _quote(text: str) -> str:
    # Inline code keeps shorthand and symbols literal; backticks inside would end it.
    return "`" + " ".join(text.replace("`", "'").split()) + "`"


def _names(config: Config) -> tuple[str, str]:
    return config.dataset.item, config.dataset.items


def _errors(config: Config, metrics: dict[str, Any]) -> str:
    item, items = _names(config)
    pairs = metrics["errors"]
    if not pairs:
        return f"No errors on the test set's {metrics['test']['texts']:,} {items}."
    parts = []
    for pair in pairs:
        noun = item if pair["count"] == 1 else items
        parts.append(
            f"**True {pair['true']}, given {pair['predicted']}**: {pair['count']:,} {noun} "
            f"({pair['share_of_true']:.1%} of the {pair['true']} test {items}); the model's "
            "most confident mistakes first."
        )
        parts.append("")
        parts.append(
            markdown_table(
                [f"P({pair['predicted']})", "Origin", "Text"],
                [
                    [f"{e['confidence']:.3f}", e["origin"], _quote(e["text"])]
                    for e in pair["examples"]
                ],
                align=["right", "left", "left"],
            )
        )
        parts.append("")
    return "\n".join(parts).rstrip()


def _features(metrics: dict[str, Any]) -> str:
    features = metrics["features"]
    if not any(features.values()):
        return "This model has no per-feature weights (sentence embeddings)."
    rows = [
        [name, ", ".join(f"{_quote(f)} {w:.2f}" for f, w in weights) or "none"]
        for name, weights in features.items()
    ]
    table = markdown_table(["Class", "Features that weigh most towards it (weight)"], rows)
    return (
        "`word__` features are words and word pairs, `char__` features character n-grams; "
        "`xxphone`, `xxurl`, `xxemail` and `xxnum` stand for any phone number, link, "
        "address or number.\n\n" + table
    )


def _data(config: Config, metrics: dict[str, Any]) -> str:
    data = metrics["data"]
    _, items = _names(config)
    classes = metrics["classes"]
    split = data["split"]
    read_as = data["format"]
    if data["delimiter"] is not None:
        name = DELIMITER_NAMES.get(data["delimiter"], repr(data["delimiter"]))
        read_as += f", {name}-separated{' (detected)' if data['delimiter_detected'] else ''}"
    facts = markdown_table(
        ["Fact", "Value"],
        [
            ["Source file", f"`{data['source']}` ({read_as}, {data['encoding']})"],
            ["Text read from", ", ".join(f"`{c}`" for c in data["text_columns"])],
            ["Rows read", f"{data['rows_read']:,}"],
            ["Unreadable rows (reported, not used)", f"{data['bad_rows']:,}"],
            ["Rows left out by [labels] drop", f"{sum(data['dropped_rows'].values()):,}"],
            [f"Labelled {items}", f"{data['texts']:,}"],
            ["Exact duplicates removed", f"{data['exact_duplicates_removed']:,}"],
            ["Texts with conflicting labels (removed)", f"{data['conflicting_texts']:,}"],
            [
                f"Near-duplicate pairs that joined two groups (Jaccard >= "
                f"{data['near_duplicate_jaccard']})",
                f"{data['near_duplicate_pairs']:,}",
            ],
            [
                f"{items.capitalize()} kept with a near duplicate (one split side per group)",
                f"{data['texts_in_multi_text_groups']:,}",
            ],
            [f"Unique {items}", f"{data['unique_texts']:,}"],
            ["Median length (characters)", format_count(data["median_length"])],
        ],
        align=["left", "right"],
    )
    uses = {
        "train": "fitting and tuning C by cross-validation",
        "validation": "recalibration and the decision rule",
        "test": "the numbers reported, read once",
    }
    # Classes as rows, so the table keeps four columns however many classes there are.
    parts = markdown_table(
        ["Class", *(part.capitalize() for part in uses)],
        [
            *(
                [name, *(f"{split[part]['per_class'][name]:,}" for part in uses)]
                for name in classes
            ),
            [f"All {items}", *(f"{split[part]['texts']:,}" for part in uses)],
        ],
        align=["left", *(["right"] * len(uses))],
    )
    used = "; ".join(f"{part} for {use}" for part, use in uses.items())
    text = facts + "\n\n" + parts + f"\n\nEach part has one job: {used}."
    if data["quality_notes"]:
        text += "\n\nData quality:\n\n" + "\n".join(f"- {note}" for note in data["quality_notes"])
    if data["bad_row_examples"]:
        text += "\n\nUnreadable rows:\n\n" + markdown_table(
            ["Where", "Why"], [[row["location"], row["reason"]] for row in data["bad_row_examples"]]
        )
    return text


def _link(config: Config, target: Path, folder: Path) -> str:
    """Return a Markdown link to ``target`` from a document in ``folder``."""
    try:
        shown = target.resolve().relative_to(config.root).as_posix()
    except ValueError:
        return f"`{target}`"
    href = Path(os.path.relpath(target.resolve(), folder.resolve())).as_posix()
    return f"[{shown}]({href})"


def _dataset(config: Config, metrics: dict[str, Any], folder: Path) -> str:
    dataset = config.dataset
    source = metrics["data"]["source"]
    name = dataset.name or f"`{source}`"
    lines = [f"**{name}**" + (f": {dataset.description}" if dataset.description else ".")]
    details = []
    if dataset.url:
        details.append(f"Source: <{dataset.url}>.")
    if dataset.licence:
        details.append(f"Licence: {dataset.licence}.")
    if dataset.about is not None and dataset.about.is_file():
        details.append(f"More about this data: {_link(config, dataset.about, folder)}.")
    if details:
        lines += ["", " ".join(details)]
    if not dataset.name:
        lines += ["", "Name and describe the data in `[dataset]` of `config.toml`."]
    return "\n".join(lines)


def _citation(config: Config, metrics: dict[str, Any]) -> str:
    dataset = config.dataset
    name = dataset.name or f"`{metrics['data']['source']}`"
    licence = dataset.licence or "licence not stated in `[dataset]` of `config.toml`"
    text = f"Data: {name}, {licence}."
    if dataset.citation:
        text += f" Cite: {dataset.citation}"
    return text


def _shell_quote(text: str) -> str:
    """Quote ``text`` for a POSIX shell, readably: double quotes unless it needs more."""
    if not any(c in text for c in '"$`\\!'):
        return f'"{text}"'
    return shlex.quote(text)


def _predict(config: Config, evaluation: Evaluation) -> str:
    package = __package__
    columns = config.data.text_columns
    right = evaluation.predictions["model"] == evaluation.y_test
    # With two classes, a text of the class the decision acts on shows the more telling answer.
    wanted = right & (evaluation.y_test == 1) if evaluation.binary else right
    texts = [t for t, ok in zip(evaluation.test_texts, wanted, strict=True) if ok]
    example = " ".join((texts or ["some text to classify"])[0].split())[:_EXAMPLE_LIMIT]
    named = ", ".join(f"`{c}`" for c in columns)
    return "\n".join(
        [
            f"    python -m {package} predict new.csv -o scored.csv",
            f"    echo {_shell_quote(example)} | python -m {package} predict",
            "",
            f"A CSV or JSONL input needs the field{'s' if len(columns) > 1 else ''} {named} "
            f"(`--text-column` to use others); each output record gets `label`, the class "
            "given, and `score`"
            + (
                f", the {evaluation.classes[1]} score the threshold is compared with."
                if evaluation.binary
                else ", the probability of that class."
            ),
        ]
    )


def _duplicates(config: Config, metrics: dict[str, Any]) -> str:
    data = metrics["data"]
    _, items = _names(config)
    share = data["exact_duplicates_removed"] / max(1, data["texts"])
    return (
        f"In the data in use (`{data['source']}`), {data['exact_duplicates_removed']:,} of "
        f"{data['texts']:,} labelled {items} ({share:.1%}) were exact copies of another after "
        f"normalisation, and {data['near_duplicate_pairs']:,} near-duplicate pairs (Jaccard >= "
        f"{data['near_duplicate_jaccard']}) tie {data['texts_in_multi_text_groups']:,} {items} "
        "into groups that the split keeps on one side."
    )


def render_blocks(
    config: Config, evaluation: Evaluation, folder: Path, figures: dict[str, DrawnFigure]
) -> dict[str, str]:
    """Return every block's Markdown; links are relative to ``folder``.

    ``figures`` are the figures drawn, by key, with their captions.
    """
    metrics = evaluation.metrics
    return {
        "links": links_markdown(project_links(config.root)),
        **result_blocks(config, evaluation, folder, figures),
        "errors": _errors(config, metrics),
        "features": _features(metrics),
        "data": _data(config, metrics),
        "dataset": _dataset(config, metrics, folder),
        "citation": _citation(config, metrics),
        "predict": _predict(config, evaluation),
        "duplicates": _duplicates(config, metrics),
    }
