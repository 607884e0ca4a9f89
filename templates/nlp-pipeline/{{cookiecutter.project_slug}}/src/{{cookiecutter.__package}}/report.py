"""Write the evaluation where readers look: metrics.json, figures, and the Markdown blocks.

Numbers are never typed by hand: this module rewrites the README, the model card, the
datasheet and the threshold decision record between their ``portfolio:NAME`` markers, and
leaves every word outside the markers to the author. Running it twice changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .business import format_count
from .config import Config
from .costs import DEFAULT_THRESHOLD, ErrorCosts, business_markdown, cost_curve
from .evaluate import Evaluation
from .figures import PALETTE, new_figure, readme_image, save_figure
from .markers import find_blocks, rewrite_blocks
from .provenance import code_files, record_provenance
from .tables import markdown_table

__all__ = ["DOCUMENTS", "render_blocks", "write_figures", "write_report"]

# Each document and the blocks it may hold; a document lacking a block is left alone there.
DOCUMENTS = (
    "README.md",
    "MODEL_CARD.md",
    "docs/DATASHEET.md",
    "docs/decisions/0001-threshold-by-cost.md",
)
FIGURES = {
    "confusion": "confusion_matrix.png",
    "cost": "cost_curve.png",
    "scores": "score_distribution.png",
}


def _interval(value: dict[str, Any]) -> str:
    if value["estimate"] is None:
        return "n/a"
    if value["low"] is None:
        return f"{value['estimate']:.3f} (too few cases for an interval)"
    return f"{value['estimate']:.3f} [{value['low']:.3f}, {value['high']:.3f}]"


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _quote(text: str) -> str:
    # Inline code keeps SMS shorthand and symbols literal; backticks inside would end it.
    return "`" + " ".join(text.replace("`", "'").split()) + "`"


def _results(metrics: dict[str, Any]) -> str:
    test = metrics["test"]
    data = metrics["data"]
    positive, negative = data["positive_label"], data["negative_label"]
    rows = [
        [
            name,
            _interval(values["precision"]),
            _interval(values["recall"]),
            _interval(values["f1"]),
            values["support"],
        ]
        for name, values in test["per_class"].items()
    ]
    per_class = markdown_table(
        ["Class", "Precision", "Recall", "F1", "Test messages"],
        rows,
        align=["left", "right", "right", "right", "right"],
    )
    names = {
        "model": f"{metrics['model']['kind']} at the cost-chosen threshold",
        "model_at_0.5": f"{metrics['model']['kind']} at the default 0.5",
        "keywords": "Keyword rule (baseline)",
        "majority": "Majority class (baseline)",
    }
    comparison = markdown_table(
        [
            "Model",
            "Threshold",
            "Macro-F1",
            f"{positive} F1",
            f"Cost per 10,000 ({metrics['model']['costs']['currency']})",
        ],
        [
            [
                names.get(name, name),
                f"{row['threshold']:.3f}",
                _rate(row["macro_f1"]),
                _rate(row[f"{positive}_f1"]),
                format_count(row["cost_per_10k"]),
            ]
            for name, row in metrics["comparison"].items()
        ],
        align=["left", "right", "right", "right", "right"],
    )
    confusion = test["confusion"]
    return "\n".join(
        [
            f"Held-out test set: {test['messages']:,} unique messages, none of them an exact or "
            f"near duplicate of a training message. Macro-F1 "
            f"{_interval(test['macro_f1'])}, average precision ({positive}) "
            f"{test['average_precision']:.3f}; 95% bootstrap intervals in brackets.",
            "",
            per_class,
            "",
            f"Confusion at threshold {metrics['model']['threshold']:.3f}: "
            f"{confusion['tp']} {positive} caught, {confusion['fn']} {positive} missed, "
            f"{confusion['fp']} {negative} flagged by mistake, {confusion['tn']} {negative} "
            "passed.",
            "",
            comparison,
        ]
    )


def _errors(metrics: dict[str, Any]) -> str:
    data = metrics["data"]
    positive, negative = data["positive_label"], data["negative_label"]
    parts = []
    for key, title in (
        ("false_positives", f"{negative} flagged as {positive} (highest scores first)"),
        ("false_negatives", f"{positive} let through (lowest scores first)"),
    ):
        rows = metrics["errors"][key]
        parts.append(f"**{title.capitalize()}**")
        parts.append("")
        if rows:
            parts.append(
                markdown_table(
                    ["Score", "Origin", "Message"],
                    [[f"{r['score']:.3f}", r["origin"], _quote(r["text"])] for r in rows],
                    align=["right", "left", "left"],
                )
            )
        else:
            parts.append("None in the test set.")
        parts.append("")
    return "\n".join(parts)


def _features(metrics: dict[str, Any]) -> str:
    features = metrics["features"]
    if not features["positive"]:
        return "This model has no per-feature weights (sentence embeddings)."
    data = metrics["data"]
    rows = [
        [_quote(p[0]), f"{p[1]:.2f}", _quote(n[0]), f"{n[1]:.2f}"]
        for p, n in zip(features["positive"], features["negative"], strict=False)
    ]
    table = markdown_table(
        [
            f"Towards {data['positive_label']}",
            "Weight",
            f"Towards {data['negative_label']}",
            "Weight",
        ],
        rows,
        align=["left", "right", "left", "right"],
    )
    return (
        "`word__` features are words and word pairs, `char__` features character n-grams; "
        "`xxphone`, `xxurl`, `xxemail` and `xxnum` stand for any phone number, link, "
        "address or number.\n\n" + table
    )


def _subgroups(metrics: dict[str, Any]) -> str:
    positive = metrics["data"]["positive_label"]
    rows = [
        [
            row["attribute"],
            row["group"],
            row["messages"],
            f"{row['positive_share']:.1%}",
            _rate(row["precision"]),
            _rate(row["recall"]),
            format_count(row["false_positives_per_10k"]),
            format_count(row["false_negatives_per_10k"]),
        ]
        for row in metrics["subgroups"]
    ]
    return markdown_table(
        [
            "Attribute",
            "Group",
            "Messages",
            f"{positive} share",
            "Precision",
            "Recall",
            "False positives per 10,000",
            "False negatives per 10,000",
        ],
        rows,
        align=["left", "left", "right", "right", "right", "right", "right", "right"],
    )


def _business(metrics: dict[str, Any]) -> str:
    costs = metrics["model"]["costs"]
    data = metrics["data"]
    positive, negative, unit = data["positive_label"], data["negative_label"], costs["currency"]
    return (
        f"Per 10,000 messages on the test set, at threshold {metrics['model']['threshold']:.3f}. "
        f"False positives are {negative} messages lost to the {positive} folder "
        f"({format_count(costs['false_positive'])} {unit} each); false negatives are "
        f"{positive} messages let through ({format_count(costs['false_negative'])} {unit} "
        "each).\n\n" + business_markdown(metrics["business"])
    )


def _data(metrics: dict[str, Any]) -> str:
    data = metrics["data"]
    split = data["split"]
    bad = data["bad_row_examples"]
    facts = markdown_table(
        ["Fact", "Value"],
        [
            ["Source file", f"`{data['source']}` ({data['format']}, {data['encoding']})"],
            ["Rows read", data["rows_read"]],
            ["Unreadable rows (reported, not used)", data["bad_rows"]],
            ["Messages", data["messages"]],
            [f"{data['positive_label']} messages", data["positive_messages"]],
            ["Exact duplicates removed", data["exact_duplicates_removed"]],
            ["Texts with conflicting labels (removed)", data["conflicting_texts"]],
            [
                f"Near-duplicate pairs (Jaccard >= {data['near_duplicate_jaccard']})",
                data["near_duplicate_pairs"],
            ],
            [
                "Messages kept with a near duplicate (one split side per group)",
                data["messages_in_multi_message_groups"],
            ],
            ["Unique messages", data["unique_messages"]],
            ["Median length (characters)", format_count(data["median_length"])],
        ],
        align=["left", "right"],
    )
    parts = markdown_table(
        ["Part", "Messages", data["positive_label"], "Used for"],
        [
            [name, split[name]["messages"], split[name]["positive"], use]
            for name, use in (
                ("train", "fitting"),
                ("validation", "choosing the threshold"),
                ("test", "the numbers reported, once"),
            )
        ],
        align=["left", "right", "right", "left"],
    )
    text = facts + "\n\n" + parts
    if bad:
        text += "\n\nUnreadable rows:\n\n" + markdown_table(
            ["Where", "Why"], [[row["location"], row["reason"]] for row in bad]
        )
    return text


def _figures(config: Config, folder: Path) -> str:
    figures = config.reports_dir / "figures"
    alts = {
        "confusion": "Confusion matrix of the test set at the cost-chosen threshold",
        "cost": "Expected cost per 10,000 validation messages against the threshold",
        "scores": "Distribution of test-set scores by true class, with the threshold",
    }
    return "\n\n".join(
        readme_image(figures / FIGURES[key], alt, folder) for key, alt in alts.items()
    )


def render_blocks(config: Config, evaluation: Evaluation, folder: Path) -> dict[str, str]:
    """Return every block's Markdown; image links are relative to ``folder``."""
    metrics = evaluation.metrics
    return {
        "results": _results(metrics),
        "business": _business(metrics),
        "errors": _errors(metrics),
        "features": _features(metrics),
        "subgroups": _subgroups(metrics),
        "data": _data(metrics),
        "figures": _figures(config, folder),
        "threshold": evaluation.threshold_table,
    }


def write_figures(config: Config, evaluation: Evaluation) -> dict[str, Path]:
    """Draw the confusion matrix, the validation cost curve and the score distributions."""
    folder = config.reports_dir / "figures"
    metrics = evaluation.metrics
    positive = metrics["data"]["positive_label"]
    negative = metrics["data"]["negative_label"]
    threshold = metrics["model"]["threshold"]
    paths = {}

    fig, ax = new_figure(4.4, 3.8)
    c = metrics["test"]["confusion"]
    matrix = np.array([[c["tn"], c["fp"]], [c["fn"], c["tp"]]])
    ax.imshow(matrix, cmap="Blues")
    ax.grid(visible=False)
    for (i, j), value in np.ndenumerate(matrix):
        colour = "white" if value > matrix.max() / 2 else "black"
        ax.text(j, i, f"{value:,}", ha="center", va="center", color=colour, fontsize=12)
    ax.set_xticks([0, 1], [negative, positive])
    ax.set_yticks([0, 1], [negative, positive])
    ax.set_xlabel("Predicted")
    ax.set_ylabel("True")
    ax.set_title(f"Test set at threshold {threshold:.3f}")
    paths["confusion"] = save_figure(fig, folder / FIGURES["confusion"])

    costs = ErrorCosts(
        **{k: metrics["model"]["costs"][k] for k in ("false_positive", "false_negative")}
    )
    curve = cost_curve(evaluation.y_validation, evaluation.validation_scores, costs)
    fig, ax = new_figure()
    cost = curve.costs * (10_000 / curve.n)
    # The last threshold flags nothing: the cost of having no filter at all.
    no_filter = float(cost[-1])
    ax.plot(curve.thresholds, cost, color=PALETTE[0], drawstyle="steps-post", label="model")
    ax.axhline(no_filter, color=PALETTE[2], linestyle="-.", label="no filter")
    ax.axvline(threshold, color=PALETTE[3], linestyle="--", label=f"chosen {threshold:.3f}")
    ax.axvline(DEFAULT_THRESHOLD, color=PALETTE[7], linestyle=":", label="default 0.5")
    # Flagging everything costs orders of magnitude more: cut the axis where choices compete.
    ax.set_ylim(0, max(1.5 * no_filter, 2 * float(cost.min()), 1.0))
    ax.set_xlabel(f"Threshold on the {positive} score")
    ax.set_ylabel(f"Expected cost per 10,000 ({metrics['model']['costs']['currency']})")
    ax.set_title("Validation cost by threshold")
    ax.legend(frameon=False)
    paths["cost"] = save_figure(fig, folder / FIGURES["cost"])

    fig, ax = new_figure()
    bins = np.linspace(0.0, 1.0, 41)
    for cls, name, colour in ((0, negative, PALETTE[0]), (1, positive, PALETTE[1])):
        values = evaluation.test_scores[evaluation.y_test == cls]
        ax.hist(values, bins=bins, alpha=0.7, color=colour, label=f"{name} ({values.size:,})")
    ax.set_yscale("log")
    ax.axvline(threshold, color=PALETTE[3], linestyle="--", label="threshold")
    ax.set_xlabel(f"{positive} score")
    ax.set_ylabel("Messages (log scale)")
    ax.set_title("Test-set scores by true class")
    ax.legend(frameon=False)
    paths["scores"] = save_figure(fig, folder / FIGURES["scores"])
    return paths


def write_report(config: Config, evaluation: Evaluation) -> list[Path]:
    """Write metrics.json, figures, every document's blocks, and their provenance.

    The provenance (fingerprints of the config, code and data behind the numbers) goes to
    ``reports/provenance.json``, so stale results can be detected.

    Returns the documents updated. A document that is missing is skipped; a block the
    document does not have is skipped too, so authors may delete sections they do not want.

    Raises:
        MarkerError: a document has a broken block (a start without an end, or twice).

    """
    config.reports_dir.mkdir(parents=True, exist_ok=True)
    metrics_path = config.reports_dir / "metrics.json"
    metrics_path.write_text(
        json.dumps(evaluation.metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    figures = write_figures(config, evaluation)
    updated = []
    for name in DOCUMENTS:
        path = config.root / name
        if not path.is_file():
            continue
        blocks = render_blocks(config, evaluation, path.parent)
        present = find_blocks(path.read_text(encoding="utf-8"))
        wanted = {block: blocks[block] for block in present if block in blocks}
        if wanted:
            rewrite_blocks(path, wanted)
            updated.append(path)
    data = config.data.path
    data_files = sorted(data.rglob("*.txt")) if data.is_dir() else [data]
    record_provenance(
        config.root,
        inputs=[config.path, *code_files(config.root), *data_files],
        outputs=[metrics_path, *figures.values()],
        documents=updated,
    )
    return updated
