// The rule builder: a live count of the customers a rule selects, and suggestions of fields
// and of their common values while typing. The form works without it (the "Count" button).
"use strict";

(function () {
  const DELAY = 350;
  const SHOWN = 8;
  const OPERATOR = /([A-Za-z_][A-Za-z0-9_]*)\s*(?:=|==|!=|<>|≠|\bcontains\b|\bchứa\b|\bin\b\s*[[(](?:[^\])]*,)?)\s*$/iu;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();
  }

  function setUp(form) {
    const rule = form.querySelector("#segments-rule");
    const status = form.querySelector("#segments-count");
    const list = form.querySelector("#segments-suggest");
    if (!rule || !status || !list) return;
    const lang = document.documentElement.lang || "vi";
    let fields = [];
    let options = [];
    let active = -1;
    let timer = null;
    let asked = 0;

    chandungApi("GET", "/api/v1/segments/fields?lang=" + encodeURIComponent(lang))
      .then((data) => { fields = data.fields || []; })
      .catch(() => { fields = []; });

    // --- live count ---------------------------------------------------------------------
    async function count() {
      const text = rule.value.trim();
      const ticket = ++asked;
      if (!text) {
        status.textContent = "";
        status.classList.remove("segments-count-error");
        return;
      }
      status.textContent = status.dataset.counting || "";
      try {
        const data = await chandungApi(
          "POST", "/api/v1/segments/count?lang=" + encodeURIComponent(lang), { rule: text });
        if (ticket !== asked) return;
        status.textContent = data.text;
        status.classList.remove("segments-count-error");
      } catch (error) {
        if (ticket !== asked) return;
        status.textContent = error.message;
        status.classList.add("segments-count-error");
      }
    }

    function later() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(count, DELAY);
    }

    // --- suggestions --------------------------------------------------------------------
    // What is being typed at the caret: a field name, or a value of the field before an
    // operator (quoted or not).
    function context() {
      const before = rule.value.slice(0, rule.selectionStart);
      const quoted = before.match(/["“']([^"”']*)$/u);
      if (quoted) {
        const head = before.slice(0, before.length - quoted[0].length);
        const op = head.match(OPERATOR);
        if (op) return { kind: "value", field: op[1], prefix: quoted[1], quoted: true };
        return null;
      }
      const word = before.match(/[\p{L}\p{N}_]*$/u)[0];
      const head = before.slice(0, before.length - word.length);
      const op = head.match(OPERATOR);
      if (op) return { kind: "value", field: op[1], prefix: word, quoted: false };
      if (!word) return null;
      return { kind: "field", prefix: word };
    }

    function candidates(ctx) {
      const wanted = fold(ctx.prefix);
      if (ctx.kind === "field") {
        return fields
          .filter((f) => fold(f.name).startsWith(wanted) || fold(f.label).includes(wanted))
          .slice(0, SHOWN)
          .map((f) => ({ insert: f.name + " ", text: f.name, note: f.label + " · " + (f.type_label || f.type) }));
      }
      const field = fields.find((f) => f.name.toLowerCase() === ctx.field.toLowerCase());
      if (!field) return [];
      // A coded value is offered by its name (the code is what goes into the rule).
      const names = field.level_labels || {};
      let values = Array.from(new Set([...(field.levels || []), ...Object.keys(names)]));
      if (field.type === "boolean") values = ["true", "false"];
      return values
        .filter((v) => fold(v).startsWith(wanted) || (names[v] && fold(names[v]).includes(wanted)))
        .slice(0, SHOWN)
        .map((v) => ({
          insert: ctx.quoted ? v + "\" " : "\"" + v + "\" ",
          text: names[v] || v,
          note: names[v] ? v + " · " + field.label : field.label,
        }));
    }

    function close() {
      list.hidden = true;
      list.replaceChildren();
      options = [];
      active = -1;
      rule.setAttribute("aria-expanded", "false");
      rule.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.from(list.children).forEach((item, i) => {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) rule.setAttribute("aria-activedescendant", list.children[index].id);
      else rule.removeAttribute("aria-activedescendant");
    }

    function accept(index) {
      const ctx = context();
      const choice = options[index];
      if (!ctx || !choice) return;
      const end = rule.selectionStart;
      const start = end - ctx.prefix.length;
      rule.value = rule.value.slice(0, start) + choice.insert + rule.value.slice(end);
      const caret = start + choice.insert.length;
      rule.setSelectionRange(caret, caret);
      close();
      rule.focus();
      later();
    }

    function suggest() {
      const ctx = context();
      options = ctx ? candidates(ctx) : [];
      if (!options.length) { close(); return; }
      list.replaceChildren(...options.map((option, i) => {
        const item = document.createElement("li");
        item.id = "segments-suggest-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        const name = document.createElement("code");
        name.textContent = option.text;
        const note = document.createElement("span");
        note.className = "muted";
        note.textContent = " — " + option.note;
        item.append(name, note);
        item.addEventListener("mousedown", (event) => { event.preventDefault(); accept(i); });
        return item;
      }));
      list.hidden = false;
      rule.setAttribute("aria-expanded", "true");
      highlight(-1);
    }

    rule.addEventListener("input", () => { suggest(); later(); });
    rule.addEventListener("click", suggest);
    rule.addEventListener("blur", () => setTimeout(close, 150));
    rule.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % options.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        accept(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    if (rule.value.trim() && !status.textContent.trim()) later();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-segments-builder]").forEach(setUp);
  });
})();
