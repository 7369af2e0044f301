// Notes on a site: write one (or correct a refused one), and the site's current notes.
import * as outbox from "./outbox.js";
import * as sitedata from "./sitedata.js";
import * as store from "./store.js";
import { h, mount, field, oneAtATime, setError } from "./dom.js";
import { leave, name, notFound } from "./screens.js";
import { t } from "./i18n.js";

export async function render(container, id, draft = "", replaces = null) {
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
