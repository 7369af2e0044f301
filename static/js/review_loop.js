// The review loop on the phone (docs/review.md): what a returned item says (its standard
// reason in the user's language, the free text, the reviewer's drawing over the photo), the
// conversation about it, and the technician's answers and "not applicable" claims, which are
// `reply` records queued in the outbox like any other evidence (offline first).
import * as outbox from "./outbox.js";
import * as returnedPhotos from "./returned_photos.js";
import * as sitedata from "./sitedata.js";
import { h, oneAtATime, setError, field } from "./dom.js";
import { overlay } from "./overlay.js";
import { t } from "./i18n.js";

const KZ_OFFSET_MS = 5 * 3600 * 1000;
const urls = [];

export const keyOf = (item) => `${item.item_kind}:${item.item_ref}`;

/** A stored UTC time as Kazakhstan time: "2026-11-03 14:41". */
export function shown(iso) {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? "" : new Date(time + KZ_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
}

/** "Serial number not readable — see the arrow": the standard reason, then the free text. */
export function reasonText(item, labels) {
  const code = item.reason_code ? (labels.reasons || {})[item.reason_code] || item.reason_code : "";
  return [code, item.reason].filter(Boolean).join(" — ");
}

/** Both sides' messages about one item, oldest first: the pull's, then replies not yet in it. */
export function messages(site, view, key) {
  const server = (site.conversation || {})[key] || [];
  const known = new Set(server.map((m) => m.id));
  const local = (view.replies || []).filter((r) => keyOf(r) === key && !known.has(r.id)).map((r) => ({
    id: r.id, side: "field", text: r.text, not_applicable: r.not_applicable, action: "message",
    at: r.received_at || r.device_time, waiting: Boolean(r.waiting) }));
  return [...server, ...local];
}

/** The reviewer wrote last: the technician has a message to answer. */
export function unanswered(thread) {
  const last = thread[thread.length - 1];
  return Boolean(last && last.side === "review" && last.action === "message");
}

export function thread(list) {
  if (!list.length) return null;
  return h("ul", { class: "conversation" }, list.map((m) => h("li", { class: m.side === "field" ? "from-field" : "from-review" },
    h("strong", {}, m.side === "field" ? t("loop_you") : t("loop_reviewer")), " ",
    h("small", {}, m.waiting ? t("waiting") : shown(m.at)), h("br"),
    m.not_applicable ? h("strong", {}, t("loop_not_applicable"), " — ") : null,
    m.action === "close" ? h("strong", {}, t("loop_closed"), " ") : null,
    m.action === "approve_na" ? h("strong", {}, t("loop_na_approved"), " ") : null,
    m.text)));
}

/** The returned photo with the reviewer's drawing over it, from the copy kept on the phone. */
export async function markedPhoto(item, photo) {
  if (item.item_kind !== "photo" || !(item.markup || []).length) return null;
  const blob = await returnedPhotos.get(item.item_ref);
  let image = null;
  if (blob) {
    const url = URL.createObjectURL(blob);
    urls.push(url);
    image = h("img", { src: url, alt: t("loop_marked_photo") });
  }
  return h("div", { class: `marked-photo${image ? "" : " no-image"}` }, image,
    overlay(item.markup, photo && photo.width, photo && photo.height));
}

export function releasePhotos() {
  while (urls.length) URL.revokeObjectURL(urls.pop());
}

/** Answer the reviewer on one item; for a required shot also "not applicable here". */
export function answerForm(site, itemKind, itemRef, allowNa, done) {
  const text = h("textarea", { name: "answer", rows: 3, maxlength: 5000, placeholder: t("loop_answer_placeholder") });
  const save = (notApplicable) => oneAtATime(async () => {
    if (!text.value.trim()) return setError(text, t(notApplicable ? "loop_na_reason_required" : "err_required"));
    await outbox.saveRecord("reply", site.id, { item_kind: itemKind, item_ref: itemRef, text: text.value.trim(),
      not_applicable: notApplicable });
    text.value = "";
    if (done) await done();
  });
  return h("form", { class: "answer", novalidate: true, onsubmit: save(false) },
    field(t("loop_answer"), text),
    h("div", { class: "actions" },
      h("button", { class: "primary", type: "submit" }, t("loop_send")),
      allowNa ? h("button", { class: "na", type: "button", onclick: save(true) }, t("loop_mark_na")) : null));
}

/** "Not applicable here" for a required shot that was never returned: a reason, one button. */
export function naForm(site, shot, done) {
  const text = h("textarea", { name: `na-${shot}`, rows: 2, maxlength: 5000, placeholder: t("loop_na_placeholder") });
  const save = oneAtATime(async () => {
    if (!text.value.trim()) return setError(text, t("loop_na_reason_required"));
    await outbox.saveRecord("reply", site.id, { item_kind: "shot", item_ref: shot, text: text.value.trim(),
      not_applicable: true });
    if (done) await done();
  });
  // No dom.field() here: its error slot would be a second ".error" on the shot card.
  const id = `na-${site.id}-${shot}`;
  text.id = id;
  const problem = h("p", { class: "na-error", id: `${id}-error`, role: "alert" });
  text.setAttribute("aria-describedby", problem.id);
  return h("details", { class: "na-claim" }, h("summary", {}, t("loop_mark_na")),
    h("form", { novalidate: true, onsubmit: save }, h("label", { for: id }, t("loop_na_why")), text, problem,
      h("button", { class: "na", type: "submit" }, t("loop_mark_na"))));
}

/** The site with the claims this phone made since the last pull counted as waiting for review. */
export function withClaims(site, view) {
  const known = new Set(Object.values(site.conversation || {}).flat().map((m) => m.id));
  const mine = (view.replies || []).filter((r) => r.not_applicable && r.item_kind === "shot" && !known.has(r.id));
  if (!mine.length) return site;
  const claims = { ...(site.not_applicable || {}) };
  for (const reply of mine) claims[reply.item_ref] = "pending";
  return { ...site, not_applicable: claims };
}

/** What became of a "not applicable" claim on a shot, as the pull says. */
export function naState(site, shot) {
  const state = (site.not_applicable || {})[shot];
  return state ? h("p", { class: `na-state na-${state}` }, t(`loop_na_${state}`)) : null;
}

/** [{site, item, at, unanswered}] oldest first. */
export function inboxRows(sites, outbox, labels) {
  const rows = [];
  for (const site of sites) {
    const view = sitedata.localView(site, outbox, []);
    const open = (site.returned_items || []).filter((i) => !i.resolved_at);
    for (const item of open) {
      const thread = messages(site, view, keyOf(item));
      rows.push({ site, key: keyOf(item), text: reasonText(item, labels), at: item.returned_at || "",
        unanswered: unanswered(thread) });
    }
    for (const key of Object.keys(site.conversation || {})) {
      const all = messages(site, view, key);
      if (open.some((i) => keyOf(i) === key) || !unanswered(all)) continue;
      const last = all[all.length - 1];
      rows.push({ site, key, text: last.text, at: last.at, unanswered: true });
    }
  }
  return rows.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** My sites' link to the inbox, with how many items wait there (none: no link). */
export function inboxLink(sites, queued) {
  const n = inboxRows(sites, queued, {}).length;
  return n ? h("a", { class: "button block inbox-link", href: "#/inbox" }, t("loop_inbox"), " ",
    h("span", { class: "count" }, n)) : null;
}

/** A returned item's reason; with `link`, where to answer it or see the drawing (the site
    screen has its own tile for that). */
export function returnedLine(site, item, labels, link = false) {
  return [reasonText(item, labels), link ? " " : null,
    link ? h("a", { class: "tap answer-link", href: `#/site/${site.id}/items` }, t("loop_answer")) : null];
}
