// The demo page's "Try the model" form, built from the API's own OpenAPI schema: one field
// per path, query and body parameter of the operation named in data-operation, with the
// schema's bounds, choices and example values; the answer is shown in words and in full.
"use strict";

(() => {
  const section = document.getElementById("try");
  if (!section) {
    return;
  }
  const [method, path] = section.dataset.operation.split(" ");
  const wordsNode = document.getElementById("demo-words");
  const words = wordsNode ? JSON.parse(wordsNode.textContent) : {};
  const el = Portfolio.el;

  function resolve(spec, schema) {
    let node = schema || {};
    while (node.$ref) {
      node = node.$ref
        .replace(/^#\//, "")
        .split("/")
        .reduce((part, key) => part[key], spec);
    }
    return node;
  }

  // FastAPI writes an optional field as anyOf [its type, null]: keep the type, note the null.
  function unwrap(spec, schema) {
    const node = resolve(spec, schema);
    const variants = node.anyOf || node.oneOf;
    if (!variants) {
      return { type: node, nullable: false };
    }
    const kept = variants.map((v) => resolve(spec, v)).filter((v) => v.type !== "null");
    return { type: Object.assign({}, kept[0] || {}), nullable: kept.length < variants.length };
  }

  function example(schema, parameter) {
    const lists = [schema.examples, parameter && parameter.schema && parameter.schema.examples];
    for (const list of lists) {
      if (Array.isArray(list) && list.length) {
        return list[0];
      }
    }
    if (parameter && parameter.example !== undefined) {
      return parameter.example;
    }
    return schema.default;
  }

  function input(field) {
    const { name, type, nullable, value } = field;
    const id = `field-${name}`;
    let control;
    if (Array.isArray(type.enum)) {
      control = el("select", { id, name });
      if (nullable) {
        control.append(el("option", { value: "" }, "(unknown)"));
      }
      for (const choice of type.enum) {
        const option = el("option", { value: String(choice) }, String(choice));
        option.selected = String(choice) === String(value);
        control.append(option);
      }
    } else if (type.type === "boolean") {
      control = el("input", { id, name, type: "checkbox" });
      control.checked = Boolean(value);
    } else if (type.type === "number" || type.type === "integer") {
      control = el("input", {
        id,
        name,
        type: "number",
        step: type.type === "integer" ? "1" : "any",
        min: type.minimum,
        max: type.maximum,
      });
      control.value = value === undefined || value === null ? "" : String(value);
    } else {
      control = el("input", { id, name, type: "text" });
      control.value = Array.isArray(value) ? value.join(", ") : value == null ? "" : String(value);
    }
    const hint = field.description ? el("small", {}, field.description) : null;
    return el("label", { for: id }, el("span", {}, field.title || name), control, hint);
  }

  function read(field, form) {
    const control = form.elements.namedItem(field.name);
    if (field.type.type === "boolean") {
      return control.checked;
    }
    const text = control.value.trim();
    if (text === "") {
      return field.nullable ? null : undefined;
    }
    if (field.type.type === "number" || field.type.type === "integer") {
      return Number(text);
    }
    if (field.type.type === "array") {
      return text.split(",").map((part) => part.trim()).filter(Boolean);
    }
    return text;
  }

  function fieldsOf(spec, operation) {
    const fields = [];
    for (const parameter of operation.parameters || []) {
      const { type, nullable } = unwrap(spec, parameter.schema);
      fields.push({
        name: parameter.name,
        where: parameter.in,
        title: parameter.name.replace(/_/g, " "),
        description: parameter.description || type.description,
        type,
        nullable,
        value: example(type, parameter),
      });
    }
    const content = operation.requestBody && operation.requestBody.content;
    const body = content && content["application/json"];
    if (body) {
      const schema = resolve(spec, body.schema);
      for (const [name, property] of Object.entries(schema.properties || {})) {
        const { type, nullable } = unwrap(spec, property);
        fields.push({
          name,
          where: "body",
          title: property.title,
          description: property.description,
          type,
          nullable,
          value: example(property) ?? example(type),
        });
      }
    }
    return fields;
  }

  function request(fields, form) {
    let url = path;
    const query = new URLSearchParams();
    const body = {};
    for (const field of fields) {
      const value = read(field, form);
      if (field.where === "path") {
        url = url.replace(`{${field.name}}`, encodeURIComponent(value ?? ""));
      } else if (field.where === "query" && value !== undefined && value !== null) {
        for (const item of Array.isArray(value) ? value : [value]) {
          query.append(field.name, String(item));
        }
      } else if (field.where === "body" && value !== undefined) {
        body[field.name] = value;
      }
    }
    const search = query.toString();
    const options = { method, headers: { Accept: "application/json" } };
    if (fields.some((field) => field.where === "body")) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url.replace(/^\//, "") + (search ? `?${search}` : ""), options);
  }

  function scalar(value) {
    if (typeof value === "number") {
      return Number.isInteger(value) ? Portfolio.formatCount(value) : value.toFixed(3);
    }
    return typeof value === "boolean" ? (value ? "yes" : "no") : String(value);
  }

  function sentence(answer) {
    if (!("probability" in answer && "decision" in answer && words.positive)) {
      return null;
    }
    const decided = answer.decision ? words.positive : words.negative || `non-${words.positive}`;
    const node = el("p", { id: "decision", "data-decision": String(answer.decision) });
    node.append(
      `Chance this record is one of the ${words.positive}: `,
      el("strong", { "data-value": answer.probability }, answer.probability.toFixed(3)),
      `. At the business threshold ${answer.threshold.toFixed(3)} it counts as one of the `,
      el("strong", {}, decided),
      ".",
    );
    return node;
  }

  function table(rows) {
    const columns = Object.keys(rows[0] || {});
    const head = el("tr", {}, ...columns.map((column) => el("th", {}, column)));
    const body = rows.map((row) =>
      el("tr", {}, ...columns.map((column) => el("td", { "data-key": column }, scalar(row[column])))),
    );
    return el("table", { id: "answer-list" }, el("thead", {}, head), el("tbody", {}, ...body));
  }

  function show(answer, box) {
    const parts = [sentence(answer)];
    const facts = el("dl", { id: "answer-fields" });
    for (const [key, value] of Object.entries(answer)) {
      if (Array.isArray(value) && value.length && typeof value[0] === "object") {
        parts.push(table(value));
      } else if (value === null || typeof value !== "object") {
        facts.append(el("dt", {}, key), el("dd", { "data-key": key }, value === null ? "n/a" : scalar(value)));
      }
    }
    box.replaceChildren(...parts.filter(Boolean), facts);
  }

  function problem(status, answer, box) {
    const detail = answer && answer.detail;
    const lines = Array.isArray(detail)
      ? detail.map((item) => `${(item.loc || []).slice(1).join(".")}: ${item.msg}`)
      : [String(detail || "no detail")];
    box.replaceChildren(
      el("p", { class: "error", id: "answer-error", "data-status": status }, `The API answered ${status}.`),
      el("ul", {}, ...lines.map((line) => el("li", {}, line))),
    );
  }

  fetch("openapi.json")
    .then((response) => response.json())
    .then((spec) => {
      const operation = spec.paths[path][method.toLowerCase()];
      const fields = fieldsOf(spec, operation);
      const form = el("form", { id: "try-form", novalidate: "" }, ...fields.map(input));
      const box = el("div", { id: "answer", "aria-live": "polite" });
      form.append(el("button", { type: "submit" }, operation.summary || "Send"));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        box.setAttribute("aria-busy", "true");
        request(fields, form)
          .then((response) =>
            response.json().then(
              (answer) => ({ response, answer }),
              () => ({ response, answer: null }),
            ),
          )
          .then(({ response, answer }) => {
            if (response.ok) {
              show(answer, box);
            } else {
              problem(response.status, answer, box);
            }
          })
          .catch((error) => problem("nothing", { detail: String(error) }, box))
          .finally(() => box.removeAttribute("aria-busy"));
      });
      section.append(form, box);
    });
})();
