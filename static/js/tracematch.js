// A closure's OTDR traces against its splice rows, on the phone: which event of each trace is
// this closure's splice (the technician marks one, the app proposes it in the others), and the
// splice losses the marked events give (1310/1550 x A->B/B->A). The server pairs and checks
// the traces again from its own parse; this only fills the rows and says what is missing.
// A trace here: {cable, tube, fiber, direction, event_m, reading} (reading: sor.js's result);
// once pulled back from the server, {..., parse}: the server's parse, which has the same keys.

export const WAVES = [1310, 1550];
export const DIRECTIONS = ["ab", "ba"];
// The profile's (rules.otdr) event-matching and typed-vs-trace tolerances, when it has none.
export const DEFAULT_TOLERANCE_M = 20;
export const DEFAULT_TYPED_DB = 0.05;

/** What was read from a trace's file: the server's parse once it has one, else the phone's. */
export const reading = (trace) => (trace.parse && trace.parse.wavelength_nm != null ? trace.parse : trace.reading || {});

/** The fiber a trace or a splice's A end is: "C1|1|3". */
export const fiberKey = (cable, tube, fiber) => `${String(cable).trim()}|${Number(tube)}|${Number(fiber)}`;
export const traceFiber = (trace) => fiberKey(trace.cable, trace.tube, trace.fiber);

/** The splice row field a trace's marked event fills: "loss_1310_ab". */
export const slotOf = (trace) => `loss_${reading(trace).wavelength_nm}_${trace.direction}`;

/** Where, along `target`, the event `marked` has at its event_m should be: the same distance
 *  in the same direction, the fiber's length minus it in the other. */
export function expectedAt(marked, target) {
  if (marked.direction === target.direction) return marked.event_m;
  const length = reading(target).length_m ?? reading(marked).length_m;
  return length == null ? null : length - marked.event_m;
}

/** The event of `target` nearest `distance`, within `tolerance` metres (never its end), or null. */
export function nearest(target, distance, tolerance = DEFAULT_TOLERANCE_M) {
  if (distance == null) return null;
  let best = null;
  for (const event of reading(target).events || []) {
    const off = Math.abs(event.distance_m - distance);
    if (event.type !== "end" && off <= tolerance && (!best || off < Math.abs(best.distance_m - distance))) best = event;
  }
  return best;
}

/** The event a trace's mark points at (the nearest within a metre, as distances are rounded). */
export const markedEvent = (trace) => (trace.event_m == null ? null : nearest(trace, trace.event_m, 1));

/** For an unmarked trace: the event matching the closure's marked traces, or null. A mark made
 *  by the technician counts before a proposal; the latest such mark first. */
export function propose(target, closureTraces, tolerance = DEFAULT_TOLERANCE_M) {
  const marked = closureTraces.filter((t) => t !== target && t.id !== target.id && t.event_m != null)
    .sort((a, b) => Number(Boolean(a.proposed)) - Number(Boolean(b.proposed))
      || String(b.marked_at || "").localeCompare(String(a.marked_at || "")));
  for (const source of marked) {
    const event = nearest(target, expectedAt(source, target), tolerance);
    if (event) return event;
  }
  return null;
}

/** The event that is the closure's splice on `trace`: its mark, else (a trace the server holds
 *  unmarked, as it pairs them) the event matching the closure's marks; none for "no event". */
export function spliceEvent(trace, closureTraces, tolerance = DEFAULT_TOLERANCE_M) {
  if (trace.event_m != null) return markedEvent(trace);
  return trace.no_event ? null : propose(trace, closureTraces, tolerance);
}

/** The latest trace of each slot among one fiber's traces (a retest replaces the first). */
export function latestBySlot(traces) {
  const replaced = new Set(traces.map((t) => t.replaces).filter(Boolean));
  const slots = new Map();
  for (const trace of traces) {
    if (replaced.has(trace.id) || !WAVES.includes(reading(trace).wavelength_nm)) continue;
    const held = slots.get(slotOf(trace));
    if (!held || String(trace.device_time || "") >= String(held.device_time || "")) slots.set(slotOf(trace), trace);
  }
  return slots;
}

/** One fiber's traces as splice losses: {values, missing}. `values` holds the losses of each
 *  wavelength traced in both directions with both splice events known (marked, or matching the
 *  closure's marks among `closureTraces`; one direction alone fills nothing: it never decides);
 *  `missing` names each slot still needed and why: {slot: "loss_1550_ba", why: "no_trace" |
 *  "not_marked"}. */
export function lossesFor(traces, closureTraces = traces, tolerance = DEFAULT_TOLERANCE_M) {
  const slots = latestBySlot(traces);
  const values = {};
  const missing = [];
  for (const wave of WAVES) {
    const found = {};
    for (const direction of DIRECTIONS) {
      const slot = `loss_${wave}_${direction}`;
      const trace = slots.get(slot);
      const event = trace ? spliceEvent(trace, closureTraces, tolerance) : null;
      if (event) found[slot] = event.splice_loss_db;
      else missing.push({ slot, why: trace ? "not_marked" : "no_trace" });
    }
    if (Object.keys(found).length === DIRECTIONS.length) Object.assign(values, found);
  }
  return { values, missing, traced: slots.size > 0 };
}

/** A typed loss that the trace contradicts by more than `tolerance` dB. */
export function differs(typed, traced, tolerance) {
  return typed != null && traced != null && Math.abs(typed - traced) > tolerance + 1e-9;
}
