// My sites and one site: its checklist, what the supervisor returned, and a tile per kind of
// evidence (static/js/kinds.js) leading to that kind's screen.
import * as sitedata from "./sitedata.js";
import * as store from "./store.js";
import { inboxLink, returnedLine } from "./review_loop.js";
import { checklist } from "./checklist.js";
import { searchKey } from "./translit.js";
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
  const parts = [h("span", {}, t("photos_count", { have: c.photos_have, need: c.photos_need })),
    " · ", h("span", {}, t("splices_count", { n: c.splices })), " · ",
    c.speed === "done" ? h("span", {}, t("speed_done")) : h("span", { class: "missing" }, speedLabel(c))];
  if (!c.scanned) parts.push(" · ", h("span", { class: "missing" }, t("tag_not_scanned")));
  // What came back first: it is what the technician goes to the site for.
  if (c.returned) parts.unshift(h("span", { class: "missing returned-count" }, t("returned_count", { n: c.returned })), " · ");
  return parts;
}

export async function everything() {
  return { sites: await store.all("sites"), outbox: await store.all("outbox"),
    photos: await store.all("photos"), labels: (await store.get("meta", "labels")) || {},
    profiles: (await store.get("meta", "profiles")) || {} };
}

// What the list is narrowed to and sorted by survives a redraw (a sync finishing mid-search).
const listState = { query: "", here: null, locating: false };

export async function list(container) {
  active = () => list(container);
  const data = await everything();
  const rows = data.sites.map((site) => {
    const view = sitedata.localView(site, data.outbox, data.photos);
    return { site, view, status: sitedata.displayStatus(site, view), key: siteKey(site),
      km: distanceKm(listState.here, site.institution || {}) };
  }).sort(listState.here ? byDistance : byStatus);
  const tools = container.querySelector(".sites-tools");
  const items = h("ul", { class: "sites" }, rows.map((row) => siteItem(row, data)));
  if (tools) {
    // A redraw while the technician types: only the list changes, the search keeps its focus.
    container.querySelector("ul.sites").replaceWith(items);
    container.querySelector("h1 .count").textContent = rows.length;
    container.querySelector(".locate").replaceWith(locateButton(container));
    return filter(container);
  }
  const search = h("input", { type: "search", name: "site_search", value: listState.query, autocomplete: "off",
    placeholder: t("search_sites"), "aria-label": t("search_sites"),
    oninput: () => { listState.query = search.value; filter(container); } });
  mount(container,
    h("h1", {}, t("my_sites"), " ", h("span", { class: "count" }, rows.length)),
    rows.length ? null : h("p", { class: "empty" }, t("no_sites")),
    h("a", { class: "button block scan-any", href: "#/scan" }, t("scan")),
    inboxLink(data.sites, data.outbox),
    rows.length ? h("div", { class: "sites-tools" }, search, locateButton(container)) : null,
    h("p", { class: "help locate-status", role: "status" }),
    h("p", { class: "empty no-match", hidden: true }, t("no_match")),
    items);
  filter(container);
}

const byStatus = (a, b) => (STATUS_ORDER[a.status] ?? 4) - (STATUS_ORDER[b.status] ?? 4)
  || name(a.site).localeCompare(name(b.site));
const byDistance = (a, b) => (a.km ?? Infinity) - (b.km ?? Infinity) || byStatus(a, b);

function siteKey(site) {
  // Typed in Latin or Cyrillic, either language's name of the site, its village or district.
  const inst = site.institution || {};
  return ["name_kk", "name_ru", "settlement_kk", "settlement_ru", "district_kk", "district_ru", "address"]
    .map((field) => searchKey(inst[field])).join(" ");
}

function siteItem({ site, view, status, key, km }, data) {
  return h("li", { class: `site status-${status}`, "data-key": key },
    h("a", { class: "site-link", href: `#/site/${site.id}` },
      h("div", { class: "site-head" }, h("strong", { class: "site-name" }, name(site)),
        h("span", { class: `badge badge-${status}` }, t(`status_${status}`))),
      h("div", { class: "site-place" }, place(site, data.labels),
        km != null ? h("span", { class: "distance" }, ` · ${t("km_away", { km: km.toFixed(1) })}`) : null),
      h("div", { class: "site-missing" }, summary(checklist(site, view, data.profiles)))));
}

function filter(container) {
  // Every word typed must be in the site's key; keys and words fold alike (translit.js).
  const words = listState.query.split(/\s+/).map(searchKey).filter(Boolean);
  let shown = 0;
  for (const li of container.querySelectorAll("ul.sites > li")) {
    li.hidden = !words.every((word) => li.dataset.key.includes(word));
    if (!li.hidden) shown += 1;
  }
  const none = container.querySelector(".no-match");
  if (none) none.hidden = shown > 0 || !words.length;
}

function locateButton(container) {
  // Nearest first, from where the technician stands: GPS works without network. The site's
  // distance is from the same coordinates its "Open on the map" (geo:) link uses.
  const label = listState.locating ? t("locating") : listState.here ? t("sort_by_status") : t("sort_nearest");
  return h("button", { type: "button", class: "locate", name: "nearest", disabled: listState.locating, onclick: () => {
    if (listState.here) {
      listState.here = null;
      return list(container);
    }
    if (!navigator.geolocation) return;
    listState.locating = true;
    container.querySelector(".locate").replaceWith(locateButton(container));
    navigator.geolocation.getCurrentPosition((pos) => {
      listState.locating = false;
      listState.here = { lat: pos.coords.latitude, lon: pos.coords.longitude };
      list(container);
    }, () => {
      listState.locating = false;
      list(container).then(() => { container.querySelector(".locate-status").textContent = t("gps_unavailable"); });
    }, { timeout: 15000, maximumAge: 120000 });
  } }, label);
}

function distanceKm(here, inst) {
  // Great-circle distance (haversine): good to metres at village scale.
  if (!here || inst.lat == null || inst.lon == null) return null;
  const rad = Math.PI / 180;
  const dLat = (inst.lat - here.lat) * rad;
  const dLon = (inst.lon - here.lon) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(here.lat * rad) * Math.cos(inst.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 6371 * 2 * Math.asin(Math.sqrt(a));
}

export async function site(container, id) {
  active = () => site(container, id);
  const data = await everything();
  const s = data.sites.find((x) => x.id === Number(id));
  if (!s) return notFound(container);
  const view = sitedata.localView(s, data.outbox, data.photos);
  const c = checklist(s, view, data.profiles);
  const status = sitedata.displayStatus(s, view);
  const inst = s.institution || {};
  const map = inst.lat != null ? `geo:${inst.lat},${inst.lon}?q=${inst.lat},${inst.lon}` : null;
  const tile = (kind) => {
    const extra = kind.tile.detail(c, view, s);
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
      shotOf(item) ? ` (${(labels.shots || {})[shotOf(item)] || (site.added_shots || {})[shotOf(item)] || shotOf(item)})` : "",
      ": ", returnedLine(site, item, labels), " ",
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

/** Whether the screen shown is one that redraws from the data (the list or a site), not a form. */
export const showsData = () => Boolean(active);

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
