// The threshold and cost explorer: drag the decision threshold, change what each error costs
// and how many cases a period brings, and see errors per 10,000, the cost per period and the
// saving against the best no-model policy, computed here from the test-set scores the report
// exported. explorer.py's explorer_point computes the same numbers in Python; a test checks
// that the two agree. A case is flagged when its score is at or above the threshold.
"use strict";

(() => {
  const root = document.getElementById("interactive");
  const data = Portfolio.data().interactive;
  if (!root || !data || data.kind !== "binary-explorer") {
    return;
  }
  const { el, formatCount, show } = Portfolio;
  const PER = 10000;

  // Scores ascending, with counts of positives and negatives strictly below each position.
  const order = data.scores.map((_, i) => i).sort((a, b) => data.scores[a] - data.scores[b]);
  const sorted = order.map((i) => data.scores[i]);
  const positivesBelow = [0];
  const negativesBelow = [0];
  for (const i of order) {
    const positive = data.labels[i] === 1;
    positivesBelow.push(positivesBelow[positivesBelow.length - 1] + (positive ? 1 : 0));
    negativesBelow.push(negativesBelow[negativesBelow.length - 1] + (positive ? 0 : 1));
  }
  const n = sorted.length;
  const positives = positivesBelow[n];
  const negatives = negativesBelow[n];

  function firstAtOrAbove(threshold) {
    let low = 0;
    let high = n;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (sorted[middle] >= threshold) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return low;
  }

  function errorsAt(threshold) {
    const cut = firstAtOrAbove(threshold);
    return {
      falsePositives: negatives - negativesBelow[cut],
      falseNegatives: positivesBelow[cut],
    };
  }

  function perPeriod(falsePositives, falseNegatives, settings) {
    const cost = falsePositives * settings.costFp + falseNegatives * settings.costFn;
    return (cost / n) * settings.cases;
  }

  // Same order and tie rule as explorer_point: the first of equally cheap policies wins.
  function bestBaseline(settings) {
    let best = null;
    for (const baseline of data.baselines) {
      const cost = perPeriod(baseline.false_positives, baseline.false_negatives, settings);
      if (best === null || cost < best.cost) {
        best = { name: baseline.name, cost };
      }
    }
    return best;
  }

  const names = data.names;
  const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);
  const currency = data.costs.currency;
  const number = (id, value, label, step) =>
    el("label", {}, label, el("input", { id, type: "number", min: 0, step, value }));

  const threshold = el("input", {
    id: "threshold",
    type: "range",
    min: 0,
    max: 1,
    step: 0.001,
    value: data.thresholds.chosen,
    "aria-label": "decision threshold",
  });
  const thresholdValue = el("output", { id: "threshold-value", for: "threshold" });
  const useChosen = el("button", { id: "use-chosen", type: "button" }, "Chosen by cost");
  const useDefault = el("button", { id: "use-default", type: "button" }, "Default 0.5");
  const outputs = {};
  for (const id of [
    "fp-per-10k",
    "fn-per-10k",
    "cost-per-period",
    "best-baseline",
    "baseline-cost",
    "saving",
  ]) {
    outputs[id] = el("strong", { id });
  }
  const verdict = el("p", { id: "verdict", class: "answer" });
  const curve = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  curve.setAttribute("id", "cost-curve");
  curve.setAttribute("viewBox", "0 0 600 220");
  curve.setAttribute("role", "img");
  curve.setAttribute("aria-label", `cost per ${data.period} at each threshold`);

  const sample = data.sampled
    ? ` (a random ${formatCount(n)} of the ${formatCount(data.cases_in_test_set)} test cases)`
    : ` (all ${formatCount(n)} test cases)`;
  root.append(
    el("h2", {}, "Explore the threshold and the costs"),
    el(
      "p",
      {},
      `Scores of the held-out test set${sample}. A case is flagged when its score is at or ` +
        "above the threshold. Change the costs to see how the best threshold and the saving move.",
    ),
    el(
      "div",
      { class: "controls" },
      el("label", {}, "Threshold ", thresholdValue, threshold, el("span", {}, useChosen, useDefault)),
      number("cost-fp", data.costs.false_positive, `Cost of a false positive (${currency})`, "any"),
      number("cost-fn", data.costs.false_negative, `Cost of a false negative (${currency})`, "any"),
      number("cases", data.cases_per_period, `${capitalised(names.case)} per ${data.period}`, 1),
    ),
    el(
      "table",
      {},
      el(
        "tbody",
        {},
        el("tr", {}, el("th", {}, `${names.negative} flagged wrongly per 10,000 ${names.case}`), el("td", { class: "number" }, outputs["fp-per-10k"])),
        el("tr", {}, el("th", {}, `${names.positive} missed per 10,000 ${names.case}`), el("td", { class: "number" }, outputs["fn-per-10k"])),
        el("tr", {}, el("th", {}, `Expected cost per ${data.period} (${currency})`), el("td", { class: "number" }, outputs["cost-per-period"])),
        el("tr", {}, el("th", {}, "Cheapest policy without the model"), el("td", { class: "number" }, outputs["best-baseline"])),
        el("tr", {}, el("th", {}, `Its cost per ${data.period} (${currency})`), el("td", { class: "number" }, outputs["baseline-cost"])),
        el("tr", {}, el("th", {}, `Saving per ${data.period} against it (${currency})`), el("td", { class: "number" }, outputs.saving)),
      ),
    ),
    verdict,
    curve,
  );

  function settings() {
    const value = (id, fallback) => {
      const parsed = Number(document.getElementById(id).value);
      return Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
    };
    return {
      threshold: Number(threshold.value),
      costFp: value("cost-fp", data.costs.false_positive),
      costFn: value("cost-fn", data.costs.false_negative),
      cases: value("cases", data.cases_per_period),
    };
  }

  function drawCurve(current) {
    const width = 600;
    const height = 220;
    const pad = 36;
    const steps = 200;
    const points = [];
    for (let k = 0; k <= steps; k += 1) {
      const t = k / steps;
      const errors = errorsAt(t);
      points.push([t, perPeriod(errors.falsePositives, errors.falseNegatives, current)]);
    }
    const top = Math.max(...points.map((p) => p[1])) || 1;
    const x = (t) => pad + t * (width - 2 * pad);
    const y = (cost) => height - pad - (cost / top) * (height - 2 * pad);
    const path = points.map(([t, cost], k) => `${k ? "L" : "M"}${x(t).toFixed(1)},${y(cost).toFixed(1)}`).join("");
    const mark = (t, label, dash, row) =>
      `<line x1="${x(t)}" x2="${x(t)}" y1="${pad / 2}" y2="${height - pad}" stroke="#59636e" stroke-dasharray="${dash}"/>` +
      `<text x="${x(t) + 3}" y="${pad / 2 + 10 + 13 * row}">${label}</text>`;
    const best = bestBaseline(current);
    curve.innerHTML =
      `<path d="${path}" fill="none" stroke="#0072b2" stroke-width="2"/>` +
      `<line x1="${pad}" x2="${width - pad}" y1="${y(best.cost)}" y2="${y(best.cost)}" stroke="#d55e00" stroke-dasharray="4 4"/>` +
      `<text x="${width - pad - 150}" y="${y(best.cost) - 4}">${best.name}</text>` +
      `<line x1="${pad}" x2="${width - pad}" y1="${height - pad}" y2="${height - pad}" stroke="#d1d9e0"/>` +
      mark(data.thresholds.default, "0.5", "2 3", 0) +
      mark(data.thresholds.chosen, "chosen", "6 3", 1) +
      mark(current.threshold, "now", "0", 2) +
      `<text x="${pad}" y="${height - 8}">threshold 0</text>` +
      `<text x="${width - pad - 60}" y="${height - 8}">threshold 1</text>` +
      `<text x="${pad}" y="${pad / 2 - 4}">cost per ${data.period}, up to ${formatCount(top)} ${currency}</text>`;
  }

  function update() {
    const current = settings();
    const errors = errorsAt(current.threshold);
    const cost = perPeriod(errors.falsePositives, errors.falseNegatives, current);
    const best = bestBaseline(current);
    const saving = best.cost - cost;
    show(thresholdValue, current.threshold, current.threshold.toFixed(3));
    show(outputs["fp-per-10k"], (errors.falsePositives / n) * PER);
    show(outputs["fn-per-10k"], (errors.falseNegatives / n) * PER);
    show(outputs["cost-per-period"], cost);
    outputs["best-baseline"].textContent = best.name;
    show(outputs["baseline-cost"], best.cost);
    show(outputs.saving, saving);
    outputs.saving.className = saving > 0 ? "better" : saving < 0 ? "worse" : "";
    verdict.textContent =
      saving > 0
        ? `At this threshold the model costs ${formatCount(saving)} ${currency} a ${data.period} less than "${best.name}" on these test cases.`
        : saving < 0
          ? `At this threshold "${best.name}" is ${formatCount(-saving)} ${currency} a ${data.period} cheaper than the model on these test cases.`
          : `At this threshold the model costs the same as "${best.name}" on these test cases.`;
    drawCurve(current);
  }

  useChosen.addEventListener("click", () => {
    threshold.value = data.thresholds.chosen;
    update();
  });
  useDefault.addEventListener("click", () => {
    threshold.value = data.thresholds.default;
    update();
  });
  for (const node of root.querySelectorAll("input")) {
    node.addEventListener("input", update);
  }
  update();
})();
