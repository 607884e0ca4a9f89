"""The Markdown blocks that state results: at a glance, results, business, subgroups, decisions.

Every sentence that compares two things here was written by ``claims.compare`` from a paired
interval (in ``evaluate`` and its helpers) and is quoted as it is; this module only lays the
sentences, tables and figures out. Tables keep to at most eight columns, and every kind of
number has one format (``formats``). Class names, what a text is called and what acting on one
means come from the config, so another corpus leaves no word of this one.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from . import formats as fmt
from .claims import Wording, compare
from .comparisons import difference_from_dict
from .config import Config
from .costmatrix import errors_markdown
from .costs import DEFAULT_THRESHOLD
from .evaluate import Evaluation
from .figures import readme_image
from .plots import DrawnFigure
from .tables import markdown_table

__all__ = ["result_blocks"]

#: Short names for the headline's items where each one's sentence says the rest.
_GLANCE_LABELS = {
    "saving_vs_best_baseline": "Against the cheapest baseline",
    "false_positives_per_10k": "False positives",
    "false_negatives_per_10k": "False negatives",
    "errors_per_10k": "Errors",
    "dearest_error_per_10k": "The dearest error",
}
#: The figures of the README's figures block, two to a row, in this order.
_FIGURE_ORDER = ("confusion", "per_class", "cost", "scores", "reliability")


def _bootstrap_note(test: dict[str, Any], items: str) -> str:
    """Return the sentence saying the intervals used fewer resamples than configured, or ''."""
    drawn = test["bootstrap"]
    if drawn["resamples"] >= drawn["configured"]:
        return ""
    return (
        f" The intervals come from {drawn['resamples']:,} bootstrap resamples, not the "
        f"{drawn['configured']:,} of [report] bootstrap_resamples: {test['texts']:,} test "
        f"{items} times that many would pass [report] bootstrap_max_draws "
        f"({drawn['max_draws']:,}), which bounds the evaluation's time; their ends are a "
        "little less precise for it."
    )


def _relative(path: Path, folder: Path) -> str:
    return Path(os.path.relpath(path.resolve(), folder.resolve())).as_posix()


def _glance(config: Config, evaluation: Evaluation, hero: DrawnFigure, folder: Path) -> str:
    metrics = evaluation.metrics
    items = config.dataset.items
    lines = [
        f"On the held-out test set ({metrics['test']['texts']:,} {items}, none of them a copy of "
        "a training text), with 95% bootstrap intervals in brackets:",
        "",
    ]
    lines += [
        f"- **{_GLANCE_LABELS.get(item['key'], item['label'])}:** {item['text']}"
        for item in metrics["headline"]["items"]
    ]
    lines += ["", readme_image(hero.path, hero.alt, folder), "", f"*{hero.caption}*"]
    return "\n".join(lines)


def _calibration_text(config: Config, metrics: dict[str, Any]) -> str:
    calibration = metrics["test"]["calibration"]
    validation = calibration["validation"]
    if validation is None:
        return f"The probabilities are the model's own (not recalibrated: {calibration['reason']})."
    said = compare(
        difference_from_dict(validation["difference"]),
        Wording(
            ahead="recalibration lowers the Brier score by {value} {interval}",
            behind="recalibration raises the Brier score by {value} {interval}",
            unclear="this set cannot show that recalibration lowers the Brier score "
            "({estimate} {interval} lower after it; {settle})",
        ),
        value=fmt.brier,
        units=f"validation {config.dataset.items}",
    )
    text = f"On the validation set, each text recalibrated by a fit on the other folds, {said}"
    if calibration["applied"]:
        return f"{text}, so the probabilities are recalibrated. {calibration['sentence']}"
    sentence = calibration["sentence"]
    return (
        f"{text}, so the probabilities are the model's own. For the record, "
        f"{sentence[:1].lower()}{sentence[1:]}"
    )


def _results(config: Config, metrics: dict[str, Any]) -> str:
    test = metrics["test"]
    item, items = config.dataset.item, config.dataset.items
    classes = metrics["classes"]
    binary = len(classes) == 2
    rows = [
        [
            name,
            fmt.interval(values["precision"]),
            fmt.interval(values["recall"]),
            fmt.interval(values["f1"]),
            f"{values['support']:,}",
        ]
        for name, values in test["per_class"].items()
    ]
    rows.append(
        [
            "Macro average",
            fmt.interval(test["macro"]["precision"]),
            fmt.interval(test["macro"]["recall"]),
            fmt.interval(test["macro"]["f1"]),
            f"{test['texts']:,}",
        ]
    )
    per_class = markdown_table(
        ["Class", "Precision", "Recall", "F1", f"Test {items}"],
        rows,
        align=["left", "right", "right", "right", "right"],
    )
    lead = (
        f"Held-out test set: {test['texts']:,} unique {items}, none of them an exact or near "
        f"duplicate of a training {item}; 95% bootstrap intervals in brackets. Macro-F1 "
        f"{fmt.interval(test['macro']['f1'])}, micro-F1 (here the share of {items} given their "
        f"true class) {fmt.interval(test['micro_f1'])}.{_bootstrap_note(test, items)}"
    )
    probabilities = test["probabilities"]
    definition = (
        "the mean squared gap between the probability and the outcome"
        if binary
        else "the squared gaps between the probabilities and the outcome, summed over classes"
    )
    scores = (
        f"Probabilities: Brier score {fmt.interval(probabilities['brier'], fmt.brier)} "
        f"({definition}; lower is better), ROC-AUC "
        f"{fmt.interval(probabilities['roc_auc'])}"
        + ("" if binary else " (each class against the rest, averaged)")
    )
    if binary:
        scores += f", average precision ({classes[1]}) "
        scores += fmt.interval(probabilities["average_precision"])
    scores += ". " + _calibration_text(config, metrics)
    parts = [lead, "", per_class, "", scores, "", _decision_sentence(config, metrics)]
    parts += ["", _policy_scores(metrics), "", _against_best(metrics)]
    return "\n".join(parts)


def _policy_scores(metrics: dict[str, Any]) -> str:
    classes = metrics["classes"]
    binary = len(classes) == 2
    currency = metrics["model"]["costs"]["currency"]
    headers = ["Policy", "Decision", "Macro-F1", "Micro-F1"]
    if binary:
        headers.append(f"{classes[1]} F1")
    headers.append(f"Cost per 10,000 ({currency})")
    body = []
    for row in metrics["comparison"]["policies"]:
        cells = [row["label"], row["decision"], fmt.metric(row["macro_f1"])]
        cells.append(fmt.metric(row["micro_f1"]))
        if binary:
            cells.append(fmt.metric(row["positive_f1"]))
        cells.append(fmt.per_10k(row["cost_per_10k"]))
        body.append(cells)
    table = markdown_table(headers, body, align=["left", "left"] + ["right"] * (len(headers) - 2))
    return (
        "Every policy on the same test set (point estimates; the paired comparisons of cost "
        "are under Business impact):\n\n" + table
    )


def _against_best(metrics: dict[str, Any]) -> str:
    comparison = metrics["comparison"]
    best = next(r for r in comparison["policies"] if r["policy"] == comparison["best_baseline"])
    rows = [
        [
            row["class"],
            fmt.metric(row.get("model")),
            fmt.metric(row.get("other")),
            row["verdict"],
        ]
        for row in metrics["test"]["per_class_against_best_baseline"]
    ]
    table = markdown_table(
        ["Class", "Model F1", f"{best['label']} F1", "Model minus baseline (paired 95% interval)"],
        rows,
        align=["left", "right", "right", "left"],
    )
    return (
        f"F1 of each class against the cheapest baseline, {best['phrase']}, both computed on "
        "each resample of the same test texts:\n\n" + table
    )


def _decision_sentence(config: Config, metrics: dict[str, Any]) -> str:
    decision = metrics["model"]["decision"]
    classes = metrics["classes"]
    matrix = metrics["test"]["confusion"]
    item, items = config.dataset.item, config.dataset.items
    if decision["rule"] == "threshold":
        negative, positive = classes
        return (
            f"A {item} is given {positive!r} when its score reaches "
            f"{fmt.threshold(decision['threshold'])}, the threshold of lowest expected cost on "
            f"the validation set. On the test set: {matrix[1][1]:,} {positive} found, "
            f"{matrix[1][0]:,} {positive} missed, {matrix[0][1]:,} {negative} given "
            f"{positive!r} by mistake, {matrix[0][0]:,} {negative} rightly left alone."
        )
    uniform = (
        len({v for row in metrics["model"]["costs"]["matrix"].values() for v in row.values()}) == 1
    )
    rule = (
        "every error costs the same, so this is the most probable class"
        if uniform
        else "the prices are in [costs] of config.toml"
    )
    right = sum(matrix[i][i] for i in range(len(classes)))
    return (
        f"Each {item} is given the class with the lowest expected cost ({rule}): "
        f"{right:,} of {metrics['test']['texts']:,} test {items} get their true class."
    )


def _policy_table(metrics: dict[str, Any], items: str) -> str:
    binary = len(metrics["classes"]) == 2
    currency = metrics["model"]["costs"]["currency"]
    headers = ["Policy", "Decision"]
    headers += (
        ["False positives per 10,000", "False negatives per 10,000"]
        if binary
        else ["Errors per 10,000"]
    )
    headers += [
        f"Cost per 10,000 ({currency})",
        f"The model's saving against it ({currency} per 10,000 {items}, paired 95% interval)",
    ]
    body = []
    for row in metrics["comparison"]["policies"]:
        counts = (
            [row["false_positives_per_10k"], row["false_negatives_per_10k"]]
            if binary
            else [row["errors_per_10k"]]
        )
        saving = row.get("saving")
        body.append(
            [
                row["label"],
                row["decision"],
                *(fmt.per_10k(value) for value in counts),
                fmt.per_10k(row["cost_per_10k"]),
                "" if saving is None else fmt.interval(saving, fmt.signed_per_10k),
            ]
        )
    return markdown_table(headers, body, align=["left", "left"] + ["right"] * (len(headers) - 2))


def _sentences(metrics: dict[str, Any]) -> str:
    comparison = metrics["comparison"]
    rows = [row for row in comparison["policies"] if "sentence" in row]
    best = [row for row in rows if row["policy"] == comparison["best_baseline"]]
    others = [row for row in rows if row["policy"] != comparison["best_baseline"]]
    lines = [f"- Against the cheapest baseline: {best[0]['sentence']}"]
    lines += [f"- {row['sentence']}" for row in others]
    return "\n".join(lines)


def _firmness(metrics: dict[str, Any], config: Config) -> str:
    decision = metrics["model"]["decision"]
    if decision["rule"] != "threshold":
        return ""
    currency = metrics["model"]["costs"]["currency"]
    items = config.dataset.items
    stability = decision["stability"]
    share = f"{stability['confidence']:.0%}"
    text = (
        f"How firm the threshold is: across {stability['resamples']:,} bootstrap resamples of "
        f"the validation set the cheapest threshold ranges from "
        f"{fmt.threshold(stability['low'])} to {fmt.threshold(stability['high'])} (the central "
        f"{share}); on the test set, thresholds in that range cost "
        f"{fmt.per_10k(stability['test_cost_low'])} to {fmt.per_10k(stability['test_cost_high'])}"
        f" {currency} per 10,000 {items}."
    )
    rows = [
        [
            f"{fmt.price(row['false_positive'])} {currency} ({row['label']})",
            fmt.threshold(row["threshold"]),
            fmt.per_10k(row["test_cost_per_10k"]),
            fmt.per_10k(row["configured_test_cost_per_10k"]),
        ]
        for row in decision["sensitivity"]
    ]
    table = markdown_table(
        [
            "Price of a false positive",
            "Threshold cheapest on validation",
            f"Its cost per 10,000 test {items}",
            f"The chosen {fmt.threshold(decision['threshold'])} at that price",
        ],
        rows,
        align=["left", "right", "right", "right"],
    )
    return f"{text} If a false positive's price is off by a factor of two:\n\n{table}"


def _business(config: Config, metrics: dict[str, Any]) -> str:
    costs = metrics["model"]["costs"]
    classes = metrics["classes"]
    item, items = config.dataset.item, config.dataset.items
    unit = costs["currency"]
    n = metrics["test"]["texts"]
    if len(classes) == 2:
        negative, positive = classes
        decision = metrics["model"]["decision"]
        lead = (
            f"Per 10,000 {items}, from the {n:,} of the test set, at threshold "
            f"{fmt.threshold(decision['threshold'])}. A {item} given {positive!r} is "
            f"{config.labels.action}: a false positive is a {negative} {item} "
            f"{config.labels.action} by mistake "
            f"({fmt.price(costs['matrix'][negative][positive])} {unit} each); a false negative "
            f"is a {positive} {item} missed "
            f"({fmt.price(costs['matrix'][positive][negative])} {unit} each)."
        )
    else:
        lead = (
            f"Per 10,000 {items}, from the {n:,} of the test set, each kind of error the model "
            f"makes, dearest first:\n\n"
            f"{errors_markdown(metrics['business']['errors'], unit, items)}\n\n"
            "The model against every other policy:"
        )
    parts = [lead, "", _policy_table(metrics, items), "", _sentences(metrics)]
    firmness = _firmness(metrics, config)
    if firmness:
        parts += ["", firmness]
    return "\n".join(parts)


def _subgroups(config: Config, metrics: dict[str, Any]) -> str:
    items = config.dataset.items
    classes = metrics["classes"]
    currency = metrics["model"]["costs"]["currency"]
    binary = len(classes) == 2
    smallest = config.report.min_group_size
    headers = ["Attribute", "Group", f"Test {items}"]
    if binary:
        headers += [
            f"{classes[1]} share",
            "False positives per 10,000",
            "False negatives per 10,000",
        ]
    else:
        headers += ["Accuracy", "Errors per 10,000"]
    headers += [f"Cost per 10,000 ({currency})", "Cost minus the rest's (95% interval)"]
    body = []
    for row in metrics["subgroups"]:
        group = f"{row['group']} (small)" if row["small"] else row["group"]
        cells: list[object] = [row["attribute"], group, f"{row['count']:,}"]
        if binary:
            cells += [
                fmt.share(row["positive_share"]),
                fmt.per_10k(row["false_positives_per_10k"]),
                fmt.per_10k(row["false_negatives_per_10k"]),
            ]
        else:
            cells += [fmt.metric(row["accuracy"]), fmt.per_10k(row["errors_per_10k"])]
        cells.append(fmt.per_10k(row["cost_per_10k"]))
        gap = row["gap"]
        cells.append("not compared" if gap is None else fmt.interval(gap, fmt.signed_per_10k))
        body.append(cells)
    table = markdown_table(headers, body, align=["left", "left"] + ["right"] * (len(headers) - 2))
    lead = (
        f"A group with fewer than {smallest:,} test {items} is marked (small) and compared with "
        f"nothing: its rates rest on too few {items} (`[report] min_group_size`). The last "
        "column is the group's cost per 10,000 minus that of the rest of the test set, both "
        "computed on each bootstrap resample of the whole test set, so the interval is the "
        "gap's own."
    )
    stated = [row["sentence"] for row in metrics["subgroups"] if "sentence" in row]
    shown = [s for s in stated if "cannot show" not in s]
    lines = [f"- {sentence}" for sentence in shown]
    if len(shown) < len(stated):
        lines.append(
            "- "
            + (
                "For every other group compared, this test set cannot show a difference in cost "
                "from the rest."
                if shown
                else "For every group compared, this test set cannot show a difference in cost "
                "from the rest."
            )
        )
    return "\n".join(
        [lead, "", table, *([""] + lines if lines else []), *_fairness(config, metrics)]
    )


#: How the report names fairlearn's two summaries.
_FAIRNESS_NAMES = {
    "demographic_parity": "demographic-parity difference (flagged rates)",
    "equalized_odds": (
        "equalized-odds difference (the larger of the recall and false positive rate gaps)"
    ),
}


def _fairness(config: Config, metrics: dict[str, Any]) -> list[str]:
    """The lines under the subgroup table with fairlearn's summaries, two classes only."""
    entries = metrics.get("fairness") or []
    if not entries:
        return []
    items = config.dataset.items
    per_class = entries[0]["per_class"]
    if all(entry["note"] for entry in entries):
        return [
            "",
            "fairlearn's demographic-parity and equalized-odds differences are not computed: no "
            f"attribute has two groups with {per_class:,} test {items} of each class (and "
            f"{config.report.min_group_size:,} in all), too few for a rate to mean anything.",
        ]
    lines = [
        "",
        "fairlearn's summaries per attribute, over its groups with at least "
        f"{per_class:,} test {items} of each class (and "
        f"{config.report.min_group_size:,} in all). Each is the largest "
        "gap between any two of them, a size that is never below 0, so its interval shows how "
        "large the gap could be, not whether there is one (the cost gaps above say that):",
        "",
    ]
    for entry in entries:
        if entry["note"]:
            lines.append(f"- {entry['attribute']}: not computed, {entry['note']}.")
            continue
        parts = []
        for difference in entry["differences"]:
            name = _FAIRNESS_NAMES[difference["name"]]
            if difference["low"] is None:
                parts.append(f"{name} {fmt.metric(difference['estimate'])} (no interval)")
            else:
                parts.append(f"{name} {fmt.interval(difference)}")
        lines.append(f"- {entry['attribute']}: " + "; ".join(parts) + ".")
    return lines


def _threshold(
    config: Config, evaluation: Evaluation, figures: dict[str, DrawnFigure], folder: Path
) -> str:
    metrics = evaluation.metrics
    costs = evaluation.costs
    currency = costs.currency
    items = config.dataset.items
    rows = {row["policy"]: row for row in metrics["comparison"]["policies"]}
    if evaluation.binary:
        prices = costs.error_costs()
        table = markdown_table(
            [
                "Threshold",
                "Value",
                "False positives per 10,000",
                "False negatives per 10,000",
                f"Cost per 10,000 ({currency})",
            ],
            [
                [
                    name,
                    rows[key]["decision"].removeprefix("threshold "),
                    fmt.per_10k(rows[key]["false_positives_per_10k"]),
                    fmt.per_10k(rows[key]["false_negatives_per_10k"]),
                    fmt.per_10k(rows[key]["cost_per_10k"]),
                ]
                for name, key in (("Default", "model_at_default"), ("Chosen by cost", "model"))
                if key in rows
            ],
            align=["left", "right", "right", "right", "right"],
        )
        verdict = (
            rows["model_at_default"]["sentence"]
            if "model_at_default" in rows
            else "The threshold of lowest expected cost on the validation set is the default "
            f"{fmt.threshold(DEFAULT_THRESHOLD)} itself: the two rules decide alike here."
        )
        parts = [
            f"Prices: a false positive costs {fmt.price(prices.false_positive)} {currency}, a "
            f"false negative {fmt.price(prices.false_negative)} {currency}. On the "
            f"{metrics['test']['texts']:,} test {items}, per 10,000:",
            "",
            table,
            "",
            verdict,
            "",
            _firmness(metrics, config),
        ]
        if "cost" in figures:
            cost = figures["cost"]
            parts += ["", readme_image(cost.path, cost.alt, folder), "", f"*{cost.caption}*"]
        return "\n".join(parts)
    classes = costs.classes
    off = [
        (classes[i], classes[j], float(costs.matrix[i, j]))
        for i in range(len(classes))
        for j in range(len(classes))
        if i != j
    ]
    usual = max({price for *_, price in off}, key=[price for *_, price in off].count)
    priced = [[true, given, fmt.price(price)] for true, given, price in off if price != usual]
    text = f"Every error costs {fmt.price(usual)} {currency}"
    if priced:
        # One row per priced error, not a class-by-class matrix: as narrow for 20 classes as for 3.
        table = markdown_table(
            ["True class", "Given as", f"Cost ({currency})"],
            priced,
            align=["left", "left", "right"],
        )
        text += f", except:\n\n{table}"
    else:
        text += "."
    if "model_at_default" in rows:
        text += "\n\n" + rows["model_at_default"]["sentence"]
    else:
        text += "\n\nEvery error costs the same, so the cheapest class is the most probable one."
    return text


def _sample_text(tuning: dict[str, Any], items: str) -> str:
    """Say, when it happened, that C was tuned on a sample of the training part."""
    if not tuning.get("sampled"):
        return ""
    return (
        f" The folds were cut from a seeded sample of {tuning['texts']:,} of the "
        f"{tuning['of']:,} training {items} (seed {tuning['sample_seed']}; whole near-duplicate "
        "groups, the same share of each class; `[model] tuning_texts` in config.toml), so "
        "tuning costs the same at any size; the model was then fitted on all "
        f"{tuning['of']:,} with the C chosen."
    )


def _tuning(config: Config, metrics: dict[str, Any]) -> str:
    tuning = metrics["model"]["tuning"]
    split = metrics["data"]["split"]
    items = config.dataset.items
    if not tuning["candidates"]:
        text = (
            f"C is fixed at {tuning['chosen']:g} in `[model] C` of config.toml: nothing was tuned."
        )
    else:
        rows = [
            [
                f"{candidate['C']:g}",
                f"{candidate['log_loss']:.4f}",
                f"{candidate['spread']:.4f}",
                "chosen" if candidate["C"] == tuning["chosen"] else "",
            ]
            for candidate in tuning["candidates"]
        ]
        table = markdown_table(
            ["C", "Mean held-out log loss", "Spread over folds (sd)", ""],
            rows,
            align=["right", "right", "right", "left"],
        )
        text = (
            f"C was chosen by {tuning['folds']}-fold cross-validation inside the training part "
            f"({split['train']['texts']:,} {items}; folds stratified by class and keeping "
            "near-duplicate groups whole): the candidate of lowest mean log loss on the held-out "
            "folds. Neither the validation nor the test set took part."
            f"{_sample_text(tuning, items)}\n\n{table}"
        )
    return f"{text}\n\n{_calibration_text(config, metrics)}"


def _figure_cell(figure: DrawnFigure, folder: Path) -> str:
    source = html.escape(_relative(figure.path, folder))
    return (
        f'<td width="50%" valign="top"><img src="{source}" alt="{html.escape(figure.alt)}" '
        f'width="100%"><br><sub>{html.escape(figure.caption)}</sub></td>'
    )


def _figures(figures: dict[str, DrawnFigure], folder: Path) -> str:
    shown = [figures[key] for key in _FIGURE_ORDER if key in figures]
    rows = []
    for start in range(0, len(shown), 2):
        cells = "".join(_figure_cell(figure, folder) for figure in shown[start : start + 2])
        rows.append(f"<tr>{cells}</tr>")
    return "<table>\n" + "\n".join(rows) + "\n</table>"


def result_blocks(
    config: Config, evaluation: Evaluation, folder: Path, figures: dict[str, DrawnFigure]
) -> dict[str, str]:
    """Return the result blocks' Markdown for a document in ``folder`` (links relative to it)."""
    metrics = evaluation.metrics
    return {
        "glance": _glance(config, evaluation, figures["savings"], folder),
        "results": _results(config, metrics),
        "business": _business(config, metrics),
        "subgroups": _subgroups(config, metrics),
        "figures": _figures(figures, folder),
        "threshold": _threshold(config, evaluation, figures, folder),
        "tuning": _tuning(config, metrics),
    }
