// A closure's OTDR traces on its splices screen: attach the .sor files the OTDR saved (several
// at once), read each on the phone (sor.js), assign it to a fiber and a direction, show its
// wavelength, length, total loss and events, and mark this closure's splice once: the app
// proposes the matching event in the closure's other traces. A file is kept in IndexedDB and
// sent through the same resumable upload as photos; one with events is held until its splice
// event is marked (or the technician says there is none), since its announce carries the mark.
import * as match from "./tracematch.js";
import * as outbox from "./outbox.js";
import * as sitedata from "./sitedata.js";
import * as store from "./store.js";
import { readSor, SorError } from "./sor.js";
import { sha256Hex } from "./api.js";
import { h, secondTapDeletes } from "./dom.js";
import { t } from "./i18n.js";

export const DIRECTION_LABELS = { ab: "A→B", ba: "B→A" };

/** Where a slot's name ("loss_1550_ba") is shown: "1550 B→A". */
export const slotLabel = (slot) => {
  const [, wave, direction] = slot.split("_");
  return `${wave} ${DIRECTION_LABELS[direction]}`;
};

/** The profile's tolerances, or the defaults when the profile has none yet. */
export function tolerances(profile) {
  const rules = (profile && profile.rules && profile.rules.otdr) || {};
  return { eventM: rules.event_tolerance_m ?? match.DEFAULT_TOLERANCE_M,
    typedDb: rules.typed_tolerance_db ?? match.DEFAULT_TYPED_DB };
}

/** The site's current traces: the server's and those still on the phone (`waiting`). */
export async function load(siteId) {
  const site = await sitedata.load(siteId);
  return site ? sitedata.localView(site, [], await store.all("photos")).traces : [];
}

const hasSplices = (trace) => (match.reading(trace).events || []).some((e) => e.type !== "end");
const holds = (trace) => hasSplices(trace) && trace.event_m == null && !trace.no_event;

function place(reading, fibers, traces) {
  // A guess the technician corrects with a tap: the first fiber still lacking this wavelength,
  // A->B first (the files of one fiber are usually picked together, and sorted by name).
  const taken = new Set(traces.map((tr) => `${match.traceFiber(tr)}#${match.slotOf(tr)}`));
  for (const f of fibers) {
    const key = match.fiberKey(f.cable, f.tube, f.fiber);
    for (const direction of match.DIRECTIONS) {
      if (!taken.has(`${key}#loss_${reading.wavelength_nm}_${direction}`)) return { ...f, direction };
    }
  }
  return { ...fibers[0], direction: "ab" };
}

/** Read, assign and queue the picked files; {added, refused: [{name, reason}]}. A retest
 *  passes {direction, replaces}: the returned trace's direction, and that it replaces it. */
export async function attach(site, closure, files, fibers, traces, tol, retest = {}) {
  const known = traces.filter((tr) => tr.closure_label === closure);
  const refused = [];
  let added = 0;
  const byName = [...files].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  for (const file of byName) {
    let buffer;
    let reading;
    try {
      buffer = await file.arrayBuffer();
      reading = readSor(buffer);
    } catch (error) {
      refused.push({ name: file.name, reason: error instanceof SorError ? error.reason : "unreadable" });
      continue;
    }
    const where = retest.direction ? { ...fibers[0], direction: retest.direction } : place(reading, fibers, known);
    const trace = { id: crypto.randomUUID(), kind: "trace", installation_id: site.id, closure_label: closure,
      cable: where.cable, tube: where.tube, fiber: where.fiber, direction: where.direction, event_m: null,
      filename: file.name, blob: new Blob([buffer], { type: "application/octet-stream" }), size: buffer.byteLength,
      sha256: await sha256Hex(buffer), device_time: new Date().toISOString(), replaces: retest.replaces || null,
      reading };
    const proposal = match.propose(trace, known, tol.eventM);
    if (proposal) Object.assign(trace, { event_m: proposal.distance_m, proposed: true });
    trace.held = holds(trace);
    await outbox.queueFile(trace);
    known.push(trace);
    added += 1;
  }
  return { added, refused };
}

/** Change a trace still on the phone (fiber, direction, mark). A trace not marked by hand is
 *  proposed its event again when its fiber or direction changes; a trace marked by hand proposes its
 *  event to the closure's traces still on the phone and not marked by hand. */
export async function change(id, changes, tol) {
  const current = await store.get("photos", id);
  if (!current || current.announced) return; // announced: its fields are the server's now
  const closure = async (mine) => (await load(current.installation_id))
    .filter((tr) => tr.closure_label === current.closure_label).map((tr) => (tr.id === id ? mine : tr));
  let next = { ...current, ...changes };
  const byHand = next.event_m != null && !next.proposed;
  if (!byHand && !next.no_event && ("direction" in changes || "fiber" in changes)) {
    const event = match.propose(next, await closure(next), tol.eventM);
    next = { ...next, event_m: event ? event.distance_m : null, proposed: Boolean(event) };
  }
  next.held = holds(next);
  await store.put("photos", next);
  if (current.held && !next.held) outbox.soon(); // marked: it may go now
  if (next.event_m == null || next.proposed) return;
  const traces = await closure(next);
  for (const other of traces) {
    if (!other.waiting || other.id === id || (other.event_m != null && !other.proposed)) continue;
    const event = match.propose(other, traces, tol.eventM);
    if (event) await change(other.id, { event_m: event.distance_m, proposed: true, no_event: false }, tol);
  }
}

function numberFormat(digits) {
  // Kazakh writes numbers as Russian does (3 000,5), but Chromium's Kazakh data formats them
  // as English (3,000.5): Russian conventions then, which are the Kazakh ones.
  const lang = document.documentElement.lang || "en";
  return new Intl.NumberFormat(lang === "kk" ? "ru" : lang,
    { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A number as the technician reads it ("1 200,0" in Russian); "—" for none. */
export const shown = (value, digits) => (value == null ? "—" : numberFormat(digits).format(value));

function summaryLine(r) {
  return t("trace_summary", { nm: r.wavelength_nm ?? "?", ns: r.pulse_width_ns ?? "?",
    km: shown(r.length_m == null ? null : r.length_m / 1000, 2), db: shown(r.total_loss_db, 3) });
}

function eventTable(trace, editable, ctx, onMark) {
  // Open until the splice is marked; then folded to the marked event, one tap to change it. A
  // trace already sent only shows its events, the splice's (marked, or matched as the server
  // pairs them) highlighted.
  const r = match.reading(trace);
  const closure = ctx.traces.filter((tr) => tr.closure_label === trace.closure_label);
  const marked = editable ? match.markedEvent(trace) : match.spliceEvent(trace, closure, ctx.tol.eventM);
  const title = marked ? t("trace_marked_event", { m: shown(marked.distance_m, 0), db: shown(marked.splice_loss_db, 3) })
    : t("trace_events", { n: (r.events || []).length });
  return h("details", { class: "trace-table", open: editable && !marked },
    h("summary", {}, title),
    h("table", { class: `trace-events${editable ? "" : " read-only"}` },
    h("thead", {}, h("tr", {}, h("th", {}, t("trace_distance")), h("th", {}, t("trace_loss")),
      h("th", {}, t("trace_reflectance")), editable ? h("th", {}, "") : null)),
    h("tbody", {}, (r.events || []).map((event) => {
      const isMarked = marked === event;
      return h("tr", { class: `${isMarked ? "marked" : ""}${isMarked && trace.proposed ? " proposed" : ""}` },
        h("td", {}, shown(event.distance_m, 0)), h("td", {}, event.type === "end" ? t("trace_end") : shown(event.splice_loss_db, 3)),
        h("td", {}, shown(event.reflectance_db, 1)),
        editable ? h("td", {}, event.type === "end" ? null : h("button", { type: "button", name: "mark", class: "mark",
          "aria-pressed": String(isMarked), onclick: () => onMark(event) },
        isMarked ? `✓ ${t("trace_mark")}` : t("trace_mark"))) : null);
    }))));
}

function fiberSelect(trace, fibers, editable, onPick) {
  const key = match.traceFiber(trace);
  const options = fibers.some((f) => match.fiberKey(f.cable, f.tube, f.fiber) === key)
    ? fibers : [...fibers, { cable: trace.cable, tube: trace.tube, fiber: trace.fiber }];
  const select = h("select", { name: "trace_fiber", disabled: !editable, onchange: () => onPick(options[select.selectedIndex]) },
    options.map((f) => h("option", { selected: match.fiberKey(f.cable, f.tube, f.fiber) === key },
      `${f.cable} · ${f.tube}.${f.fiber}`)));
  return h("label", { class: "trace-fiber" }, t("trace_fiber"), select);
}

function directionButtons(trace, editable, onPick) {
  return h("div", { class: "trace-direction", role: "group", "aria-label": t("trace_direction") },
    match.DIRECTIONS.map((direction) => h("button", { type: "button", name: `direction_${direction}`,
      "aria-pressed": String(trace.direction === direction), disabled: !editable,
      onclick: () => onPick(direction) }, DIRECTION_LABELS[direction])));
}

function card(trace, ctx) {
  const r = match.reading(trace);
  const editable = Boolean(trace.waiting) && !trace.announced;
  const save = (changes) => change(trace.id, changes, ctx.tol).then(ctx.redraw);
  const returned = ctx.returned.find((item) => item.item_ref === trace.id);
  return h("li", { class: `trace card${trace.held ? " held" : ""}`, "data-trace": trace.id, "data-slot": match.slotOf(trace) },
    h("div", { class: "trace-head" }, h("strong", {}, trace.filename || t("kind_trace")), " ",
      h("small", {}, trace.waiting ? (trace.held ? t("trace_held") : t("waiting")) : t("on_server"))),
    returned ? h("p", { class: "fail" }, returned.reason) : null,
    trace.waiting && trace.state === "failed" ? h("p", { class: "error" }, trace.message || trace.code) : null,
    h("p", { class: "trace-summary" }, summaryLine(r)),
    r.checksum_ok === false ? h("p", { class: "warn" }, t("trace_checksum")) : null,
    (r.events || []).length ? null : h("p", { class: "warn" }, t("trace_no_events")),
    h("div", { class: "trace-assign" },
      fiberSelect(trace, ctx.fibers, editable, (f) => save({ cable: f.cable, tube: f.tube, fiber: f.fiber })),
      directionButtons(trace, editable, (direction) => save({ direction }))),
    match.markedEvent(trace) && trace.proposed ? h("p", { class: "help" }, t("trace_proposed")) : null,
    trace.no_event && trace.event_m == null ? h("p", { class: "help" }, `✓ ${t("trace_no_event")}`) : null,
    hasSplices(trace) ? eventTable(trace, editable, ctx, (event) => save({ event_m: event.distance_m, proposed: false,
      no_event: false, marked_at: new Date().toISOString() })) : null,
    h("div", { class: "actions" },
      editable && hasSplices(trace) && trace.event_m == null && !trace.no_event
        ? h("button", { type: "button", name: "no_event", onclick: () => save({ no_event: true }) }, t("trace_no_event")) : null,
      returned ? retestPicker(trace, ctx) : null,
      editable ? secondTapDeletes(t("remove"), t("remove_confirm"), () => store.del("photos", trace.id).then(ctx.redraw)) : null));
}

function retestPicker(trace, ctx) {
  // A returned trace is measured again: the new file replaces it on the server, same fiber and direction.
  const input = h("input", { type: "file", accept: ".sor", name: "retest", class: "visually-hidden",
    onchange: async () => {
      const file = input.files[0];
      input.value = "";
      if (file) await ctx.retest(trace, file);
    } });
  return h("label", { class: "button" }, input, t("trace_retest"));
}

// A fiber's traces together, 1310 before 1550, A->B before B->A (as the splice row's fields).
function cardOrder(a, b) {
  return a.cable.localeCompare(b.cable, undefined, { numeric: true }) || a.tube - b.tube || a.fiber - b.fiber
    || match.slotOf(a).localeCompare(match.slotOf(b)) || String(a.device_time).localeCompare(String(b.device_time));
}

/** The traces section for the closure in `ctx.closure`: {site, closure, fibers, traces,
 *  returned, tol, redraw, retest}; `attachFiles(files)` is called with the picked files. */
export function section(ctx, attachFiles) {
  const mine = ctx.traces.filter((tr) => tr.closure_label === ctx.closure).sort(cardOrder);
  const input = h("input", { type: "file", multiple: true, accept: ".sor", name: "traces", class: "visually-hidden",
    disabled: !ctx.closure || !ctx.fibers.length, onchange: async () => {
      const files = [...input.files];
      input.value = "";
      if (files.length) await attachFiles(files);
    } });
  return h("section", { class: "traces" },
    h("h2", {}, t("traces"), " ", h("span", { class: "count" }, mine.length)),
    !ctx.closure || !ctx.fibers.length ? h("p", { class: "help" }, t("trace_need_fibers")) : h("p", { class: "help" }, t("trace_help")),
    h("label", { class: `button block${input.disabled ? " disabled" : ""}` }, input, t("trace_attach")),
    ctx.message,
    h("ul", { class: "trace-list" }, mine.map((trace) => card(trace, ctx))));
}

/** What a refused file says: its name and why. */
export const refusedText = (item) => t("trace_refused", { name: item.name, reason: t(`sor_${item.reason}`) });

/** A splice's losses from its fiber's traces: {values, missing, traced} (tracematch.lossesFor). */
export function fillFor(traces, closure, cable, tube, fiber, tol) {
  const key = match.fiberKey(cable, tube, fiber);
  const closureTraces = traces.filter((tr) => tr.closure_label === closure);
  return match.lossesFor(closureTraces.filter((tr) => match.traceFiber(tr) === key), closureTraces, tol.eventM);
}

/** The line under a splice that says which traces are still needed, or null. */
export function neededLine(fill) {
  if (!fill.traced || !fill.missing.length) return null;
  const of = (why) => fill.missing.filter((m) => m.why === why).map((m) => slotLabel(m.slot)).join(", ");
  return h("div", { class: "warn trace-needed" },
    of("no_trace") ? h("div", {}, t("trace_needed", { slots: of("no_trace") })) : null,
    of("not_marked") ? h("div", {}, t("trace_needed_mark", { slots: of("not_marked") })) : null);
}
