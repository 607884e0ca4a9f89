"""The report's sentences, written from paired intervals so that every word follows a number.

Two models scored on the same users share most of their luck, so whether one is ahead is a
question for their paired difference, never for two marginal intervals side by side. Every
comparison here reads a paired difference that the evaluate stage stored in metrics.json and
words it with ``claims.compare`` in one small vocabulary a reader (and a test) can check:

- "**a** is ahead of **b** by 0.034 [0.023, 0.046] NDCG@10": the whole interval is above 0;
- "**a** is behind **b** by ...": the whole interval is below 0 (sizes are shown positive);
- "these users cannot separate **a** from **b** (0.006 [-0.006, 0.017] NDCG@10; ...)": the
  interval contains 0, with how many users would settle it if the difference held.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from {{ cookiecutter.__package }} import formats
from {{ cookiecutter.__package }}.business import PER
from {{ cookiecutter.__package }}.claims import Wording, compare
from {{ cookiecutter.__package }}.config import Names
from {{ cookiecutter.__package }}.uncertainty import Difference

__all__ = [
    "BASELINES",
    "Unit",
    "bold",
    "ahead_of_random",
    "best_baseline",
    "captions",
    "difference",
    "headline",
    "summary",
    "to_difference",
    "units",
    "versus",
]

Metrics = dict[str, Any]
#: The models that are bars to clear rather than candidates: the floor and the plain default.
BASELINES = ("popularity", "random")
#: Per-user list values a summary may name a leader on, with how the sentence calls them.
LEADER_AXES = (
    ("long_tail", "gives the long tail the largest share of its slots", formats.share),
    ("novelty", "recommends the least-known {items}", lambda v: f"{formats.bits(v)} bits"),
    ("diversity", "builds the most varied lists", formats.metric),
)


@dataclass(frozen=True)
class Unit:
    """How one compared quantity is shown: a formatter for its sizes, and what it is called."""

    show: Callable[[float], str]
    name: str


def units(k: int) -> dict[str, Unit]:
    """Return the unit of every per-user value compared, by its key in metrics.json."""
    return {
        "ndcg": Unit(formats.metric, f"NDCG@{k}"),
        "precision": Unit(lambda v: formats.count(v * PER), f"hits per {PER:,} slots"),
        "long_tail": Unit(formats.points, "points of long-tail share"),
        "novelty": Unit(formats.bits, "bits of novelty"),
        "diversity": Unit(formats.metric, "of intra-list diversity"),
        "target_popularity": Unit(formats.percentile, "percentile points"),
    }


def _escape(text: str) -> str:
    """Make a configured name safe inside a ``str.format`` template (braces doubled)."""
    return text.replace("{", "{" * 2).replace("}", "}" * 2)


def to_difference(values: Mapping[str, Any]) -> Difference:
    """Rebuild a ``Difference`` from its JSON form in metrics.json."""
    return Difference(
        values["estimate"],
        values["low"],
        values["high"],
        values["confidence"],
        n=values["n"],
        share_at_or_below_zero=values["share_at_or_below_zero"],
    )


def difference(metrics: Metrics, group: str, metric: str, first: str, second: str) -> Difference:
    """Return the stored paired difference ``first - second`` of ``metric`` in ``group``."""
    return to_difference(metrics["comparisons"][group][metric][first][second])


def bold(name: str) -> str:
    """Show a model's name as the sentences do."""
    return f"**{name}**"


def versus(diff: Difference, first: str, second: str, unit: Unit, users: str) -> str:
    """Word ``first - second`` (display texts, e.g. ``bold(name)``) in the house vocabulary."""
    who, other = _escape(first), _escape(second)
    name, people = _escape(unit.name), _escape(users)
    # Plain concatenation: the placeholders {value}, {interval}... are filled by compare.
    wording = Wording(
        ahead=who + " is ahead of " + other + " by {value} {interval} " + name,
        behind=who + " is behind " + other + " by {value} {interval} " + name,
        unclear="these "
        + people
        + " cannot separate "
        + who
        + " from "
        + other
        + " ({estimate} {interval} "
        + name
        + "; {settle})",
    )
    return compare(diff, wording, value=unit.show, units=users)


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def ahead_of_random(metrics: Metrics) -> list[str]:
    """Models whose paired NDCG difference with random, on the same users, is above 0."""
    return [
        name
        for name in metrics["models"]
        if name != "random" and difference(metrics, "warm", "ndcg", name, "random").direction > 0
    ]


def best_baseline(metrics: Metrics, against: str) -> str | None:
    """Return the baseline other than ``against`` with the best test NDCG: the bar to clear."""
    models = metrics["models"]
    candidates = [name for name in BASELINES if name in models and name != against]
    if not candidates:
        return None
    return max(candidates, key=lambda name: models[name]["accuracy"]["ndcg"]["estimate"])


def _ndcg(metrics: Metrics, name: str) -> float:
    return float(metrics["models"][name]["accuracy"]["ndcg"]["estimate"])


def _against_baseline(
    metrics: Metrics, group: str, opening: str, names: Names, *, label: str = ""
) -> str:
    """End ``opening`` (the served model's NDCG) with its paired gap to the best baseline."""
    served = metrics["served"]["model" if group == "warm" else "cold_start_model"]
    baseline = best_baseline(metrics, served)
    if baseline is None:
        return opening + "."
    gap = versus(
        difference(metrics, group, "ndcg", served, baseline),
        "it",
        label + bold(baseline),
        units(metrics["k"])["ndcg"],
        names.users,
    )
    return f"{opening}, and {gap}."


def _selection(metrics: Metrics, key: str, names: Names, users: str) -> str:
    """Say which model serves a group of users, and why: validation's numbers, or the config."""
    k = metrics["k"]
    chosen = metrics["validation"]["selection"][key]
    unit = units(k)["ndcg"]
    name = chosen["name"]
    if chosen["how"] == "no cold-start users":
        why = (
            "what a product shows someone it knows little of"
            if name == "popularity"
            else f"the model that serves known {names.users}"
        )
        return (
            f"**{name}** serves cold-start {names.users}: validation had none to choose on, "
            f"and it is {why}."
        )
    best, ranked = chosen["validation_best"], chosen["ranked"]
    scored = formats.interval(chosen["ndcg"])
    if chosen["how"] == "config":
        opening = f"**{name}** serves {users}, as set in `config.toml`"
        if best == name:
            return f"{opening}; it is also the best on validation (NDCG@{k} {scored})."
        gap = versus(
            to_difference(chosen["versus"][best]), bold(name), bold(best), unit, names.users
        )
        return f"{opening}, although validation picks **{best}**: there {gap}."
    opening = (
        f"**{name}** serves {users}: chosen on the validation period, where it scores the best "
        f"NDCG@{k} ({scored})"
    )
    if len(ranked) < 2:
        return opening + "."
    runner_up = ranked[1]
    gap = versus(
        to_difference(chosen["versus"][runner_up]),
        "it",
        f"the runner-up {bold(runner_up)}",
        unit,
        names.users,
    )
    return f"{opening}; {gap}."


def _leaders(metrics: Metrics, useful: Sequence[str], names: Names) -> list[str]:
    """Name the leader on each list axis among ``useful``, against every other one, paired."""
    sentences = []
    unit = units(metrics["k"])
    warm = metrics["comparisons"]["warm"]
    for key, phrase, show in LEADER_AXES:
        if key not in warm or len(useful) < 2:
            continue
        values = {n: metrics["models"][n]["beyond_accuracy"][key]["estimate"] for n in useful}
        leader = max(useful, key=lambda n: values[n])
        others = sorted((n for n in useful if n != leader), key=lambda n: -values[n])
        unclear = [n for n in others if to_difference(warm[key][leader][n]).direction == 0]
        closest = unclear[0] if unclear else others[0]
        gap = versus(
            to_difference(warm[key][leader][closest]),
            "it",
            bold(closest) if unclear else f"the runner-up {bold(closest)}",
            unit[key],
            names.users,
        )
        sentence = f"**{leader}** {phrase.format(items=names.items)} ({show(values[leader])})"
        if unclear:
            rest = [bold(n) for n in unclear if n != closest]
            also = f"; nor from {' or '.join(rest)}" if rest else ""
            sentences.append(f"{sentence}, but {gap}{also}.")
        else:
            sentences.append(f"{sentence}: {gap}.")
    return sentences


def _cold_start(metrics: Metrics, names: Names) -> list[str]:
    """Who serves new users, how they do against the baseline, and what cold start costs."""
    if not metrics["cold_start_users"]:
        return []
    k, known = metrics["k"], metrics["cold_start_known"]
    unit = units(k)
    served = metrics["served"]["cold_start_model"]
    who = f"cold-start {names.users}"
    sentences = [_selection(metrics, "cold_start_model", names, who)]
    cold = metrics["models"][served]["cold_start"]
    opening = (
        f"On the test period, its NDCG@{k} for the {metrics['cold_start_users']:,} {who}, "
        f"given only their first {known} interactions, is {formats.interval(cold['ndcg'])}"
    )
    sentences.append(_against_baseline(metrics, "cold_start", opening, names))
    cost = cold["cost"]
    if cost is not None:
        gap = versus(
            to_difference(cost["difference"]),
            f"{bold(served)} given their whole history",
            f"itself given their first {known} interactions",
            unit["ndcg"],
            names.users,
        )
        sentences.append(
            f"For the {cost['users']:,} of them with a longer history, on the same targets, {gap}."
        )
    targets = metrics["targets"]
    if targets.get("difference"):
        people = _escape(names.users)
        consequence = (
            ", so the two groups' NDCG measure different tasks: compare models within a "
            "group, not the groups"
        )
        gap = compare(
            to_difference(targets["difference"]),
            Wording(
                ahead="their targets are more popular than those of known "
                + people
                + " by {value} {interval} percentile points"
                + consequence,
                behind="their targets are less popular than those of known "
                + people
                + " by {value} {interval} percentile points"
                + consequence,
                unclear="these " + people + " cannot separate the popularity of their "
                "targets from those of known "
                + people
                + " ({estimate} {interval} percentile points; {settle})",
            ),
            value=formats.percentile,
            units=names.users,
        )
        sentences.append(_capital(gap) + ".")
    return sentences


def _costs(metrics: Metrics, user: str) -> str:
    # Random is the floor, not a contender: it is trivially the cheapest to train and store.
    models = {n: r for n, r in metrics["models"].items() if n != "random"} or metrics["models"]

    def least(read: Callable[[Metrics], float]) -> tuple[str, float]:
        name = min(models, key=lambda n: read(models[n]))
        return name, read(models[name])

    serve, serve_us = least(lambda r: r["beyond_accuracy"]["batch_microseconds_per_user"])
    fit, fit_s = least(lambda r: r["training"]["fit_seconds"])
    small, small_b = least(lambda r: r["training"]["size_bytes"])
    return (
        f"Measured once on this machine: **{serve}** is fastest to serve "
        f"({formats.measured(serve_us)} µs per {user} in a batch), **{fit}** fastest to train "
        f"({formats.measured(fit_s * 1000)} ms) and **{small}** smallest "
        f"({formats.size(small_b)})."
    )


def summary(metrics: Metrics, names: Names) -> str:
    """Write the paragraphs saying who wins on what, each comparison from its paired interval.

    Known users first (who serves them and why, against the best baseline and the others),
    then what the lists do beyond accuracy, then cold start, then what it all costs.
    """
    models, k = metrics["models"], metrics["k"]
    unit = units(k)
    served = metrics["served"]["model"]
    sentences = [_selection(metrics, "model", names, f"known {names.users}")]
    scored = formats.interval(models[served]["accuracy"]["ndcg"])
    opening = (
        f"On the test period, its NDCG@{k} is {scored} over {metrics['warm_users']:,} {names.users}"
    )
    sentences.append(_against_baseline(metrics, "warm", opening, names, label="the best baseline "))
    top = max(models, key=lambda n: _ndcg(metrics, n))
    if top != served:
        gap = versus(
            difference(metrics, "warm", "ndcg", top, served),
            bold(top),
            bold(served),
            unit["ndcg"],
            names.users,
        )
        sentences.append(
            f"The highest test NDCG@{k} is **{top}**'s "
            f"({formats.interval(models[top]['accuracy']['ndcg'])}): {gap}."
        )
    beating = ahead_of_random(metrics)
    others = [name for name in models if name != "random"]
    if "random" in models and others:
        listing = f" ({', '.join(beating)})" if beating else ""
        tail = "." if beating else ": this data may hold no signal these models can use."
        sentences.append(
            f"{len(beating)} of the {len(others)} models other than random are ahead of random on "
            f"the same {names.users}, by their paired NDCG@{k}{listing}{tail}"
        )
    lists = _leaders(metrics, beating, names)
    if models.get("content", {}).get("fallback"):
        lists.append(
            "With no item features to use, **content** falls back to popularity: its lists, "
            "and so its numbers, are popularity's."
        )
    paragraphs = [sentences, lists, _cold_start(metrics, names), [_costs(metrics, names.user)]]
    return "\n\n".join(" ".join(paragraph) for paragraph in paragraphs if paragraph)


def _item(
    key: str, label: str, diff: Difference, unit: Unit, scale: float, text: str
) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "estimate": diff.estimate * scale,
        "low": diff.low * scale,
        "high": diff.high * scale,
        "confidence": diff.confidence,
        "unit": unit.name,
        "conclusive": diff.conclusive,
        "text": text,
    }


def headline(metrics: Metrics, names: Names, figure: str, caption: str) -> dict[str, Any]:
    """Build the ``headline`` of CONTRACTS.md §1: the served model against the best baseline.

    Its texts are plain sentences, no Markdown: the site shows them as HTML-escaped text, the
    README and the showcase as Markdown, and a plain sentence reads the same in all three.
    """
    k = metrics["k"]
    unit = units(k)
    served = metrics["served"]["model"]
    baseline = best_baseline(metrics, served)
    items: list[dict[str, Any]] = []
    if baseline is None:
        ndcg = metrics["models"][served]["accuracy"]["ndcg"]
        items.append(
            {
                "key": "ndcg",
                "label": f"NDCG@{k} of the served model",
                **{field: ndcg[field] for field in ("estimate", "low", "high", "confidence")},
                "unit": unit["ndcg"].name,
                "conclusive": None,
                "text": f"{served} scores NDCG@{k} {formats.interval(ndcg)}; enable "
                "popularity to have a baseline to beat.",
            }
        )
    else:
        models = metrics["models"]

        def sentence(metric: str, lead: str = "") -> tuple[Difference, str]:
            diff = difference(metrics, "warm", metric, served, baseline)
            gap = versus(diff, served, baseline, unit[metric], names.users)
            # "these users cannot separate..." opens with a capital; a model's name never
            # changes case, it is an identifier.
            opening = gap if diff.conclusive or lead else _capital(gap)
            return diff, lead + opening + "."

        diff, text = sentence("ndcg")
        items.append(
            _item(
                "ndcg_vs_baseline",
                f"NDCG@{k} against {baseline}",
                diff,
                unit["ndcg"],
                1.0,
                text,
            )
        )
        diff, text = sentence("precision")
        items.append(
            _item(
                "hits_per_10000_slots",
                f"Hits per {PER:,} slots against {baseline}",
                diff,
                unit["precision"],
                float(PER),
                text,
            )
        )
        shares = {
            n: models[n]["beyond_accuracy"]["long_tail"]["estimate"] for n in (served, baseline)
        }
        lead = (
            f"{served} gives {formats.share(shares[served])} of its slots to the long tail "
            f"(the 80% of {names.items} outside the most popular fifth), {baseline} "
            f"{formats.share(shares[baseline])}: "
        )
        diff, text = sentence("long_tail", lead)
        items.append(
            _item(
                "long_tail_share",
                f"Long-tail share of slots against {baseline}",
                diff,
                unit["long_tail"],
                100.0,
                text,
            )
        )
    return {
        "schema": 1,
        "baseline": baseline,
        "items": items,
        "figure": figure,
        "figure_caption": caption,
    }


def captions(metrics: Metrics, names: Names) -> dict[str, str]:
    """Write a one-line takeaway per figure from the numbers the figure shows."""
    models, k = metrics["models"], metrics["k"]
    served = metrics["served"]["model"]
    beyond = {name: result["beyond_accuracy"] for name, result in models.items()}
    ndcg = {name: _ndcg(metrics, name) for name in models}
    # Random is the floor, not a contender: its lists are novel and slow to draw by design.
    contenders = [n for n in models if n != "random"] or list(models)
    novel = max(contenders, key=lambda n: beyond[n]["novelty"]["estimate"])
    latency = {n: beyond[n]["batch_microseconds_per_user"] for n in contenders}
    fastest, slowest = min(contenders, key=latency.get), max(contenders, key=latency.get)
    lorenz = models[served]["exposure_lorenz"]
    # The Lorenz curve runs from the least recommended items: 80% of it is where the top 20% start.
    served_head = 1.0 - lorenz[round(0.8 * (len(lorenz) - 1))]
    texts = {
        "accuracy_long_tail": (
            "; ".join(
                f"{n}{' (served)' if n == served else ''}: NDCG@{k} {formats.metric(ndcg[n])} "
                f"with {formats.share(beyond[n]['long_tail']['estimate'])} of its slots in the "
                "long tail"
                for n in dict.fromkeys((served, *BASELINES[:1]))
                if n in models
            )
            + "."
        ),
        "accuracy_novelty": (
            f"{novel} recommends the least-known {names.items} "
            f"({formats.bits(beyond[novel]['novelty']['estimate'])} bits) at NDCG@{k} "
            f"{formats.metric(ndcg[novel])}; {served}, served: "
            f"{formats.bits(beyond[served]['novelty']['estimate'])} bits."
        ),
        "accuracy_latency": (
            f"Scoring a batch costs from {formats.measured(latency[fastest])} µs per "
            f"{names.user} ({fastest}) to {formats.measured(latency[slowest])} µs ({slowest})."
        ),
        "exposure": (
            f"{served} gives {formats.share(served_head)} of its slots to the 20% of {names.items} "
            f"it recommends most (Gini {formats.metric(beyond[served]['gini'])})."
        ),
    }
    cold_model = metrics["served"]["cold_start_model"]
    cold = models[cold_model]["cold_start"]
    if cold is not None and cold["cost"] is not None:
        gap = versus(
            to_difference(cold["cost"]["difference"]),
            f"{cold_model} given the whole history",
            f"the first {metrics['cold_start_known']} interactions",
            units(k)["ndcg"],
            names.users,
        ).replace("**", "")
        texts["cold_start"] = f"Same {cold['cost']['users']:,} {names.users}, same targets: {gap}."
    elif cold is not None:
        texts["cold_start"] = (
            f"{cold_model} scores NDCG@{k} {formats.metric(cold['ndcg']['estimate'])} for "
            f"cold-start {names.users}, given their first {metrics['cold_start_known']} "
            "interactions."
        )
    return texts
