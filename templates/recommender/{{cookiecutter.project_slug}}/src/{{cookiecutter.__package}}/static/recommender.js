// Pick a user and see every model's list side by side, with the metrics that trade off
// (accuracy, coverage, novelty, long tail) and the served cold-start model's answer for users
// no model saw. Everything comes from the lists the report exported (userlists.py): the
// lists are the ones the test evaluation judged, and a tick marks an item the user went on
// to choose in the test period, held out from every model. Names and titles come from the
// data, so they are set with textContent only.
"use strict";

(() => {
  const root = document.getElementById("interactive");
  const data = Portfolio.data().interactive;
  if (!root || !data || data.kind !== "recommender") {
    return;
  }
  const { el, formatCount, show } = Portfolio;
  const names = data.names;
  const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);
  const itemAt = (ref) => ({ id: data.items[ref][0], title: data.items[ref][1] });

  // Layout only; site.css has the page's look. Text content, never user data.
  const style = document.createElement("style");
  style.textContent =
    ".rec-models{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr))}" +
    ".rec-model{background:var(--tint);border:1px solid var(--line);border-radius:.5rem;" +
    "padding:.75rem}.rec-model h4{margin:0}.rec-model.rec-served{border-color:var(--accent)}" +
    ".rec-metrics{display:grid;grid-template-columns:auto auto;gap:0 .5rem;font-size:.85rem;" +
    "max-width:24rem}.rec-metrics dd{margin:0;text-align:right}" +
    ".rec-list{padding-left:2rem;font-size:.9rem}" +
    ".rec-hit{color:var(--good);font-weight:600}.rec-controls{display:flex;gap:.5rem;" +
    "align-items:center;flex-wrap:wrap}";
  document.head.append(style);

  function metricList(metrics) {
    const list = el("dl", { class: "rec-metrics" });
    for (const metric of metrics) {
      const value = el("span", { class: "rec-metric", "data-key": metric.key });
      show(value, metric.estimate, formatCount(metric.estimate * metric.scale) + metric.unit);
      const shown = el("dd", {}, value);
      if (metric.low !== null && metric.high !== null) {
        const interval = el("span", {
          class: "interval",
          "data-low": metric.low,
          "data-high": metric.high,
        });
        interval.textContent =
          ` [${formatCount(metric.low * metric.scale)}, ` +
          `${formatCount(metric.high * metric.scale)}]`;
        shown.append(interval);
      }
      list.append(el("dt", {}, metric.label), shown);
    }
    return list;
  }

  // A ranked list of items; those at the ranks in `hits` were chosen later and get a tick.
  function rankedList(refs, hits, id) {
    const chosen = new Set(hits);
    const list = el("ol", { class: "rec-list", id });
    refs.forEach((ref, rank) => {
      const item = itemAt(ref);
      const hit = chosen.has(rank);
      const entry = el("li", { "data-item": item.id, "data-hit": hit ? "true" : "false" });
      if (hit) {
        entry.append(el("span", { class: "rec-hit", title: "chosen later" }, "✓ "));
      }
      entry.append(el("span", { class: "rec-title" }, item.title));
      list.append(entry);
    });
    return list;
  }

  function hitCount(hits, length, id) {
    const node = el("p", { class: "note rec-hits", id });
    show(node, hits.length, `${formatCount(hits.length)} of ${formatCount(length)} chosen later`);
    return node;
  }

  function options(select, users) {
    for (const user of users) {
      select.append(el("option", { value: user.id }, `${user.id} (${user.held_out} held out)`));
    }
  }

  // Known users: the picker, the recent history, and one column per model.
  const userSelect = el("select", { id: "rec-user" });
  options(userSelect, data.users);
  const randomButton = el("button", { id: "rec-random", type: "button" }, "Another at random");
  const history = el("div", { id: "rec-history" });
  const columns = el("div", { class: "rec-models", id: "rec-models" });

  function drawUser(user) {
    history.replaceChildren(
      el(
        "p",
        { class: "note" },
        `Most recent of ${formatCount(user.history_count)} ${names.items} this ${names.user} ` +
          `${names.interacted} before the test period (what every model was given):`,
      ),
      rankedList(user.history, [], "rec-history-list"),
    );
    columns.replaceChildren(
      ...data.models.map((model) => {
        const served = model.name === data.served.model;
        const column = el("section", {
          class: served ? "rec-model rec-served" : "rec-model",
          "data-model": model.name,
        });
        column.append(
          el("h4", {}, model.name + (served ? " (served)" : "")),
          el("p", { class: "note" }, model.description),
          metricList(model.metrics),
          hitCount(user.hits[model.name], user.lists[model.name].length, `rec-hits-${model.name}`),
          rankedList(user.lists[model.name], user.hits[model.name], `rec-list-${model.name}`),
        );
        return column;
      }),
    );
  }

  function selectUser(id) {
    const user = data.users.find((candidate) => candidate.id === id);
    if (user) {
      userSelect.value = user.id;
      drawUser(user);
    }
  }

  userSelect.addEventListener("change", () => selectUser(userSelect.value));
  randomButton.addEventListener("click", () => {
    const user = data.users[Math.floor(Math.random() * data.users.length)];
    selectUser(user.id);
  });

  root.append(
    el("h2", {}, `Each model's top ${data.k} for one ${names.user}`),
    el(
      "p",
      { class: "note" },
      `${formatCount(data.sample.users)} of the ${formatCount(data.sample.of)} ${names.users} ` +
        `judged on the test period (a seeded sample). Each list is the one the test ` +
        `evaluation judged; ✓ marks a ${names.item} the ${names.user} went on to choose, ` +
        `held out from every model. Beside each list, the model's results over all ` +
        `${names.users}, with ${formatCount(data.confidence * 100)}% intervals.`,
    ),
    el(
      "div",
      { class: "rec-controls" },
      el("label", { for: "rec-user" }, capitalised(names.user)),
      userSelect,
      randomButton,
    ),
    history,
    columns,
  );
  if (data.users.length) {
    selectUser(data.users[0].id);
  } else {
    columns.append(el("p", { class: "note" }, `No ${names.users} were judged on the test period.`));
  }

  // Cold start: what the served cold-start model answers from a few first interactions.
  const cold = data.cold_start;
  const coldPart = el("div", { id: "rec-cold-start" });
  root.append(el("h3", {}, `Cold start: ${names.users} no model saw`), coldPart);
  if (!cold || !cold.users.length) {
    coldPart.append(el("p", { class: "note" }, `No cold-start ${names.users} in this run.`));
    return;
  }
  const coldSelect = el("select", { id: "rec-cold-user" });
  options(coldSelect, cold.users);
  const coldAnswer = el("div", { id: "rec-cold-answer" });

  function drawCold(user) {
    coldAnswer.replaceChildren(
      el("p", { class: "note" }, `Given only their first ${formatCount(user.given.length)}:`),
      rankedList(user.given, [], "rec-cold-given"),
      el("p", { class: "note" }, `'${cold.model}' recommends:`),
      hitCount(user.hits, user.list.length, "rec-cold-hits"),
      rankedList(user.list, user.hits, "rec-cold-list"),
    );
  }

  coldSelect.addEventListener("change", () => {
    const user = cold.users.find((candidate) => candidate.id === coldSelect.value);
    if (user) {
      drawCold(user);
    }
  });
  coldPart.append(
    el(
      "p",
      { class: "note" },
      `The served cold-start model, '${cold.model}', over all ${formatCount(cold.users_judged)} ` +
        `cold-start ${names.users}, each given their first ${cold.known} interactions:`,
    ),
    el("div", { id: "rec-cold-metrics" }, metricList(cold.metrics)),
    el(
      "div",
      { class: "rec-controls" },
      el("label", { for: "rec-cold-user" }, `Cold-start ${names.user}`),
      coldSelect,
    ),
    coldAnswer,
  );
  drawCold(cold.users[0]);
})();
