"""Stage 4: draw the figures and write every number into the README, model card and datasheet.

Only the marker blocks are rewritten (``markers.rewrite_blocks``); the prose around them,
including the narrative placeholders, belongs to the author. Everything here is read from
``reports/metrics.json``, the data summary and the scores saved by the earlier stages, so
the report can be rerun without retraining, and ``reports/provenance.json`` records which
config, code and data produced the numbers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.ticker import StrMethodFormatter
from sklearn.metrics import precision_recall_curve, roc_curve

from .business import format_count
from .config import Config, parse_args
from .costs import business_markdown, cost_curve, threshold_markdown
from .data import FeatureSchema, load_summary
from .evaluate import MIN_COUNT
from .figures import new_figure, readme_image, save_figure, style_axes
from .inputs import api_markdown, data_markdown
from .markers import rewrite_blocks
from .provenance import code_files, record_provenance
from .tables import markdown_table

__all__ = ["FIGURES", "build_blocks", "draw_figures", "main", "report"]

log = logging.getLogger(__name__)

FIGURES = {
    "roc": "ROC curve on the test set",
    "precision_recall": "Precision-recall curve on the test set",
    "calibration": "Calibration: predicted against observed rate",
    "cost": "Expected cost against threshold, with the chosen threshold",
    "subgroups": "Recall and false positive rate per subgroup",
}
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


def _results_block(m: dict[str, Any]) -> str:
    test = m["test"]
    confidence = next((v["confidence"] for v in test["metrics"].values() if v is not None), 0.95)
    rows = [[METRIC_NAMES[name], _interval(value)] for name, value in test["metrics"].items()]
    table = markdown_table(
        ["Metric (test set)", f"Estimate [{confidence:.0%} bootstrap interval]"], rows
    )
    cm = test["confusion_matrix"]
    confusion = markdown_table(
        ["", "Predicted positive", "Predicted negative"],
        [["Actual positive", cm["tp"], cm["fn"]], ["Actual negative", cm["fp"], cm["tn"]]],
    )
    model = m["model"]
    return (
        f"Model: **{model['model_name']}** (`{model['version']}`), chosen by cross-validated "
        f"{model['selection_metric']}; decision threshold **{model['threshold']:.3f}**, set "
        f"by expected cost on validation data. Test set: {test['rows']:,} cases, "
        f"{test['positives']:,} positive, scored once.\n\n{table}\n\n"
        f"Confusion matrix at the threshold:\n\n{confusion}"
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
    return (
        "Cross-validation on the training split (mean ± standard deviation over folds); "
        f"`baseline` predicts the base rate for everyone.\n\n{table}"
    )


def _business_block(m: dict[str, Any], threshold_table: str) -> str:
    costs = m["costs"]
    model_row = m["business"][0]
    saving = model_row["saving"]
    per = f"{costs['per']:,} {costs['case_name']}"
    verdict = (
        f"At {per} a {costs['period']}, the model saves about "
        f"{format_count(saving)} {costs['currency']} a {costs['period']} against the "
        "cheaper of the two no-model policies."
        if saving > 0
        else f"At {per} a {costs['period']}, the model does **not** beat the cheaper "
        "no-model policy: do not deploy it at these costs."
    )
    return (
        f"A false positive costs {format_count(costs['false_positive'])} "
        f"{costs['currency']}, a false negative {format_count(costs['false_negative'])} "
        f"{costs['currency']}. {verdict}\n\n{business_markdown(m['business'])}\n\n"
        f"Chosen threshold against the default 0.5, on the test set:\n\n{threshold_table}"
    )


def _subgroups_block(m: dict[str, Any]) -> str:
    parts = []
    for column, result in m["subgroups"].items():
        rows = [
            [
                g["group"],
                g["cases"],
                g["positives"],
                g["positive_rate"],
                g["flagged_rate"],
                g["precision"],
                g["recall"],
                g["false_positive_rate"],
                g["roc_auc"],
            ]
            for g in result["groups"]
        ]
        table = markdown_table(
            [column, "Cases", "Positives", "Positive rate", "Flagged", "Precision", "Recall"]
            + ["FPR", "ROC-AUC"],
            rows,
            align=["left", *["right"] * 8],
        )
        gap = result["largest_gap"]
        if gap is None:
            flag = f"No gap reported: no rate rests on {MIN_COUNT} or more cases in two groups."
        else:
            flag = (
                f"**Largest gap: {gap['metric'].replace('_', ' ')} differs by {gap['gap']:.3f}** "
                f"between {gap['highest']['group']} ({gap['highest']['value']:.3f}) and "
                f"{gap['lowest']['group']} ({gap['lowest']['value']:.3f})."
            )
        parts.append(f"**{column}**\n\n{table}\n\n{flag}")
    if not parts:
        return "No subgroup columns are configured (`subgroup_columns` in params.yaml)."
    note = (
        "Flagged: share of cases the model acts on. FPR: false positive rate. All rates on the "
        "test set at the business threshold. The largest gap compares only rates that rest on "
        f"at least {MIN_COUNT} cases of a group (positives for recall, negatives for FPR, "
        "flagged cases for precision): smaller groups are listed but too noisy to rank."
    )
    return "\n\n".join([*parts, note])


def _model_details_block(m: dict[str, Any]) -> str:
    model = m["model"]
    rows = [
        ["Model", model["model_name"]],
        ["Version", f"`{model['version']}`"],
        ["Trained", model["trained_at"]],
        ["Decision threshold", f"{model['threshold']:.3f}"],
        ["Selected by", f"cross-validated {model['selection_metric']}"],
    ]
    return markdown_table(["Field", "Value"], rows)


def _figures_block(paths: dict[str, Path], root: Path) -> str:
    return "\n\n".join(readme_image(paths[key], FIGURES[key], root) for key in FIGURES)


def build_blocks(
    m: dict[str, Any],
    schema: FeatureSchema,
    threshold_table: str,
    figures: dict[str, Path],
    root: Path,
) -> dict[str, dict[str, str]]:
    """Return the content of every marker block, per document relative to ``root``."""
    results = _results_block(m)
    subgroups = _subgroups_block(m)
    data = data_markdown(m["data"])
    return {
        "README.md": {
            "data": data,
            "results": results,
            "models": _models_block(m),
            "business": _business_block(m, threshold_table),
            "subgroups": subgroups,
            "figures": _figures_block(figures, root),
            "api": api_markdown(schema),
        },
        MODEL_CARD: {
            "model-details": _model_details_block(m),
            "results": results,
            "subgroups": subgroups,
            "data": data,
        },
        DATASHEET.as_posix(): {"data": data},
        DECISION_RECORD.as_posix(): {"threshold": threshold_table},
    }


def _roc(scores: pd.DataFrame, m: dict[str, Any], path: Path) -> None:
    fig, ax = new_figure(5, 4.5)
    fpr, tpr, _ = roc_curve(scores["label"], scores["score"])
    ax.plot(fpr, tpr, label=f"model, AUC {_interval(m['test']['metrics']['roc_auc'])}")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="chance")
    ax.set(xlabel="False positive rate", ylabel="True positive rate", title="ROC curve (test)")
    ax.legend(loc="lower right", fontsize=8)
    save_figure(fig, path)


def _precision_recall(scores: pd.DataFrame, m: dict[str, Any], path: Path) -> None:
    fig, ax = new_figure(5, 4.5)
    precision, recall, _ = precision_recall_curve(scores["label"], scores["score"])
    ap = _interval(m["test"]["metrics"]["average_precision"])
    ax.plot(recall, precision, drawstyle="steps-post", label=f"model, AP {ap}")
    ax.axhline(scores["label"].mean(), linestyle="--", color="grey", label="base rate")
    ax.set(xlabel="Recall", ylabel="Precision", title="Precision-recall curve (test)")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower left", fontsize=8)
    save_figure(fig, path)


def _calibration(m: dict[str, Any], path: Path) -> None:
    fig, ax = new_figure(5, 4.5)
    bins = m["calibration"]
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    ax.plot(
        [b["predicted"] for b in bins], [b["observed"] for b in bins], marker="o", label="model"
    )
    ax.set(
        xlabel="Mean predicted probability",
        ylabel="Observed positive rate",
        title="Calibration (test, quantile bins)",
    )
    ax.legend(loc="upper left", fontsize=8)
    save_figure(fig, path)


def _cost(
    validation: pd.DataFrame, test: pd.DataFrame, m: dict[str, Any], config: Config, path: Path
) -> None:
    fig, ax = new_figure(6.4, 4)
    grid = np.linspace(0, 1, 201)
    per = config.cases_per_period
    threshold = m["model"]["threshold"]
    for name, frame in (("validation", validation), ("test", test)):
        curve = cost_curve(frame["label"], frame["score"], config.costs.errors, thresholds=grid)
        ax.plot(curve.thresholds, curve.costs / curve.n * per, label=name)
        if name == "validation":
            chosen = cost_curve(frame["label"], frame["score"], config.costs.errors, [threshold])
            ax.plot(
                [threshold],
                chosen.costs / chosen.n * per,
                marker="o",
                color="black",
                linestyle="none",
                label=f"chosen threshold {threshold:.3f}",
            )
    ax.axvline(0.5, color="grey", linestyle=":", label="default 0.5")
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set(
        xlabel="Threshold (act when the score is at or above it)",
        ylabel=f"Expected cost per {per:,} {config.case_name} ({config.costs.currency})",
        title="Expected cost against threshold",
    )
    ax.legend(fontsize=8)
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
        labels = [g["group"] for g in groups]
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
    _roc(test, m, paths["roc"])
    _precision_recall(test, m, paths["precision_recall"])
    _calibration(m, paths["calibration"])
    _cost(validation, test, m, config, paths["cost"])
    _subgroups(m, paths["subgroups"])
    return paths


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
    test = pd.read_parquet(config.paths.processed / "test_scores.parquet")
    threshold_table = threshold_markdown(
        test["label"].to_numpy(),
        test["score"].to_numpy(),
        config.costs.errors,
        threshold=m["model"]["threshold"],
        per=config.cases_per_period,
    )
    schema = FeatureSchema.from_dict(load_summary(config)["schema"])
    blocks = build_blocks(m, schema, threshold_table, figures, root)
    documents = [root / name for name in blocks]
    for document, content in zip(documents, blocks.values(), strict=True):
        rewrite_blocks(document, content)
    inputs = [config.paths.config_file, *code_files(root)]
    if config.data_path is not None:
        inputs.append(config.data_path)
    record_provenance(root, inputs, [metrics_path, *figures.values()], documents)
    return blocks


def main(argv: Sequence[str] | None = None) -> None:
    """Command line entry point: ``python -m <package>.report [--config params.yaml]``."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    report(parse_args(__doc__ or "", argv))
    log.info("README.md, MODEL_CARD.md and figures updated")


if __name__ == "__main__":
    main()
