// reportgen serve: the page's behaviour, in plain JavaScript (no build step).
// Every word shown comes from the server: HTML fragments rendered by Jinja, the located
// messages of the API, and the data-* texts of #texts in index.html.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const texts = $("texts").dataset;
  let files = []; // the chosen files (one dataset); none: the server's dataset (or the sample)
  let choices = null;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : ""));
  }

  function form(extra) {
    const body = new FormData();
    for (const file of files) body.append("data", file, file.name);
    for (const [key, value] of Object.entries(extra || {})) {
      if (value !== null && value !== undefined && value !== "") body.append(key, value);
    }
    return body;
  }

  function busy(button, on) {
    button.disabled = on || button.hasAttribute("data-unavailable");
    button.setAttribute("aria-busy", on ? "true" : "false");
  }

  function focusHeading(container) {
    const heading = container.querySelector("[tabindex='-1']");
    if (heading) heading.focus();
  }

  // An error sent as JSON (the API's located messages) shown as a list.
  function showErrors(container, payload) {
    container.replaceChildren();
    const title = document.createElement("p");
    title.className = "message";
    title.setAttribute("role", "alert");
    title.textContent = texts.failed + " " + (payload.message || "");
    container.append(title);
    const list = document.createElement("ul");
    list.className = "lines";
    for (const line of payload.lines || []) {
      const item = document.createElement("li");
      item.textContent = line;
      list.append(item);
    }
    container.append(list);
  }

  // POST or GET a page fragment; the server answers HTML, or JSON for a refused request.
  async function fragment(url, container, options) {
    let response;
    try {
      response = await fetch(url, options);
    } catch (err) {
      showErrors(container, { message: texts.network, lines: [] });
      return false;
    }
    if ((response.headers.get("content-type") || "").includes("application/json")) {
      showErrors(container, await response.json());
      return false;
    }
    container.innerHTML = await response.text();
    focusHeading(container);
    return response.ok;
  }

  function option(select, value, label, selected) {
    const item = document.createElement("option");
    item.value = value;
    item.textContent = label;
    item.selected = selected;
    select.append(item);
  }

  function fillUnits() {
    const group = $("group").value;
    const unit = $("unit");
    unit.replaceChildren();
    for (const name of choices.groups[group] || []) option(unit, name, name, name === choices.unit);
    fillYears();
  }

  function fillYears() {
    const year = $("year");
    const years = choices.years[$("unit").value] || choices.all_years;
    const wanted = years.includes(choices.year) ? choices.year : years[years.length - 1];
    year.replaceChildren();
    for (const y of years) option(year, String(y), String(y), y === wanted);
  }

  function setChoices(data) {
    choices = data;
    const group = $("group");
    group.replaceChildren();
    for (const name of Object.keys(choices.groups)) option(group, name, name, name === choices.group);
    fillUnits();
    $("unit-step").hidden = false;
    $("download-step").hidden = false;
  }

  async function validate(useServer) {
    const chosen = Array.from($("data-file").files);
    if (!useServer && !chosen.length) {
      $("data-source").textContent = texts.fileNone;
      return;
    }
    files = useServer ? [] : chosen;
    if (useServer) $("data-file").value = "";
    $("unit-step").hidden = true;
    $("download-step").hidden = true;
    $("preview").replaceChildren();
    const button = useServer ? $("sample-button") : $("validate-button");
    busy(button, true);
    $("data-source").textContent = texts.busy;
    const ok = await fragment("/ui/validate", $("validation"), { method: "POST", body: form() });
    $("data-source").textContent = "";
    busy(button, false);
    const data = $("choices-data");
    if (ok && data) setChoices(JSON.parse(data.textContent));
  }

  function selection() {
    return { unit: $("unit").value, year: $("year").value };
  }

  function fileName(response, fallback) {
    const header = response.headers.get("content-disposition") || "";
    const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) return decodeURIComponent(star[1]);
    const plain = /filename="([^"]+)"/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  async function download(url, body, button, busyText, fallback) {
    const status = $("download-status");
    const errors = $("download-errors");
    errors.replaceChildren();
    busy(button, true);
    status.textContent = busyText;
    try {
      const response = await fetch(url, { method: "POST", body: body });
      if (!response.ok) {
        status.textContent = "";
        showErrors(errors, await response.json());
        return null;
      }
      const blob = await response.blob();
      const name = fileName(response, fallback);
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60000);
      status.textContent = fill(texts.downloaded, { name: name });
      return response;
    } catch (err) {
      status.textContent = "";
      showErrors(errors, { message: texts.network, lines: [] });
      return null;
    } finally {
      busy(button, false);
    }
  }

  async function batch(button) {
    const token = Array.from(crypto.getRandomValues(new Uint8Array(16)),
      (b) => b.toString(16).padStart(2, "0")).join("");
    const bar = $("batch-progress");
    bar.hidden = false;
    bar.value = 0;
    const timer = setInterval(async () => {
      try {
        const state = await (await fetch("/api/progress/" + token)).json();
        if (state.running && state.total) {
          bar.max = state.total;
          bar.value = Math.min(state.done, state.total);
          $("download-status").textContent = fill(texts.progress,
            { ...state, done: Math.min(state.done, state.total) });
        }
      } catch (err) { /* the next tick tries again */ }
    }, 1000);
    const response = await download("/api/batch",
      form({ year: $("year").value, group: $("group").value, progress: token }),
      button, texts.busyBatch, "reports.zip");
    clearInterval(timer);
    bar.hidden = true;
    const failed = response ? Number(response.headers.get("x-reportgen-failed") || 0) : 0;
    if (failed) $("download-status").textContent += " " + fill(texts.batchFailed, { failed: failed });
  }

  $("data-form").addEventListener("submit", (event) => {
    event.preventDefault();
    validate(false);
  });
  $("sample-button").addEventListener("click", () => validate(true));
  $("group").addEventListener("change", fillUnits);
  $("unit").addEventListener("change", fillYears);
  $("unit-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("preview-button");
    busy(button, true);
    $("preview-status").textContent = texts.busy;
    await fragment("/ui/preview", $("preview"), { method: "POST", body: form(selection()) });
    $("preview-status").textContent = "";
    busy(button, false);
  });
  for (const id of ["docx-button", "pdf-button"]) {
    $(id).addEventListener("click", (event) => {
      const kind = event.currentTarget.dataset.format;
      download("/api/report", form({ ...selection(), format: kind }), event.currentTarget,
        kind === "pdf" ? texts.busyPdf : texts.busyReport, "bao-cao." + kind);
    });
  }
  $("zip-button").addEventListener("click", (event) => batch(event.currentTarget));
  $("templates-button").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    busy(button, true);
    $("templates-status").textContent = texts.busy;
    await fragment("/ui/templates", $("templates-result"), { method: "GET" });
    $("templates-status").textContent = "";
    busy(button, false);
  });
})();
