// A splice row filled from its fiber's OTDR traces: the four loss fields take the marked
// events' losses once both directions of a wavelength are there (the verdict then reads them,
// as it reads typed ones), a typed value the trace contradicts is marked, and a line says which
// traces or marks are still needed. Saved splices get the same as one line in their list.
import * as rules from "./splicerules.js";
import * as traces from "./traces.js";
import { differs } from "./tracematch.js";
import { parseDecimal } from "./numbers.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

/** Fill a row's loss inputs from `fill` (traces.fillFor); returns the note to show under it.
 *  A field the technician typed in keeps its value; one filled before follows the traces. */
export function applyToRow(losses, fill, typedTolerance) {
  const differences = [];
  for (const el of losses) {
    const traced = fill.values[el.name];
    el.classList.remove("from-trace", "differs");
    if (traced == null) {
      if (el.dataset.source === "trace") {
        el.value = "";
        delete el.dataset.source;
      }
      continue;
    }
    if (el.value.trim() === "" || el.dataset.source === "trace") {
      el.value = traces.shown(traced, 3);
      el.dataset.source = "trace";
      el.classList.add("from-trace");
    } else if (differs(parseDecimal(el.value), traced, typedTolerance)) {
      el.classList.add("differs");
      differences.push({ slot: el.name, typed: parseDecimal(el.value), traced });
    }
  }
  return note(fill, differences);
}

/** Typing in a loss field makes it the technician's: the traces no longer overwrite it. */
export function markTyped(event) {
  event.target.dataset.source = "typed";
}

function note(fill, differences) {
  if (!fill.traced) return null;
  return [
    Object.keys(fill.values).length ? h("div", { class: "help trace-filled" }, t("trace_filled")) : null,
    differences.map((d) => h("div", { class: "warn trace-differs" }, t("trace_differs",
      { slot: traces.slotLabel(d.slot), typed: traces.shown(d.typed, 3), trace: traces.shown(d.traced, 3) }))),
    traces.neededLine(fill),
  ];
}

/** A saved splice's line from its traces: their averages and verdict, typed values that
 *  differ, what is still needed; null without traces. */
export function savedLine(splice, fill, limits, typedTolerance) {
  if (!fill.traced) return null;
  const known = Object.keys(fill.values).length;
  const r = known && limits ? rules.evaluate({ attempt: splice.attempt, ...fill.values }, limits) : null;
  const averages = r ? Object.entries(r.averages).filter(([, v]) => v != null)
    .map(([w, v]) => `${w} ${traces.shown(v, 3)}`).join(" · ") : "";
  return h("div", { class: "trace-line" },
    r ? [h("span", {}, `${t("trace_otdr")}: ${averages} dB `),
      h("strong", { class: `verdict-${r.verdict}` }, r.verdict === "retry" ? t("verdict_out_of_spec") : t(`verdict_${r.verdict}`))]
      : null,
    Object.entries(fill.values).filter(([slot, v]) => differs(splice[slot], v, typedTolerance)).map(([slot, v]) =>
      h("div", { class: "warn trace-differs" }, t("trace_differs",
        { slot: traces.slotLabel(slot), typed: traces.shown(splice[slot], 3), trace: traces.shown(v, 3) }))),
    traces.neededLine(fill));
}
