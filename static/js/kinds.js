// The phone's one list of the kinds of evidence (the server's is fieldapp/evidence/kinds.py).
// Whatever goes by kind reads it: the routes (app.js), where a confirmed record is kept
// (batches.js, sitedata.js), where a refused one is put right (panel.js), the site's tiles and
// returned items (screens.js), which files upload how (outbox.js). A new kind of evidence is
// one entry here plus its screen module, which exports render(container, siteId).
//   type        the record's `type` (a file's `kind`; a file without one is a photo)
//   table       its list under a site's `records` in the pull; null: not pulled back
//   screen      its screen, #/site/<id>/<screen>; load() brings that screen's module
//   label       message key of its name (fieldapp/js_messages.py)
//   tile        the site screen's tile: its title's message key and the line under it
//   supersedes  a new one corrects a refused one of the same site (scan, speed test, submission)
//   file        a file kind: where it is announced and which of its fields are sent along
import { t } from "./i18n.js";

// What a photo's announce says about it (docs/api.md, PUT /api/v1/photos/<id>).
const PHOTO_FIELDS = ["installation_id", "shot", "caption", "size", "sha256", "device_time", "taken_at",
  "lat", "lon", "accuracy_m", "replaces"];
// What a trace's announce says (docs/api.md, PUT /api/v1/files/trace/<id>): the fiber and
// direction it was attached to and the event marked as the closure's splice; all else the server
// reads from the file itself.
const TRACE_FIELDS = ["installation_id", "closure_label", "cable", "tube", "fiber", "direction", "event_m",
  "filename", "size", "sha256", "device_time", "replaces"];
// A signed handover's announce (docs/api.md, `handover`); an unsigned one is a batch record.
const HANDOVER_FIELDS = ["installation_id", "representative", "position", "phone", "language", "signed_at",
  "size", "sha256", "device_time", "replaces"];
const HANDOVER_STATES = { signed: "handover_state_signed", absent: "handover_state_absent",
  refused: "handover_state_refused" };

export const KINDS = [
  { type: "scan", table: "scans", screen: "scan", label: "kind_scan", supersedes: true,
    load: () => import("./scan.js"),
    tile: { title: "scan", detail: (c) => (c.scanned ? t("tag_scanned") : t("tag_not_scanned")) } },
  { type: "splice", table: "splices", screen: "splices", label: "kind_splice",
    load: () => import("./splices.js"),
    tile: { title: "splices", detail: (c) => t("splices_count", { n: c.splices }) } },
  { type: "photo", table: "photos", screen: "photos", label: "kind_photo",
    load: () => import("./photos.js"),
    file: { path: "/api/v1/photos", fields: PHOTO_FIELDS },
    tile: { title: "photos", detail: (c) => t("photos_count", { have: c.photos_have, need: c.photos_need }) } },
  // Attached on a closure's splices screen, so it has no tile or screen of its own.
  { type: "trace", table: "traces", screen: "splices", label: "kind_trace",
    load: () => import("./splices.js"),
    file: { path: "/api/v1/files/trace", fields: TRACE_FIELDS } },
  { type: "speed_test", table: "speed_tests", screen: "speed", label: "kind_speed_test", supersedes: true,
    load: () => import("./speed.js"),
    tile: { title: "speed_test", detail: (c) => t(`speed_${c.speed}`) } },
  { type: "equipment", table: "equipment", screen: "equipment", label: "kind_equipment",
    load: () => import("./equipment.js"),
    tile: { title: "equipment", detail: (c, view) => t("equipment_count", { n: view.equipment.length }) } },
  // Signed: a file (the signature); absent or refused: a record. Both are the site's `handovers`.
  { type: "handover", table: "handovers", screen: "handover", label: "kind_handover",
    load: () => import("./handover.js"),
    file: { path: "/api/v1/files/handover", fields: HANDOVER_FIELDS },
    tile: { title: "handover", detail: (c, view) => {
      const last = view.handovers.find((x) => x.outcome === "signed") || view.handovers.at(-1);
      return t(last ? HANDOVER_STATES[last.outcome] : "handover_state_missing");
    } } },
  { type: "note", table: "notes", screen: "notes", label: "kind_note",
    load: () => import("./notes.js"),
    tile: { title: "notes", detail: (c, view) => String(view.notes.length) } },
  // Answers to the reviewer and "not applicable" claims (review_loop.js), written next to the
  // returned item on the site's items screen; the tile counts the items waiting there.
  { type: "reply", table: "replies", screen: "items", label: "kind_reply",
    load: () => import("./items.js"),
    tile: { title: "loop_items", detail: (c, view, site) => itemsDetail(site) } },
  // The phone keeps its own submissions until the site's status says what became of them.
  { type: "submission", table: null, screen: "submit", label: "kind_submission", supersedes: true,
    load: () => import("./submit.js"),
    tile: { title: "submit", detail: () => null } },
];

function itemsDetail(site) {
  const open = ((site && site.returned_items) || []).filter((item) => !item.resolved_at).length;
  return open ? t("loop_open_items", { n: open }) : null;
}

const TYPES = new Map(KINDS.map((kind) => [kind.type, kind]));
const TABLES = new Map(KINDS.filter((kind) => kind.table).map((kind) => [kind.table, kind]));

/** The kind of a record type ("splice"), or undefined. */
export const byType = (type) => TYPES.get(type);

/** The kind whose records a site lists under `table` ("splices"), or undefined. */
export const byTable = (table) => TABLES.get(table);

/** The type of a queued file: its `kind`, else a photo (files queued before kinds existed). */
export const fileType = (item) => item.kind || "photo";

/** The kind of a queued file. */
export const ofFile = (item) => byType(fileType(item));

/** Message key of a type's name; an unknown type shows its key, as before. */
export const label = (type) => byType(type)?.label ?? `kind_${type}`;

/** Where a kind's screen is for one site. */
export const href = (kind, siteId) => `#/site/${siteId}/${kind ? kind.screen : ""}`;
