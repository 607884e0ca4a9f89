"""Stage 4: draw the figures and write every number into the README, model card and records.

Only the marker blocks are rewritten (``markers.rewrite_blocks``); the prose around them,
including the narrative placeholders, belongs to the author. Everything here is read from
``reports/metrics.json`` (numbers, and the sentences worded from their paired intervals), the
data summary and the scores saved by the earlier stages, so the report can be rerun without
retraining, and ``reports/provenance.json`` records which config, code and data produced it.

The README opens on the business result ("Results at a glance": the headline of
metrics.json and the hero figure); the other figures come two to a row, each with the one-line
takeaway the numbers support.
"""

from __future__ import annotations

import html
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter
from sklearn.metrics import precision_recall_curve, roc_curve

from .business import format_count
from .config import Config, parse_args
from .costs import DEFAULT_THRESHOLD, ErrorCosts, cost_curve
from .data import FeatureSchema, load_summary
from .explorer import explorer_payload
from .figures import PALETTE, new_figure, readme_image, save_figure, style_axes
from .inputs import api_markdown, data_markdown
from .markers import rewrite_blocks
from .policies import (
    format_threshold,
    policies_markdown,
    sensitivity_markdown,
    stability_sentence,
    threshold_record_markdown,
)
from .provenance import code_files, record_provenance
from .site import links_markdown, project_links, write_site_data
from .subgroups import SMALL_MARK, subgroups_markdown
from .summary import HERO_FIGURE
from .tables import markdown_table

__all__ = [
    "FIGURES",
    "CostFigureData",
    "build_blocks",
    "cost_figure",
    "cost_figure_data",
    "draw_figures",
    "main",
    "report",
]

log = logging.getLogger(__name__)

#: Every figure, with the alt text that says what it shows; the captions say what it finds.
FIGURES = {
    "cost": "Expected cost a period against the threshold, validation and test",
    "roc": "ROC curve on the test set, with the operating point",
    "precision_recall": "Precision-recall curve on the test set, with the operating point",
    "calibration": "Reliability: predicted against observed rate on the test set",
    "subgroups": "Recall and false positive rate per subgroup",
}
#: The figures shown two to a row in the figures block (the hero figure opens the README).
GRID = ("roc", "precision_recall", "calibration", "subgroups")
GRID_WIDTH = 400
METRIC_NAMES = {
    "roc_auc": "ROC-AUC",
    "average_precision": "PR-AUC (average precision)",
    "brier": "Brier score (lower is better)",
    "precision": "Precision at the threshold",
    "recall": "Recall at the threshold",
    "f1": "F1 at the threshold",
}
MODEL_CARD = "MODEL_CARD.md"
DECISION_RECORD = Path("docs") / "decisions" / "0001-threshold-by-cost.md"
DATASHEET = Path("docs") / "datasheet.md"


def _interval(values: dict[str, float] | None) -> str:
    if values is None:
        return "undefined"
    return f"{values['estimate']:.3f} [{values['low']:.3f}, {values['high']:.3f}]"


def _confidence(m: dict[str, Any]) -> str:
    return f"{m['evaluation']['confidence']:.0%}"


def _glance_block(m: dict[str, Any], root: Path, figures: dict[str, Path]) -> str:
    headline = m["headline"]
    confidence = _confidence(m)
    items = []
    for item in headline["items"]:
        items.append(f"- **{item['label']}.** {item['text']}")
    business = m["business"]
    context = (
        f"Test set: {m['test']['rows']:,} {business['names']['case']}, scored once; threshold "
        f"{format_threshold(business['thresholds']['chosen'])}, chosen by expected cost on "
        f"validation. Brackets hold {confidence} bootstrap intervals; each saving compares "
        "two policies on the same resampled cases."
    )
    hero = readme_image(figures[HERO_FIGURE], headline["figure_caption"], root)
    return "\n".join(items) + f"\n\n{context}\n\n{hero}\n\n_{headline['figure_caption']}_"


def _chosen_by(m: dict[str, Any]) -> str:
    """Say what chose the model: cross-validation, or the paired validation comparison."""
    if (m.get("selection") or {}).get("text"):
        return "the paired validation comparison of"
    return "cross-validated"


def _results_block(m: dict[str, Any]) -> str:
    test = m["test"]
    rows = [[METRIC_NAMES[name], _interval(value)] for name, value in test["metrics"].items()]
    table = markdown_table(
        ["Metric (test set)", f"Estimate [{_confidence(m)} bootstrap interval]"], rows
    )
    cm = test["confusion_matrix"]
    confusion = markdown_table(
        ["", "Predicted positive", "Predicted negative"],
        [["Actual positive", cm["tp"], cm["fn"]], ["Actual negative", cm["fp"], cm["tn"]]],
    )
    model = m["model"]
    calibration = m["calibration"]
    calibrated = [f"**Calibration.** {calibration['text']} {calibration['verdict']}"]
    if calibration["test_text"]:
        calibrated.append(calibration["test_text"])
    return (
        f"Model: **{model['model_name']}** (`{model['version']}`), chosen by "
        f"{_chosen_by(m)} {model['selection_metric']}; decision threshold "
        f"**{format_threshold(model['threshold'])}**, set by expected cost on validation data. "
        f"Test set: {test['rows']:,} cases, {test['positives']:,} positive, scored once.\n\n"
        f"{table}\n\n{' '.join(calibrated)}\n\nConfusion matrix at the threshold:\n\n{confusion}"
    )


def _models_block(m: dict[str, Any]) -> str:
    names = {"roc_auc": "ROC-AUC", "average_precision": "PR-AUC", "neg_brier_score": "Brier"}
    rows = []
    for candidate, scores in m["cross_validation"].items():
        cells = []
        for metric in names:
            mean, std = scores[metric]["mean"], scores[metric]["std"]
            sign = -1 if metric == "neg_brier_score" else 1
            cells.append(f"{sign * mean:.3f} ± {std:.3f}")
        chosen = " (chosen)" if candidate == m["model"]["model_name"] else ""
        rows.append([f"{candidate}{chosen}", *cells])
    table = markdown_table(["Candidate", *names.values()], rows)
    comparisons = "\n".join(f"- {c['text']}" for c in m["validation_comparisons"])
    sample = (m.get("selection_sample") or {}).get("text", "")
    settled = (m.get("selection") or {}).get("text", "")
    said = " ".join(text for text in (sample, settled) if text)
    kept = "is the cross-validated choice" if settled else "is kept"
    return (
        "Cross-validation on the training split (mean ± standard deviation over folds); "
        f"`baseline` predicts the base rate for everyone. The highest mean "
        f"{m['model']['selection_metric']} {kept}.{f' {said}' if said else ''}"
        f"\n\n{table}\n\n"
        "The same candidates refitted on the training split and compared on the validation "
        f"cases, each pair on the same resampled cases ({_confidence(m)} paired "
        f"intervals):\n\n{comparisons}"
    )


def _business_block(m: dict[str, Any]) -> str:
    business = m["business"]
    costs = business["costs"]
    currency = business["currency"]
    best = next(r for r in business["policies"] if r["key"] == business["best_baseline"])
    others = [
        row["text"]
        for row in business["policies"]
        if row["text"] and row["key"] != business["best_baseline"]
    ]
    per = f"{business['per']:,} {business['names']['case']} a {business['period']}"
    return "\n\n".join(
        [
            f"A false positive costs {format_count(costs['false_positive'])} {currency}, a "
            f"false negative {format_count(costs['false_negative'])} {currency}; at {per}, "
            f"the cheapest policy that needs no model on these test cases is "
            f"{best['phrase']}. **{best['text']}**",
            policies_markdown(business),
            "\n".join(f"- {text}" for text in others),
            f"**How firm the threshold is.** {stability_sentence(business)}",
            "**If the costs are off.** The threshold re-chosen on validation and the saving "
            "against the cheapest no-model policy, with the cost of a miss halved and doubled:",
            sensitivity_markdown(business),
        ]
    )


def _model_details_block(m: dict[str, Any]) -> str:
    model = m["model"]
    calibration = m["calibration"]
    rows = [
        ["Model", model["model_name"]],
        ["Version", f"`{model['version']}`"],
        ["Trained", model["trained_at"]],
        ["Decision threshold", format_threshold(model["threshold"])],
        [
            "Calibration",
            "Platt scaling on validation" if calibration["kept"] else "none (scores as fitted)",
        ],
        ["Selected by", f"{_chosen_by(m)} {model['selection_metric']}"],
    ]
    return markdown_table(["Field", "Value"], rows)


def _html_figure(path: Path, alt: str, caption: str, root: Path) -> str:
    source = Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    return (
        f'<td width="50%"><img src="{html.escape(source)}" alt="{html.escape(alt)}" '
        f'width="{GRID_WIDTH}"><br>{html.escape(caption)}</td>'
    )


def _figures_block(m: dict[str, Any], paths: dict[str, Path], root: Path) -> str:
    """Lay the figures out two to a row: an HTML table, which GitHub renders side by side."""
    cells = [_html_figure(paths[key], FIGURES[key], m["figures"][key], root) for key in GRID]
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    body = "\n".join("<tr>\n" + "\n".join(row) + "\n</tr>" for row in rows)
    return f"<table>\n{body}\n</table>"


def build_blocks(
    m: dict[str, Any],
    schema: FeatureSchema,
    figures: dict[str, Path],
    root: Path,
) -> dict[str, dict[str, str]]:
    """Return the content of every marker block, per document relative to ``root``."""
    results = _results_block(m)
    subgroups = subgroups_markdown(m["subgroups"])
    if not m["subgroups"]:
        subgroups = "No subgroup columns are configured (`subgroup_columns` in params.yaml)."
    data = data_markdown(m["data"])
    return {
        "README.md": {
            "links": links_markdown(project_links(root), deploy_to_render=True),
            "glance": _glance_block(m, root, figures),
            "data": data,
            "results": results,
            "models": _models_block(m),
            "business": _business_block(m),
            "subgroups": subgroups,
            "figures": _figures_block(m, figures, root),
            "api": api_markdown(schema),
        },
        MODEL_CARD: {
            "model-details": _model_details_block(m),
            "results": results,
            "subgroups": subgroups,
            "data": data,
        },
        DATASHEET.as_posix(): {"data": data},
        DECISION_RECORD.as_posix(): {"threshold": threshold_record_markdown(m["business"])},
    }


@dataclass(frozen=True)
class CostFigureData:
    """What the cost figure draws: exact step curves, so the figure cannot misplace a point.

    ``costs[i]`` is the cost a period of acting on scores at or above ``thresholds[i]``; the
    same decisions hold for every threshold in ``(thresholds[i-1], thresholds[i]]``, which is
    how the curve is drawn (matplotlib's ``steps-pre``).
    """

    curves: dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]
    chosen: float
    chosen_cost: float
    baseline: str
    baseline_cost: float
    unit: str
    case_name: str


def cost_figure_data(
    validation: pd.DataFrame, test: pd.DataFrame, m: dict[str, Any]
) -> CostFigureData:
    """Compute the validation and test cost curves a period, at every distinct score."""
    business = m["business"]
    costs = ErrorCosts(**business["costs"])
    per = business["per"]
    curves = {}
    for name, frame in (("validation", validation), ("test", test)):
        curve = cost_curve(frame["label"].to_numpy(), frame["score"].to_numpy(), costs)
        curves[name] = (np.asarray(curve.thresholds), curve.costs / curve.n * per)
    threshold = float(business["thresholds"]["chosen"])
    chosen = cost_curve(
        validation["label"].to_numpy(), validation["score"].to_numpy(), costs, [threshold]
    )
    best = next(r for r in business["policies"] if r["key"] == business["best_baseline"])
    return CostFigureData(
        curves=curves,
        chosen=threshold,
        chosen_cost=float(chosen.costs[0] / chosen.n * per),
        baseline=best["phrase"],
        baseline_cost=float(best["cost_per_period"]),
        unit=business["unit"],
        case_name=business["names"]["case"],
    )


def cost_figure(data: CostFigureData) -> Figure:
    """Draw the cost curves, the chosen threshold, the default 0.5 and the best baseline."""
    fig, ax = new_figure(6.4, 4)
    for name, (thresholds, costs) in data.curves.items():
        ax.plot(thresholds, costs, drawstyle="steps-pre", label=name)
    ax.axhline(
        data.baseline_cost,
        color=PALETTE[2],
        linestyle="--",
        label=f"{data.baseline} (test)",
    )
    ax.plot(
        [data.chosen],
        [data.chosen_cost],
        marker="o",
        color="black",
        linestyle="none",
        label=f"chosen threshold {format_threshold(data.chosen)}",
    )
    ax.axvline(DEFAULT_THRESHOLD, color="grey", linestyle=":", label="default 0.5")
    # Acting on everyone or no one can cost many times more: keep the axis where choices compete.
    ax.set_ylim(0, 1.5 * max(data.baseline_cost, data.chosen_cost))
    ax.set_xlim(0, 1)
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set(
        xlabel="Threshold (act when the score is at or above it)",
        ylabel=f"Expected cost ({data.unit})",
        title="Expected cost against threshold",
    )
    ax.legend(fontsize=8)
    return fig


def _operating_point(scores: pd.DataFrame, threshold: float) -> dict[str, float]:
    truth = scores["label"].to_numpy() == 1
    flagged = scores["score"].to_numpy() >= threshold
    tp = int(np.count_nonzero(truth & flagged))
    fp = int(np.count_nonzero(~truth & flagged))
    positives, negatives = int(truth.sum()), int((~truth).sum())
    return {
        "recall": tp / positives if positives else np.nan,
        "false_positive_rate": fp / negatives if negatives else np.nan,
        "precision": tp / (tp + fp) if tp + fp else np.nan,
    }


def _mark_points(ax: Any, scores: pd.DataFrame, threshold: float, x: str, y: str) -> None:
    """Mark where the chosen threshold and the default 0.5 sit on a curve."""
    marks = (
        (threshold, f"chosen threshold {format_threshold(threshold)}", "black"),
        (DEFAULT_THRESHOLD, "default 0.5", "white"),
    )
    for at, label, face in marks:
        point = _operating_point(scores, at)
        ax.plot(
            [point[x]],
            [point[y]],
            marker="o",
            markerfacecolor=face,
            color="black" if face == "black" else "grey",
            linestyle="none",
            label=label,
            zorder=3,
        )


def _roc(scores: pd.DataFrame, m: dict[str, Any], path: Path) -> None:
    fig, ax = new_figure(5, 4.5)
    fpr, tpr, _ = roc_curve(scores["label"], scores["score"])
    ax.plot(fpr, tpr, label=f"model, AUC {_interval(m['test']['metrics']['roc_auc'])}")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    _mark_points(ax, scores, m["model"]["threshold"], "false_positive_rate", "recall")
    ax.set(xlabel="False positive rate", ylabel="True positive rate", title="ROC curve (test)")
    ax.legend(loc="lower right", fontsize=8)
    save_figure(fig, path)


def _precision_recall(scores: pd.DataFrame, m: dict[str, Any], path: Path) -> None:
    fig, ax = new_figure(5, 4.5)
    precision, recall, _ = precision_recall_curve(scores["label"], scores["score"])
    ap = _interval(m["test"]["metrics"]["average_precision"])
    ax.plot(recall, precision, drawstyle="steps-post", label=f"model, AP {ap}")
    ax.axhline(scores["label"].mean(), linestyle="--", color="grey", label="base rate")
    _mark_points(ax, scores, m["model"]["threshold"], "recall", "precision")
    ax.set(xlabel="Recall", ylabel="Precision", title="Precision-recall curve (test)")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower left", fontsize=8)
    save_figure(fig, path)


def _calibration(m: dict[str, Any], path: Path) -> None:
    fig, ax = new_figure(5, 4.5)
    calibration = m["calibration"]
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    curves = [("bins", "model, as served", PALETTE[0], PALETTE[0])]
    if calibration["kept"]:
        curves.insert(0, ("bins_uncalibrated", "before Platt scaling", PALETTE[1], "white"))
    for key, label, colour, face in curves:
        ax.plot(
            [b["predicted"] for b in calibration[key]],
            [b["observed"] for b in calibration[key]],
            marker="o",
            color=colour,
            markerfacecolor=face,
            label=label,
        )
    ax.set(
        xlabel="Mean predicted probability",
        ylabel="Observed positive rate",
        title="Calibration (test, quantile bins)",
    )
    ax.legend(loc="upper left", fontsize=8)
    save_figure(fig, path)


def _subgroups(m: dict[str, Any], path: Path) -> None:
    columns = list(m["subgroups"])
    fig, first = new_figure(6.4, 2.2 + 1.6 * max(1, len(columns)))
    if not columns:
        first.text(0.5, 0.5, "No subgroup columns configured", ha="center", va="center")
        first.set_axis_off()
        save_figure(fig, path)
        return
    fig.delaxes(first)
    axes = fig.subplots(len(columns), 1, squeeze=False)[:, 0]
    for ax, column in zip(axes, columns, strict=True):
        style_axes(ax)
        groups = m["subgroups"][column]["groups"]
        labels = [f"{g['group']} {SMALL_MARK}" if g["too_small"] else g["group"] for g in groups]
        positions = np.arange(len(labels))
        for offset, key, name in ((-0.2, "recall", "recall"), (0.2, "false_positive_rate", "FPR")):
            values = [np.nan if g[key] is None else g[key] for g in groups]
            ax.barh(positions + offset, values, height=0.4, label=name)
        ax.set_yticks(positions, labels)
        ax.set_xlim(0, 1)
        ax.set_title(column, fontsize=10)
    axes[0].legend(fontsize=8, loc="lower right")
    axes[-1].set_xlabel("Rate at the business threshold (test)")
    save_figure(fig, path)


def draw_figures(config: Config, m: dict[str, Any]) -> dict[str, Path]:
    """Draw every figure from the saved scores; return their paths by name."""
    processed = config.paths.processed
    test = pd.read_parquet(processed / "test_scores.parquet")
    validation = pd.read_parquet(processed / "validation_scores.parquet")
    paths = {key: config.paths.figures / f"{key}.png" for key in FIGURES}
    save_figure(cost_figure(cost_figure_data(validation, test, m)), paths["cost"])
    _roc(test, m, paths["roc"])
    _precision_recall(test, m, paths["precision_recall"])
    _calibration(m, paths["calibration"])
    _subgroups(m, paths["subgroups"])
    return paths


def write_site(config: Config, m: dict[str, Any], figures: dict[str, Path]) -> Path:
    """Write ``reports/site-data.json``: the headline, the figures and the cost explorer.

    The explorer gets the test-set scores and the report's own costs, volume, names and
    thresholds, so at the report's settings the page shows the report's numbers.
    """
    root = config.paths.root
    business = m["business"]
    test = pd.read_parquet(config.paths.processed / "test_scores.parquet")
    explorer = explorer_payload(
        test["label"].to_numpy(),
        test["score"].to_numpy(),
        false_positive_cost=business["costs"]["false_positive"],
        false_negative_cost=business["costs"]["false_negative"],
        currency=business["currency"],
        cases_per_period=config.cases_per_period,
        period=business["period"],
        chosen_threshold=business["thresholds"]["chosen"],
        default_threshold=business["thresholds"]["default"],
        names=business["names"],
        seed=config.random_seed,
    )
    shown = [(HERO_FIGURE, m["headline"]["figure_caption"])]
    shown += [(key, m["figures"][key]) for key in GRID]
    listed = [
        {"path": figures[key].relative_to(root).as_posix(), "caption": caption}
        for key, caption in shown
    ]
    return write_site_data(root, headline=m["headline"], figures=listed, interactive=explorer)


def report(config: Config) -> dict[str, dict[str, str]]:
    """Write figures and marker blocks from ``reports/metrics.json``; return the blocks.

    Raises:
        FileNotFoundError: ``make evaluate`` has not run.
        markers.MarkerError: a document lost one of its marker blocks.

    """
    root = config.paths.root
    metrics_path = config.paths.reports / "metrics.json"
    if not metrics_path.is_file():
        raise FileNotFoundError(f"{metrics_path} not found: run `make evaluate` first")
    m = json.loads(metrics_path.read_text(encoding="utf-8"))
    figures = draw_figures(config, m)
    schema = FeatureSchema.from_dict(load_summary(config)["schema"])
    blocks = build_blocks(m, schema, figures, root)
    documents = [root / name for name in blocks]
    for document, content in zip(documents, blocks.values(), strict=True):
        rewrite_blocks(document, content)
    inputs = [config.paths.config_file, *code_files(root)]
    if config.data_path is not None:
        inputs.append(config.data_path)
    site_data = write_site(config, m, figures)
    record_provenance(root, inputs, [metrics_path, *figures.values(), site_data], documents)
    return blocks


def main(argv: Sequence[str] | None = None) -> None:
    """Command line entry point: ``python -m <package>.report [--config params.yaml]``."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    report(parse_args(__doc__ or "", argv))
    log.info("README.md, MODEL_CARD.md and figures updated")


if __name__ == "__main__":
    main()
