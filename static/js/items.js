// One site's returned items and conversations (#/site/<id>/items): each item's standard
// reason and text, the reviewer's drawing over the returned photo (kept on the phone, so it
// shows offline), the messages both ways, an answer box, "not applicable here" for a shot,
// and a link to redo it on its own screen. The screen of the `reply` kind (kinds.js).
import * as sitedata from "./sitedata.js";
import * as store from "./store.js";
import * as loop from "./review_loop.js";
import { byType, href, label } from "./kinds.js";
import { h, mount } from "./dom.js";
import { leave, name, notFound } from "./screens.js";
import { t } from "./i18n.js";

/** The items of a site to show: open returned ones first, then other conversations. */
export function entries(site, view) {
  const open = (site.returned_items || []).filter((i) => !i.resolved_at);
  const keys = new Set(open.map(loop.keyOf));
  const talk = Object.keys(site.conversation || {}).concat((view.replies || []).map(loop.keyOf))
    .filter((key, index, all) => !keys.has(key) && all.indexOf(key) === index)
    .map((key) => ({ item_kind: key.split(":")[0], item_ref: key.slice(key.indexOf(":") + 1), talk: true }));
  return [...open, ...talk];
}

function title(site, item, labels) {
  const photos = (site.records && site.records.photos) || [];
  const shot = item.item_kind === "shot" ? item.item_ref
    : item.item_kind === "photo" ? (photos.find((p) => p.id === item.item_ref) || {}).shot : null;
  const shotName = shot ? (site.added_shots || {})[shot] || (labels.shots || {})[shot] || shot : "";
  const kind = item.item_kind === "shot" ? "photo" : item.item_kind;
  return [t(label(kind)), shotName ? ` (${shotName})` : ""];
}

async function card(site, view, item, labels, redraw) {
  const key = loop.keyOf(item);
  const kind = byType(item.item_kind === "shot" ? "photo" : item.item_kind);
  const photo = ((site.records && site.records.photos) || []).find((p) => p.id === item.item_ref);
  return h("li", { class: "card item", "data-item": key },
    h("h2", {}, title(site, item, labels)),
    item.talk ? null : h("p", { class: "fail reason" }, loop.reasonText(item, labels)),
    item.talk ? null : await loop.markedPhoto(item, photo),
    item.item_kind === "shot" ? loop.naState(loop.withClaims(site, view), item.item_ref) : null,
    loop.thread(loop.messages(site, view, key)),
    loop.answerForm(site, item.item_kind, item.item_ref, item.item_kind === "shot", redraw),
    kind && !item.talk ? h("a", { class: "button block", href: href(kind, site.id) }, t("loop_redo")) : null);
}

export async function render(container, id) {
  leave();
  const draw = async () => {
    const site = await sitedata.load(id);
    if (!site) return notFound(container);
    loop.releasePhotos();
    const view = sitedata.localView(site, await store.all("outbox"), []);
    const labels = (await store.get("meta", "labels")) || {};
    const items = entries(site, view);
    const cards = [];
    for (const item of items) cards.push(await card(site, view, item, labels, draw));
    mount(container,
      h("a", { class: "back", href: `#/site/${site.id}` }, "← ", name(site)),
      h("h1", {}, t("loop_items")),
      items.length ? h("ul", { class: "items" }, cards) : h("p", { class: "empty" }, t("loop_nothing")),
      // Answering does not send the site back to review: submitting it again does.
      site.status === "returned" ? h("p", { class: "help" }, t("loop_submit_hint")) : null,
      site.status === "returned" ? h("a", { class: "button block primary", href: `#/site/${site.id}/submit` }, t("submit")) : null);
  };
  // A sync confirms answers and brings the reviewer's: redraw, unless an answer is being typed.
  const redraw = () => {
    if (![...container.querySelectorAll("textarea")].some((area) => area.value.trim())) draw();
  };
  window.addEventListener("fieldapp:change", redraw);
  await draw();
  return () => {
    window.removeEventListener("fieldapp:change", redraw);
    loop.releasePhotos();
  };
}
