// Splice entry built for a 12- or 24-fiber tray: one closure header (with the splicer used),
// then a compact row per fiber with consecutive numbers, colours shown, its attempt, live
// average and verdict, "copy previous row"; the closure's OTDR traces below the rows fill them.
import * as closureTraces from "./closuretraces.js";
import * as fill from "./splicefill.js";
import * as outbox from "./outbox.js";
import * as rules from "./splicerules.js";
import * as sitedata from "./sitedata.js";
import * as store from "./store.js";
import * as traces from "./traces.js";
import { colour, SCHEMES } from "./colours.js";
import { parseDecimal } from "./numbers.js";
import { h, mount, field, oneAtATime, setError } from "./dom.js";
import { name, notFound } from "./screens.js";
import { t } from "./i18n.js";

const SCHEME = SCHEMES["tia-598"];
const LOSSES = ["loss_1310_ab", "loss_1310_ba", "loss_1550_ab", "loss_1550_ba"];
const LOSS_LABELS = { loss_1310_ab: "1310 A→B", loss_1310_ba: "1310 B→A", loss_1550_ab: "1550 A→B", loss_1550_ba: "1550 B→A" };
const CLOSURE_TYPES = ["dome", "inline", "wall_box", "odf"];
const PLACEMENTS = ["pole", "manhole", "wall", "indoor", "ground"];
const SPLICE_TYPES = ["fusion", "ribbon", "mechanical"];

function input(name, attrs = {}) {
  return h("input", { name, ...attrs });
}

function select(name, options, value) {
  // Stored values stay codes; people read them in their language.
  return h("select", { name }, options.map((o) => h("option", { value: o, selected: o === value }, t(`opt_${o}`))));
}

function swatch(number) {
  // A chip in the colour with its short name (TIA-598 abbreviations in English); the full
  // name, stripe included, for screen readers and a long press.
  const c = colour(Number(number), SCHEME);
  if (!c) return h("span", { class: "swatch swatch-none" }, "?");
  const full = c.stripe ? t("colour_striped", { colour: t(`colour_${c.name}`), stripe: t(`colour_${c.stripe}`) })
    : t(`colour_${c.name}`);
  return h("span", { class: `swatch sw-${c.name}${c.stripe ? ` stripe-${c.stripe}` : ""}`, title: full,
    "aria-label": full }, t(`colour_${c.name}_short`));
}

function header(prev, device) {
  // Sensible defaults: the last closure used on this site, tray + 1, 12 fibers from 1, and
  // the splicer this phone last recorded (a crew keeps one machine for weeks).
  const p = prev || {};
  const splicer = p.splicer_model ? p : device;
  return {
    closure_label: input("closure_label", { value: p.closure_label || "", autocomplete: "off" }),
    closure_type: select("closure_type", CLOSURE_TYPES, p.closure_type || "dome"),
    placement: select("placement", PLACEMENTS, p.placement || "pole"),
    tray: input("tray", { type: "number", inputmode: "numeric", value: prev ? prev.tray + 1 : 1 }),
    a_cable: input("a_cable", { value: p.a_cable || "C1" }),
    a_tube: input("a_tube", { type: "number", inputmode: "numeric", value: p.a_tube || 1 }),
    b_cable: input("b_cable", { value: p.b_cable || "C2" }),
    b_tube: input("b_tube", { type: "number", inputmode: "numeric", value: p.b_tube || 1 }),
    first: input("first_fiber", { type: "number", inputmode: "numeric", value: 1 }),
    count: input("fiber_count", { type: "number", inputmode: "numeric", value: SCHEME.fibersPerTube }),
    splice_type: select("splice_type", SPLICE_TYPES, p.splice_type || "fusion"),
    splicer_model: input("splicer_model", { value: splicer.splicer_model || "", autocomplete: "off" }),
    splicer_serial: input("splicer_serial", { value: splicer.splicer_serial || "", autocomplete: "off" }),
  };
}

export async function render(container, id) {
  const site = await sitedata.load(id);
  if (!site) return notFound(container);
  const profile = await sitedata.profileFor(site);
  const limits = profile ? profile.rules.splice : null;
  const view = sitedata.localView(site, await store.all("outbox"), []);
  const saved = view.splices;
  const correcting = (await store.all("outbox")).find((r) => r.id === outbox.state.correct && r.type === "splice");
  outbox.state.correct = null;
  const head = header(correcting ? correcting.data : saved[saved.length - 1], (await store.get("meta", "splicer")) || {});
  const gps = { lat: null, lon: null };
  const rows = h("div", { class: "splice-rows" });
  const status = h("p", { role: "status", class: "help" });
  const editor = { container, site, limits, head, rows, gps, replaced: new Map(), saved, traces: [],
    tol: traces.tolerances(profile), traceBox: h("div"), savedBox: h("div"), message: null };
  editor.drawSaved = () => mount(editor.savedBox, savedList(saved, limits, editor));
  await closureTraces.load(editor, !correcting);
  const makeRows = () => {
    rows.replaceChildren();
    const wanted = Math.trunc(Number(head.count.value)) || SCHEME.fibersPerTube;
    const count = Math.min(Math.max(wanted, 1), SCHEME.fibersPerTube * 2);
    head.count.value = count;
    for (let i = 0; i < count; i += 1) addRow(editor);
    closureTraces.draw(editor);
    // Straight to the first reading: the keyboard opens where the typing starts.
    const first = rows.querySelector(`[name=${LOSSES[0]}]`);
    first.scrollIntoView({ block: "center" });
    first.focus();
  };
  rows.addEventListener("keydown", nextOnEnter);
  rows.addEventListener("change", (event) => { if (event.target.name === "a_fiber") closureTraces.draw(editor); });
  mount(container,
    h("a", { class: "back", href: `#/site/${site.id}` }, "← ", name(site)),
    h("h1", {}, t("splices")),
    h("form", { class: "card closure", onsubmit: (e) => { e.preventDefault(); makeRows(); } },
      h("h2", {}, t("closure")),
      h("div", { class: "grid2" },
        field(t("closure_label"), head.closure_label), field(t("closure_type"), head.closure_type),
        field(t("placement"), head.placement), field(t("tray"), head.tray),
        field(t("cable_a"), head.a_cable), field(t("tube_a"), head.a_tube),
        field(t("cable_b"), head.b_cable), field(t("tube_b"), head.b_tube),
        field(t("first_fiber"), head.first), field(t("fiber_count"), head.count),
        field(t("splice_type"), head.splice_type), h("span"),
        field(t("splicer_model"), head.splicer_model), field(t("splicer_serial"), head.splicer_serial)),
      h("button", { type: "button", onclick: () => locate(gps, status) }, t("use_gps")),
      h("button", { class: "primary", name: "make_rows" }, t("make_rows"))),
    rows,
    h("div", { class: "row-actions" },
      h("button", { type: "button", name: "add_row", onclick: () => { addRow(editor); closureTraces.draw(editor); } },
        t("add_row")),
      h("button", { type: "button", class: "primary", name: "save_splices", onclick: oneAtATime(() => save(editor, status)) }, t("save_splices"))),
    status,
    editor.traceBox,
    editor.savedBox);
  if (correcting) {
    addRow(editor, correcting.data);
    editor.replaced.set(rows.lastChild, { original: correcting.data, replaces: correcting.replaces, rejected: correcting.id });
  }
  for (const el of [head.closure_label, head.a_cable, head.a_tube]) el.addEventListener("change", () => closureTraces.draw(editor));
  closureTraces.draw(editor);
  return closureTraces.follow(editor);
}

function addRow(editor, values = null) {
  const { rows, head, limits } = editor;
  const index = rows.children.length;
  const previous = rows.lastChild;
  const next = (name, fallback) => (previous ? Number(previous.querySelector(`[name=${name}]`).value) + 1 : fallback);
  const fiberA = input("a_fiber", { type: "number", inputmode: "numeric",
    value: values ? values.a_fiber : next("a_fiber", Number(head.first.value) || 1) });
  const fiberB = input("b_fiber", { type: "number", inputmode: "numeric",
    value: values ? values.b_fiber : next("b_fiber", Number(head.first.value) || 1) });
  const decimal = (key) => input(key, { type: "text", inputmode: "decimal", enterkeyhint: "next",
    value: values && values[key] != null ? values[key] : "", autocomplete: "off" });
  const losses = LOSSES.map(decimal);
  for (const el of losses) el.addEventListener("input", fill.markTyped);
  const attempt = input("attempt", { type: "number", inputmode: "numeric", value: values ? values.attempt : 1 });
  const estimate = decimal("splicer_estimate_db");
  const result = h("div", { class: "verdict", "aria-live": "polite" });
  const traceNote = h("div", { class: "trace-note" });
  const swatches = h("span", { class: "swatches" });
  const row = h("fieldset", { class: "splice-row" },
    h("legend", {}, h("span", { title: t("slot") }, `#${index + 1}`), " ", swatches),
    h("div", { class: "cells" }, field(`A ${t("fiber")}`, fiberA), field(`B ${t("fiber")}`, fiberB),
      field(t("attempt"), attempt), field(t("splicer_estimate"), estimate)),
    h("div", { class: "cells losses" }, losses.map((el) => field(LOSS_LABELS[el.name], el))),
    traceNote,
    h("div", { class: "row-foot" }, result,
      index > 0 ? h("button", { type: "button", class: "link", name: "copy_prev", onclick: () => {
        const source = row.previousElementSibling;
        for (const el of losses) el.value = source.querySelector(`[name=${el.name}]`).value;
        update();
      } }, t("copy_prev")) : null));
  const update = () => {
    mount(swatches, `A ${head.a_tube.value}.${fiberA.value} `, swatch(head.a_tube.value), swatch(fiberA.value),
      ` → B ${head.b_tube.value}.${fiberB.value} `, swatch(head.b_tube.value), swatch(fiberB.value));
    const traced = traces.fillFor(editor.traces, head.closure_label.value.trim(), head.a_cable.value, head.a_tube.value,
      fiberA.value, editor.tol);
    mount(traceNote, fill.applyToRow(losses, traced, editor.tol.typedDb));
    mount(result, liveVerdict(readRow(row), [...losses, estimate], limits));
  };
  row.refresh = update;
  row.addEventListener("input", update);
  rows.append(row);
  update();
  return row;
}

function nextOnEnter(event) {
  // The keyboard's Enter ("next") walks the readings: loss to loss, row after row, so a tray's
  // 48 values go in without reaching for the screen. Other cells step to the next cell.
  if (event.key !== "Enter" || event.target.tagName !== "INPUT") return;
  const rows = event.currentTarget;
  const isLoss = LOSSES.includes(event.target.name);
  const order = [...rows.querySelectorAll(isLoss ? LOSSES.map((n) => `[name=${n}]`).join(",") : "input")];
  const next = order[order.indexOf(event.target) + 1];
  event.preventDefault();
  if (next) next.focus();
  else document.querySelector("[name=save_splices]").focus();
}

function readRow(row) {
  const value = (name) => row.querySelector(`[name=${name}]`).value;
  const data = { a_fiber: Number(value("a_fiber")), b_fiber: Number(value("b_fiber")),
    attempt: Number(value("attempt")) || 1 };
  for (const key of [...LOSSES, "splicer_estimate_db"]) {
    const number = parseDecimal(value(key));
    data[key] = Number.isFinite(number) ? number : null;
  }
  return data;
}

function liveVerdict(data, losses, limits) {
  if (!limits) return null;
  for (const el of losses) setError(el, rules.lossError(el.value, limits, t));
  const r = rules.evaluate(data, limits);
  if (losses.every((el) => el.value.trim() === "")) return null;  // nothing typed yet: nothing to judge
  const label = r.verdict === "retry" ? t("verdict_retry", { n: limits.out_of_spec_min_attempts }) : t(`verdict_${r.verdict}`);
  const cls = { pass: "pass", out_of_spec: "warn", retry: "warn", fail: "fail", pending: "help" }[r.verdict];
  return [
    r.worst != null ? h("span", {}, `${t("average")}: ${Object.entries(r.averages).filter(([, v]) => v != null)
      .map(([w, v]) => `${w} ${v.toFixed(3)}`).join(" · ")} dB `) : null,
    h("strong", { class: `${cls} verdict-${r.verdict}` }, label),
    r.bend ? h("div", { class: "warn bend" }, t("bend", { delta: limits.bend_delta_db })) : null,
    r.oneDirection ? h("div", { class: "warn one-direction" }, t("one_direction")) : null,
  ];
}

function validate(editor) {
  // Every field checked; the first wrong one is focused, with its message beside it.
  const { head, rows, limits } = editor;
  const problems = [];
  const check = (el, message) => { setError(el, message); if (message) problems.push(el); };
  check(head.closure_label, head.closure_label.value.trim() ? null : t("err_required"));
  check(head.tray, rules.rangeError(head.tray.value, 999, "err_tray_range", t));
  check(head.a_tube, rules.rangeError(head.a_tube.value, SCHEME.colours.length * 2, "err_tube_range", t));
  check(head.b_tube, rules.rangeError(head.b_tube.value, SCHEME.colours.length * 2, "err_tube_range", t));
  for (const row of rows.children) {
    for (const name of ["a_fiber", "b_fiber"]) {
      const el = row.querySelector(`[name=${name}]`);
      check(el, rules.rangeError(el.value, SCHEME.fibersPerTube, "err_fiber_range", t));
    }
    const attempt = row.querySelector("[name=attempt]");
    check(attempt, rules.rangeError(attempt.value, 99, "err_attempt_range", t));
    const losses = LOSSES.map((key) => row.querySelector(`[name=${key}]`));
    for (const el of [...losses, row.querySelector("[name=splicer_estimate_db]")]) {
      check(el, limits ? rules.lossError(el.value, limits, t) : null);
    }
    if (losses.every((el) => el.value.trim() === "")) check(losses[0], t("err_no_losses"));
  }
  if (problems.length) problems[0].focus();
  return !problems.length;
}

async function save(editor, status) {
  const { head, rows, site, gps } = editor;
  if (!rows.children.length || !validate(editor)) return;
  const splicer = { splicer_model: head.splicer_model.value.trim(), splicer_serial: head.splicer_serial.value.trim() };
  await store.put("meta", splicer, "splicer");
  const tray = { closure_label: head.closure_label.value.trim(), closure_type: head.closure_type.value,
    placement: head.placement.value, closure_lat: gps.lat, closure_lon: gps.lon, tray: Number(head.tray.value),
    a_cable: head.a_cable.value.trim(), a_tube: Number(head.a_tube.value), b_cable: head.b_cable.value.trim(),
    b_tube: Number(head.b_tube.value), splice_type: head.splice_type.value, ...splicer };
  let slot = 0;
  for (const row of [...rows.children]) {
    const fix = editor.replaced.get(row);
    const readings = readRow(row);
    slot += fix ? 0 : 1;
    const data = fix ? corrected(fix.original, readings, splicer) : { ...tray, slot, ...readings };
    await outbox.saveRecord("splice", site.id, data, fix ? fix.replaces : null);
    if (fix && fix.rejected) await store.del("outbox", fix.rejected);
  }
  status.textContent = `${t("saved")}: ${rows.children.length}`;
  rows.replaceChildren();
  editor.replaced.clear();
  await render(editor.container, site.id);
}

function corrected(original, readings, splicer) {
  // A corrected row stays where its splice is: closure, tray, slot, tubes and cables come from
  // the record it replaces, not from the header (which describes the next new tray). A splice
  // made again is made with the splicer in hand; a mistyped reading keeps its own splicer.
  const again = readings.attempt > (original.attempt || 1);
  return { ...original, ...(again ? splicer : {}), ...readings };
}

// As a splicer reads a closure: by closure, tray and slot (the outbox and the pull each keep
// their own order, so the list came back as 4, 3, 1, 2).
function closureOrder(a, b) {
  return String(a.closure_label).localeCompare(String(b.closure_label), undefined, { numeric: true })
    || a.tray - b.tray || a.slot - b.slot || String(a.device_time).localeCompare(String(b.device_time));
}

function savedList(saved, limits, editor) {
  if (!saved.length) return null;
  return h("section", {}, h("h2", {}, t("saved_splices"), " ", h("span", { class: "count" }, saved.length)),
    h("ul", { class: "saved-splices" }, [...saved].sort(closureOrder).map((s) => {
      const r = limits ? rules.evaluate(s, limits) : null;
      return h("li", {}, `${s.closure_label} · ${t("tray")} ${s.tray} · ${t("slot")} ${s.slot}: `,
        `A ${s.a_tube}/${s.a_fiber} → B ${s.b_tube}/${s.b_fiber} `,
        r ? h("strong", { class: `verdict-${r.verdict}` }, r.verdict === "retry" ? t("verdict_out_of_spec") : t(`verdict_${r.verdict}`)) : null,
        s.waiting ? h("small", {}, ` (${t("waiting")})`) : null,
        fill.savedLine(s, traces.fillFor(editor.traces, s.closure_label, s.a_cable, s.a_tube, s.a_fiber, editor.tol), limits,
          editor.tol.typedDb),
        s.waiting ? null : h("button", { type: "button", class: "link", onclick: () => {
          // Correcting a splice over target means splicing it again: the next attempt.
          // Its readings are the new splice's to measure, so they start empty.
          const again = r && (r.verdict === "retry" || r.verdict === "fail");
          const fresh = Object.fromEntries([...LOSSES, "splicer_estimate_db"].map((key) => [key, null]));
          const row = addRow(editor, again ? { ...s, ...fresh, attempt: (s.attempt || 1) + 1 } : s);
          editor.replaced.set(row, { original: s, replaces: s.id });
          row.scrollIntoView();
        } }, t("fix")));
    })));
}

function locate(gps, status) {
  if (!navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition((pos) => {
    gps.lat = pos.coords.latitude;
    gps.lon = pos.coords.longitude;
    status.textContent = `${gps.lat.toFixed(5)}, ${gps.lon.toFixed(5)} ±${Math.round(pos.coords.accuracy)} m`;
  }, () => { status.textContent = t("gps_unavailable"); }, { timeout: 10000, maximumAge: 60000 });
}
