// Shared helpers for the results site and the API's demo page: the embedded data, number
// formatting that matches the Python reports digit for digit, and a small DOM builder.
// No library and no network: the page works from file:// and from any static host.
"use strict";

const Portfolio = (() => {
  // The report step embeds its data in <script id="site-data" type="application/json">.
  function data() {
    const node = document.getElementById("site-data");
    return node ? JSON.parse(node.textContent) : {};
  }

  // Round to `decimals` like Python's format(x, ".Nf"): the exact binary value decides, and
  // an exact tie goes to the even digit (JavaScript's toFixed sends ties up).
  function toFixedEven(value, decimals) {
    const fixed = value.toFixed(decimals);
    const exact = Math.abs(value).toFixed(20);
    const point = exact.indexOf(".");
    const rest = exact.slice(point + 1 + decimals);
    if (!/^50*$/.test(rest)) {
      return fixed;
    }
    const truncated = exact.slice(0, point + 1 + decimals).replace(/\.$/, "");
    const lastDigit = Number(truncated[truncated.length - 1]);
    if (lastDigit % 2 === 1) {
      return fixed; // toFixed rounded away from the odd digit, to the even one
    }
    return (value < 0 ? "-" : "") + truncated;
  }

  function withThousands(text) {
    const negative = text.startsWith("-");
    const [whole, fraction] = (negative ? text.slice(1) : text).split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (negative ? "-" : "") + grouped + (fraction === undefined ? "" : `.${fraction}`);
  }

  // The rules of business.format_count: whole numbers exactly with separators; otherwise
  // about three significant figures, trailing zeros dropped; NaN is "n/a".
  function formatCount(x) {
    const value = Number(x);
    if (Number.isNaN(value)) {
      return "n/a";
    }
    if (!Number.isFinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    if (Number.isInteger(value)) {
      return withThousands(String(value));
    }
    const magnitude = Math.abs(value);
    if (magnitude >= 100) {
      return withThousands(toFixedEven(value, 0));
    }
    const decimals = magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
    let text = withThousands(toFixedEven(value, decimals));
    text = text.replace(/0+$/, "").replace(/\.$/, "");
    return text === "-0" ? "0" : text;
  }

  // el("p", {class: "x", "data-value": 3}, "text", child) builds an element.
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null) {
        node.setAttribute(name, String(value));
      }
    }
    for (const child of children) {
      if (child !== undefined && child !== null) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }

  // Show a number in `node` and keep the exact value in data-value, for readers and tests.
  function show(node, value, text) {
    node.dataset.value = String(value);
    node.textContent = text === undefined ? formatCount(value) : text;
  }

  return { data, el, formatCount, show };
})();
