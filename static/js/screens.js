// My sites and one site: its checklist, what the supervisor returned, and a tile per kind of
// evidence (static/js/kinds.js) leading to that kind's screen.
import * as sitedata from "./sitedata.js";
import * as store from "./store.js";
import { KINDS, byType, href, label } from "./kinds.js";
import { h, mount } from "./dom.js";
import { t } from "./i18n.js";

const STATUS_ORDER = { returned: 0, in_progress: 1, planned: 2, submit_queued: 3, submitted: 3 };
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
  if (!c.ont) parts.push(" · ", h("span", { class: "missing" }, t("ont_missing")));
  if (!c.handedOver) parts.push(" · ", h("span", { class: "missing" }, t("handover_state_missing")));
  return parts;
}

export async function everything() {
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
  const tile = (kind) => {
    const extra = kind.tile.detail(c, view);
    return h("a", { class: "tile", href: href(kind, s.id) }, h("strong", {}, t(kind.tile.title)), extra && h("small", {}, extra));
  };
  mount(container,
    h("a", { class: "back", href: "#/" }, "← ", t("my_sites")),
    h("h1", {}, name(s), " ", h("span", { class: `badge badge-${status}` }, t(`status_${status}`))),
    h("p", { class: "site-place" }, place(s, data.labels), inst.address ? ` · ${inst.address}` : ""),
    map && h("p", {}, h("a", { class: "tap", href: map }, t("open_map")), ` ${inst.lat.toFixed(5)}, ${inst.lon.toFixed(5)}`),
    h("p", { class: "checklist" }, summary(c)),
    returned(s, data.labels),
    h("nav", { class: "tiles" }, KINDS.filter((kind) => kind.tile).map(tile)));
}

function returned(site, labels) {
  const items = (site.returned_items || []).filter((i) => !i.resolved_at);
  if (!items.length) return null;
  const photos = (site.records && site.records.photos) || [];
  // Name the shot a returned photo was taken for, so the technician knows which to retake.
  const shotOf = (item) => item.item_kind === "shot" ? item.item_ref
    : item.item_kind === "photo" ? (photos.find((p) => p.id === item.item_ref) || {}).shot : null;
  // A returned shot (a photo still missing) is put right on the photos screen, like a photo.
  const kindOf = (item) => (item.item_kind === "shot" ? "photo" : item.item_kind);
  return h("section", { class: "returned card" }, h("h2", {}, t("returned_items")),
    h("ul", {}, items.map((item) => h("li", {},
      h("strong", {}, t(label(kindOf(item)))),
      shotOf(item) ? ` (${(labels.shots || {})[shotOf(item)] || shotOf(item)})` : "",
      ": ", item.reason, " ",
      h("a", { class: "tap", href: href(byType(kindOf(item)), site.id) }, t("fix"))))));
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
