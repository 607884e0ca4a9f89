// The error browser: the test texts the model got wrong, surest first, each with the class it
// should have had, the class it was given, the probability of that class, and the features
// that pushed it there. The confusion matrix above the list filters it: click a cell to see
// the texts behind it. errorbrowser.py exports the data; every text is set with textContent,
// never parsed as HTML, since the texts are the data's own.
"use strict";

(() => {
  const root = document.getElementById("interactive");
  const interactive = Portfolio.data().interactive;
  const data = interactive && interactive.errors;
  if (!root || !data) {
    return;
  }
  const { el, formatCount, show } = Portfolio;
  const classes = data.classes;
  const listed = data.shown;

  const filterNote = el("p", { id: "error-filter", class: "note" });
  const showAll = el("button", { id: "show-all-errors", type: "button" }, "Show every listed mistake");
  const list = el("ol", { id: "error-list" });

  function cellButton(trueClass, givenClass, count) {
    const button = el(
      "button",
      {
        type: "button",
        class: "cell",
        "data-true": trueClass,
        "data-given": givenClass,
        "aria-label": `${formatCount(count)} ${trueClass} given ${givenClass}: list them`,
      },
      formatCount(count),
    );
    button.addEventListener("click", () => render(trueClass, givenClass, count));
    return button;
  }

  function confusionTable() {
    const head = el("tr", {}, el("th", { scope: "col" }, "True class \\ given"));
    for (const name of classes) {
      head.append(el("th", { scope: "col" }, name));
    }
    const body = el("tbody", {});
    data.confusion.forEach((row, i) => {
      const line = el("tr", {}, el("th", { scope: "row" }, classes[i]));
      row.forEach((count, j) => {
        const cell = i !== j && count > 0 ? cellButton(classes[i], classes[j], count) : formatCount(count);
        line.append(el("td", { class: i === j ? "number correct" : "number" }, cell));
      });
      body.append(line);
    });
    return el("table", { id: "confusion" }, el("thead", {}, head), body);
  }

  function features(record) {
    if (!data.explained) {
      return el("p", { class: "note" }, "This model reads no individual words (sentence embeddings).");
    }
    if (record.features.length === 0) {
      return el("p", { class: "note" }, "No single feature pushed it: the intercepts did.");
    }
    // site.css is shared by every template; the few rules only this list needs are inline.
    const words = el("ul", { class: "features", style: "display:flex;flex-wrap:wrap;gap:0.4rem;list-style:none;margin:0.25rem 0;padding:0" });
    for (const feature of record.features) {
      const shown = feature.kind === "char" ? `“${feature.feature}”` : feature.feature;
      const item = el("li", { class: `feature ${feature.kind}`, title: `${feature.kind} n-gram, +${feature.weight} log-odds`, style: "background:var(--tint);border:1px solid var(--line);border-radius:0.25rem;padding:0 0.4rem" }, shown);
      item.dataset.weight = String(feature.weight);
      words.append(item);
    }
    return el("div", {}, el("span", { class: "note" }, `Pushed towards ${record.given} by `), words);
  }

  function entry(record) {
    const score = el("strong", { class: "score" });
    show(score, record.score, `${formatCount(record.score * 100)}%`);
    const text = el("blockquote", { class: "text" });
    text.textContent = record.cut ? `${record.text}…` : record.text;
    return el(
      "li",
      { class: "mistake", "data-true": record.true, "data-given": record.given, "data-origin": record.origin },
      el(
        "p",
        { class: "meta" },
        el("span", { class: "true" }, record.true),
        " given ",
        el("span", { class: "given" }, record.given),
        " with probability ",
        score,
        ` (${record.origin})`,
      ),
      text,
      features(record),
    );
  }

  function render(trueClass, givenClass, count) {
    const chosen = listed.filter(
      (record) => trueClass === undefined || (record.true === trueClass && record.given === givenClass),
    );
    list.replaceChildren(...chosen.map(entry));
    if (trueClass === undefined) {
      const more = data.mistakes > listed.length ? `, the ${formatCount(listed.length)} surest listed` : "";
      filterNote.textContent = `All ${formatCount(data.mistakes)} mistakes${more}, surest first.`;
      showAll.hidden = true;
    } else {
      const more = count > chosen.length ? ` (the ${formatCount(chosen.length)} surest of ${formatCount(count)})` : "";
      filterNote.textContent = `${trueClass} given ${givenClass}: ${formatCount(chosen.length)} ${data.items}${more}, surest first.`;
      showAll.hidden = false;
    }
    filterNote.dataset.count = String(chosen.length);
  }
  showAll.addEventListener("click", () => render());

  root.append(
    el("h2", {}, "Where the model goes wrong"),
    el(
      "p",
      {},
      `The model got ${formatCount(data.mistakes)} of the ${formatCount(data.texts)} held-out test ${data.items} wrong, ` +
        `deciding by ${data.decision}. Each mistake shows its true class, the class given and how sure the model was of it, ` +
        "and the features that pushed it there, as the model reads the text (numbers, links and phone numbers " +
        "become placeholders such as xxnum). Click a count in the table to list the texts behind it.",
    ),
    confusionTable(),
    el("div", {}, filterNote, showAll),
    list,
  );
  render();
})();
