// My sites, one site, notes and submit: the screens that only read and write records.
import * as outbox from "./outbox.js";
import * as sitedata from "./sitedata.js";
import * as store from "./store.js";
import { h, mount, field, setError } from "./dom.js";
import { t } from "./i18n.js";

const STATUS_ORDER = { returned: 0, in_progress: 1, planned: 2, submitted: 3 };
let active = null;
let refreshing = null;

export function name(site) {
  const lang = document.documentElement.lang;
  const inst = site.institution || {};
  return (lang === "kk" ? inst.name_kk || inst.name_ru : inst.name_ru || inst.name_kk) || `#${site.id}`;
}

function place(site, labels) {
  const inst = site.institution || {};
  const kk = document.documentElement.lang === "kk";
  const type = (labels.types || {})[inst.type] || inst.type;
  return `${type} · ${kk ? inst.settlement_kk : inst.settlement_ru}, ${kk ? inst.district_kk : inst.district_ru}`;
}

function speedLabel(c) {
  return t(`speed_${c.speed}`);
}

export function summary(c) {
  const parts = [h("span", {}, t("photos_count", { have: c.photosHave, need: c.photosNeed })),
    " · ", h("span", {}, t("splices_count", { n: c.splices })), " · ",
    c.speed === "done" ? h("span", {}, t("speed_done")) : h("span", { class: "missing" }, speedLabel(c))];
  if (!c.scanned) parts.push(" · ", h("span", { class: "missing" }, t("tag_not_scanned")));
  return parts;
}

async function everything() {
  return { sites: await store.all("sites"), outbox: await store.all("outbox"),
    photos: await store.all("photos"), labels: (await store.get("meta", "labels")) || {},
    profiles: (await store.get("meta", "profiles")) || {} };
}

export async function list(container) {
  active = () => list(container);
  const data = await everything();
  const rows = data.sites.map((site) => {
    const view = sitedata.localView(site, data.outbox, data.photos);
    return { site, view, status: sitedata.displayStatus(site, view) };
  }).sort((a, b) => (STATUS_ORDER[a.status] ?? 4) - (STATUS_ORDER[b.status] ?? 4)
    || name(a.site).localeCompare(name(b.site)));
  mount(container,
    h("h1", {}, t("my_sites"), " ", h("span", { class: "count" }, rows.length)),
    rows.length ? null : h("p", { class: "empty" }, t("no_sites")),
    h("a", { class: "button block scan-any", href: "#/scan" }, t("scan")),
    h("ul", { class: "sites" }, rows.map(({ site, view, status }) =>
      h("li", { class: `site status-${status}` },
        h("a", { class: "site-link", href: `#/site/${site.id}` },
          h("div", { class: "site-head" }, h("strong", { class: "site-name" }, name(site)),
            h("span", { class: `badge badge-${status}` }, t(`status_${status}`))),
          h("div", { class: "site-place" }, place(site, data.labels)),
          h("div", { class: "site-missing" }, summary(sitedata.checklist(site, view, data.profiles))))))));
}

export async function site(container, id) {
  active = () => site(container, id);
  const data = await everything();
  const s = data.sites.find((x) => x.id === Number(id));
  if (!s) return notFound(container);
  const view = sitedata.localView(s, data.outbox, data.photos);
  const c = sitedata.checklist(s, view, data.profiles);
  const status = sitedata.displayStatus(s, view);
  const inst = s.institution || {};
  const map = inst.lat != null ? `geo:${inst.lat},${inst.lon}?q=${inst.lat},${inst.lon}` : null;
  const tile = (href, label, extra) => h("a", { class: "tile", href }, h("strong", {}, label), extra && h("small", {}, extra));
  mount(container,
    h("a", { class: "back", href: "#/" }, "← ", t("my_sites")),
    h("h1", {}, name(s), " ", h("span", { class: `badge badge-${status}` }, t(`status_${status}`))),
    h("p", { class: "site-place" }, place(s, data.labels), inst.address ? ` · ${inst.address}` : ""),
    map && h("p", {}, h("a", { class: "tap", href: map }, t("open_map")), ` ${inst.lat.toFixed(5)}, ${inst.lon.toFixed(5)}`),
    h("p", { class: "checklist" }, summary(c)),
    returned(s, data.labels),
    h("nav", { class: "tiles" },
      tile(`#/site/${s.id}/scan`, t("scan"), c.scanned ? t("tag_scanned") : t("tag_not_scanned")),
      tile(`#/site/${s.id}/splices`, t("splices"), t("splices_count", { n: c.splices })),
      tile(`#/site/${s.id}/photos`, t("photos"), t("photos_count", { have: c.photosHave, need: c.photosNeed })),
      tile(`#/site/${s.id}/speed`, t("speed_test"), speedLabel(c)),
      tile(`#/site/${s.id}/notes`, t("notes"), String(view.notes.length)),
      tile(`#/site/${s.id}/submit`, t("submit"))));
}

function returned(site, labels) {
  const items = (site.returned_items || []).filter((i) => !i.resolved_at);
  if (!items.length) return null;
  const target = { photo: "photos", shot: "photos", splice: "splices", speed_test: "speed", scan: "scan", note: "notes" };
  const photos = (site.records && site.records.photos) || [];
  // Name the shot a returned photo was taken for, so the technician knows which to retake.
  const shotOf = (item) => item.item_kind === "shot" ? item.item_ref
    : item.item_kind === "photo" ? (photos.find((p) => p.id === item.item_ref) || {}).shot : null;
  return h("section", { class: "returned card" }, h("h2", {}, t("returned_items")),
    h("ul", {}, items.map((item) => h("li", {},
      h("strong", {}, t(`kind_${item.item_kind === "shot" ? "photo" : item.item_kind}`)),
      shotOf(item) ? ` (${(labels.shots || {})[shotOf(item)] || shotOf(item)})` : "",
      ": ", item.reason, " ",
      h("a", { class: "tap", href: `#/site/${site.id}/${target[item.item_kind] || ""}` }, t("fix"))))));
}

export function refresh() {
  // Sites, outbox or photos changed: redraw the list or site screen (never a form).
  if (!active || refreshing) return;
  refreshing = setTimeout(() => {
    refreshing = null;
    if (active) active();
  }, 150);
}

export function leave() {
  active = null;
}

export function notFound(container) {
  leave();
  mount(container, h("a", { class: "back", href: "#/" }, "← ", t("my_sites")), h("p", { class: "empty" }, t("site_not_found")));
}

export function unavailable(container, id, message) {
  leave();
  mount(container, h("a", { class: "back", href: `#/site/${id}` }, "← ", t("back")), h("p", { class: "empty" }, message));
}

export async function notes(container, id, draft = "", replaces = null) {
  leave();
  const s = await sitedata.load(id);
  if (!s) return notFound(container);
  const queued = await store.all("outbox");
  const view = sitedata.localView(s, queued, []);
  // Correcting a refused note: its text comes back; saving makes a new record in its place.
  const refused = queued.find((r) => r.id === outbox.state.correct && r.type === "note");
  outbox.state.correct = null;
  const text = h("textarea", { name: "note", placeholder: t("note_placeholder"),
    value: refused ? refused.data.text : draft });
  const form = h("form", { class: "card", novalidate: true, onsubmit: oneAtATime(async () => {
    if (!text.value.trim()) return setError(text, t("err_required"));
    await outbox.saveRecord("note", s.id, { text: text.value.trim() }, refused ? refused.replaces : replaces);
    if (refused) await store.del("outbox", refused.id);
    location.hash = `#/site/${s.id}`;
  }) }, field(t("notes"), text), h("button", { class: "primary block" }, t("save")));
  mount(container, h("a", { class: "back", href: `#/site/${s.id}` }, "← ", name(s)),
    h("h1", {}, t("notes")), form,
    h("ul", { class: "notes" }, view.notes.filter((n) => !refused || n.id !== refused.id).map((n) => h("li", {}, n.text, n.waiting ? h("small", {}, ` (${t("waiting")})`) : ""))));
}

// A double tap (gloves, a slow phone) must not save twice: while one save is under way, the
// form ignores further submits.
function oneAtATime(save) {
  let busy = false;
  return async (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    try {
      await save(event);
    } finally {
      busy = false;
    }
  };
}

export async function submit(container, id) {
  leave();
  const s = await sitedata.load(id);
  if (!s) return notFound(container);
  const data = await everything();
  const c = sitedata.checklist(s, sitedata.localView(s, data.outbox, data.photos), data.profiles);
  const comment = h("textarea", { name: "comment" });
  const done = h("p", { class: "flash flash-success", role: "status", hidden: true }, t("submitted_queued"));
  const form = h("form", { class: "card", onsubmit: oneAtATime(async () => {
    await outbox.saveRecord("submission", s.id, { comment: comment.value.trim() });
    form.hidden = true;
    done.hidden = false;
  }) }, h("p", { class: "checklist" }, summary(c)), h("p", { class: "help" }, t("submit_help")),
  field(t("comment"), comment), h("button", { class: "primary block", name: "submit" }, t("submit")));
  mount(container, h("a", { class: "back", href: `#/site/${s.id}` }, "← ", name(s)), h("h1", {}, t("submit")), form, done);
}
