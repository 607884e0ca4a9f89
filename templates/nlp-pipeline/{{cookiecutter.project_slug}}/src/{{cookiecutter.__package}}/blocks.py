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
from .costmatrix import errors_markdown, policy_markdown
from .costs import business_markdown, threshold_markdown
from .evaluate import Evaluation
from .figures import readme_image
from .plots import FIGURES
from .tables import markdown_table

__all__ = ["BLOCK_NAMES", "render_blocks"]

#: Every block this module writes, in the order a README shows them.
BLOCK_NAMES = (
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
    "duplicates",
)

_EXAMPLE_LIMIT = 100


def _interval(value: dict[str, Any]) -> str:
    if value["estimate"] is None:
        return "n/a"
    if value["low"] is None:
        return f"{value['estimate']:.3f} (too few cases for an interval)"
    return f"{value['estimate']:.3f} [{value['low']:.3f}, {value['high']:.3f}]"


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _quote(text: str) -> str:
    # Inline code keeps shorthand and symbols literal; backticks inside would end it.
    return "`" + " ".join(text.replace("`", "'").split()) + "`"


def _names(config: Config) -> tuple[str, str]:
    return config.dataset.item, config.dataset.items


def _results(config: Config, metrics: dict[str, Any]) -> str:
    test = metrics["test"]
    item, items = _names(config)
    classes = metrics["classes"]
    binary = len(classes) == 2
    currency = metrics["model"]["costs"]["currency"]
    rows = [
        [
            name,
            _interval(values["precision"]),
            _interval(values["recall"]),
            _interval(values["f1"]),
            f"{values['support']:,}",
        ]
        for name, values in test["per_class"].items()
    ]
    rows.append(
        [
            "Macro average",
            _interval(test["macro"]["precision"]),
            _interval(test["macro"]["recall"]),
            _interval(test["macro"]["f1"]),
            f"{test['texts']:,}",
        ]
    )
    per_class = markdown_table(
        ["Class", "Precision", "Recall", "F1", f"Test {items}"],
        rows,
        align=["left", "right", "right", "right", "right"],
    )
    kind = metrics["model"]["kind"]
    names = {
        "model": f"{kind} (the model)",
        "model_at_default": f"{kind}, without the cost-based decision",
        "keywords": "Keyword rule (baseline)",
        "majority": "Majority class (baseline)",
    }
    headers = ["Model", "Decision", "Macro-F1", "Micro-F1"]
    if binary:
        headers.append(f"{classes[1]} F1")
    headers.append(f"Cost per 10,000 ({currency})")
    body = []
    for name, row in metrics["comparison"].items():
        cells = [
            names.get(name, name),
            row["decision"],
            _rate(row["macro_f1"]),
            _rate(row["micro_f1"]),
        ]
        if binary:
            cells.append(_rate(row["positive_f1"]))
        cells.append(format_count(row["cost_per_10k"]))
        body.append(cells)
    comparison = markdown_table(
        headers, body, align=["left", "left"] + ["right"] * (len(headers) - 2)
    )
    lead = (
        f"Held-out test set: {test['texts']:,} unique {items}, none of them an exact or near "
        f"duplicate of a training {item}. Macro-F1 {_interval(test['macro']['f1'])}, micro-F1 "
        f"(here the share of {items} given their true class) {_interval(test['micro_f1'])}"
    )
    if binary:
        lead += f", average precision ({classes[1]}) {test['average_precision']:.3f}"
    lead += "; 95% bootstrap intervals in brackets."
    return "\n".join([lead, "", per_class, "", _decision_sentence(config, metrics), "", comparison])


def _decision_sentence(config: Config, metrics: dict[str, Any]) -> str:
    decision = metrics["model"]["decision"]
    classes = metrics["classes"]
    matrix = metrics["test"]["confusion"]
    item, items = _names(config)
    if decision["rule"] == "threshold":
        negative, positive = classes
        return (
            f"A {item} is given {positive!r} when its score reaches {decision['threshold']:.3f}, "
            f"the threshold of lowest expected cost on the validation set. On the test set: "
            f"{matrix[1][1]:,} {positive} found, {matrix[1][0]:,} {positive} missed, "
            f"{matrix[0][1]:,} {negative} given {positive!r} by mistake, {matrix[0][0]:,} "
            f"{negative} rightly left alone."
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


def _business(config: Config, metrics: dict[str, Any]) -> str:
    costs = metrics["model"]["costs"]
    business = metrics["business"]
    classes = metrics["classes"]
    item, items = _names(config)
    unit = costs["currency"]
    if len(classes) == 2:
        negative, positive = classes
        decision = metrics["model"]["decision"]
        return (
            f"Per 10,000 {items} on the test set, at threshold {decision['threshold']:.3f}. A "
            f"{item} given {positive!r} is {config.labels.action}: a false positive is a "
            f"{negative} {item} {config.labels.action} by mistake "
            f"({format_count(costs['matrix'][negative][positive])} {unit} each); a false "
            f"negative is a {positive} {item} missed "
            f"({format_count(costs['matrix'][positive][negative])} {unit} each).\n\n"
            + business_markdown(business["policies"])
        )
    return (
        f"Per 10,000 {items} on the test set, each kind of error the model makes, dearest "
        f"first:\n\n{errors_markdown(business['errors'], unit, items)}\n\n"
        + policy_markdown(business["policies"], unit, item)
    )


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


def _subgroups(config: Config, metrics: dict[str, Any]) -> str:
    _, items = _names(config)
    classes = metrics["classes"]
    currency = metrics["model"]["costs"]["currency"]
    binary = len(classes) == 2
    headers = ["Attribute", "Group", f"Test {items}"]
    if binary:
        headers += [
            f"{classes[1]} share",
            f"{classes[1]} precision",
            f"{classes[1]} recall",
            "False positives per 10,000",
            "False negatives per 10,000",
        ]
    else:
        headers += ["Accuracy", "Macro-F1", "Errors per 10,000"]
    headers.append(f"Cost per 10,000 ({currency})")
    body = []
    for row in metrics["subgroups"]:
        cells: list[object] = [row["attribute"], row["group"], f"{row['count']:,}"]
        if binary:
            cells += [
                f"{row['positive_share']:.1%}",
                _rate(row["precision"]),
                _rate(row["recall"]),
                format_count(row["false_positives_per_10k"]),
                format_count(row["false_negatives_per_10k"]),
            ]
        else:
            cells += [
                _rate(row["accuracy"]),
                _rate(row["macro_f1"]),
                format_count(row["errors_per_10k"]),
            ]
        cells.append(format_count(row["cost_per_10k"]))
        body.append(cells)
    return markdown_table(headers, body, align=["left", "left"] + ["right"] * (len(headers) - 2))


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
                f"Near-duplicate pairs (Jaccard >= {data['near_duplicate_jaccard']})",
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
        "train": "fitting",
        "validation": "the decision rule",
        "test": "the numbers reported, once",
    }
    parts = markdown_table(
        ["Part", items.capitalize(), *classes, "Used for"],
        [
            [
                name,
                f"{split[name]['texts']:,}",
                *(f"{split[name]['per_class'][c]:,}" for c in classes),
                use,
            ]
            for name, use in uses.items()
        ],
        align=["left", "right", *(["right"] * len(classes)), "left"],
    )
    text = facts + "\n\n" + parts
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


def _threshold(evaluation: Evaluation) -> str:
    metrics = evaluation.metrics
    costs = evaluation.costs
    if evaluation.binary:
        return threshold_markdown(
            evaluation.y_test,
            evaluation.probabilities[:, 1],
            costs.error_costs(),
            threshold=float(metrics["model"]["decision"]["threshold"]),
        )
    classes = list(costs.classes)
    matrix = markdown_table(
        ["True class \\ given", *classes],
        [[name, *(format_count(v) for v in costs.matrix[i])] for i, name in enumerate(classes)],
        align=["left", *(["right"] * len(classes))],
    )
    compared = metrics["comparison"]
    text = f"Cost of each error ({costs.currency}), true class by row:\n\n{matrix}"
    if "model_at_default" in compared:
        text += (
            "\n\nOn the test set, per 10,000: the most probable class costs "
            f"{format_count(compared['model_at_default']['cost_per_10k'])}, the class of lowest "
            f"expected cost {format_count(compared['model']['cost_per_10k'])}."
        )
    else:
        text += "\n\nEvery error costs the same, so the cheapest class is the most probable one."
    return text


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


def _figures(config: Config, keys: list[str], folder: Path) -> str:
    figures = config.reports_dir / "figures"
    return "\n\n".join(
        readme_image(figures / FIGURES[key][0], FIGURES[key][1], folder) for key in keys
    )


def render_blocks(
    config: Config, evaluation: Evaluation, folder: Path, figures: list[str]
) -> dict[str, str]:
    """Return every block's Markdown; links are relative to ``folder``.

    ``figures`` are the keys of the figures drawn, in the order they are shown.
    """
    metrics = evaluation.metrics
    return {
        "results": _results(config, metrics),
        "business": _business(config, metrics),
        "errors": _errors(config, metrics),
        "features": _features(metrics),
        "subgroups": _subgroups(config, metrics),
        "data": _data(config, metrics),
        "dataset": _dataset(config, metrics, folder),
        "citation": _citation(config, metrics),
        "predict": _predict(config, evaluation),
        "figures": _figures(config, figures, folder),
        "threshold": _threshold(evaluation),
        "duplicates": _duplicates(config, metrics),
    }
