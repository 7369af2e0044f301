// The splices editor's OTDR traces: the section under the rows for the closure named in the
// header, the fibers it offers to assign a trace to, and its redrawing when a trace is attached,
// marked, sent or pulled back (the rows and the saved list follow, the form stays as typed).
// The editor (splices.js) holds head, rows, site, saved, traces, tol, traceBox, drawSaved.
import * as traces from "./traces.js";
import { fiberKey } from "./tracematch.js";
import { h, mount } from "./dom.js";
import { t } from "./i18n.js";

let shown = null; // the editor on screen (a save draws a new one)
let pending = null;

/** The site's traces into the editor. Opened to retest a returned trace (and not to correct a
 *  splice: `header` false), that trace's closure is the one shown; with no closure named yet,
 *  the closure of the last trace attached on the phone (attached before its splices were saved). */
export async function load(editor, header = true) {
  editor.traces = await traces.load(editor.site.id);
  editor.redraw = () => redraw(editor);
  if (!header) return;
  const back = (editor.site.returned_items || []).find((i) => !i.resolved_at && i.item_kind === "trace");
  const returned = back && editor.traces.find((tr) => tr.id === back.item_ref);
  const last = editor.traces.filter((tr) => tr.waiting)
    .sort((a, b) => String(a.device_time).localeCompare(String(b.device_time))).pop();
  const label = editor.head.closure_label;
  if (returned) label.value = returned.closure_label;
  else if (!label.value.trim() && last) label.value = last.closure_label;
}

/** Redraw the editor on screen when the phone's traces or sites change; the screen's release. */
export function follow(editor) {
  if (!shown) window.addEventListener("fieldapp:change", changed);
  shown = editor;
  return () => {
    window.removeEventListener("fieldapp:change", changed);
    shown = null;
  };
}

function changed(event) {
  if (event.detail !== "sites" && event.detail !== "photos") return;
  clearTimeout(pending);
  pending = setTimeout(() => shown && shown.redraw(), 150);
}

function fibers(editor) {
  // What a trace can be assigned to: the A ends of the rows being entered and of the splices
  // saved in this closure.
  const { head, rows } = editor;
  const closure = head.closure_label.value.trim();
  const found = new Map();
  const add = (cable, tube, fiber) => {
    const name = String(cable).trim();
    if (name && Number(tube) >= 1 && Number(fiber) >= 1) {
      found.set(fiberKey(name, tube, fiber), { cable: name, tube: Number(tube), fiber: Number(fiber) });
    }
  };
  for (const row of rows.children) add(head.a_cable.value, head.a_tube.value, row.querySelector("[name=a_fiber]").value);
  for (const s of editor.saved) if (s.closure_label === closure) add(s.a_cable, s.a_tube, s.a_fiber);
  return [...found.values()];
}

/** Draw the traces section, then the rows and the saved list that read the traces. */
export function draw(editor) {
  const { site, head, rows } = editor;
  const returned = (site.returned_items || []).filter((i) => !i.resolved_at && i.item_kind === "trace");
  const ctx = { site, closure: head.closure_label.value.trim(), fibers: fibers(editor), traces: editor.traces,
    returned, tol: editor.tol, message: editor.message, redraw: editor.redraw,
    retest: (old, file) => retest(editor, old, file) };
  mount(editor.traceBox, traces.section(ctx, (files) => attach(editor, ctx, files)));
  for (const row of rows.children) row.refresh();
  editor.drawSaved();
}

async function redraw(editor) {
  editor.traces = await traces.load(editor.site.id);
  draw(editor);
}

async function attach(editor, ctx, files) {
  const { added, refused } = await traces.attach(editor.site, ctx.closure, files, ctx.fibers, editor.traces, editor.tol);
  editor.message = h("div", { role: "status" }, added ? h("p", { class: "help" }, t("trace_added", { n: added })) : null,
    refused.map((item) => h("p", { class: "error" }, traces.refusedText(item))));
  await editor.redraw();
}

async function retest(editor, old, file) {
  // The new file takes the returned trace's fiber and direction, and replaces it.
  const { refused } = await traces.attach(editor.site, old.closure_label, [file],
    [{ cable: old.cable, tube: old.tube, fiber: old.fiber }], editor.traces, editor.tol,
    { replaces: old.id, direction: old.direction });
  editor.message = refused.length ? h("p", { class: "error", role: "status" }, traces.refusedText(refused[0])) : null;
  await editor.redraw();
}
