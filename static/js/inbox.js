// One inbox for the technician (#/inbox): every open returned item and every reviewer message
// still to answer, across all of their sites, oldest first, each one tap from the site's
// items screen. Read from IndexedDB, so it works offline.
import * as store from "./store.js";
import * as loop from "./review_loop.js";
import { h, mount } from "./dom.js";
import { leave, name } from "./screens.js";
import { t } from "./i18n.js";

export async function render(container) {
  leave();
  const labels = (await store.get("meta", "labels")) || {};
  const rows = loop.inboxRows(await store.all("sites"), await store.all("outbox"), labels);
  mount(container,
    h("a", { class: "back", href: "#/" }, "← ", t("my_sites")),
    h("h1", {}, t("loop_inbox"), " ", h("span", { class: "count" }, rows.length)),
    rows.length ? h("ul", { class: "inbox" }, rows.map((row) => h("li", {},
      h("a", { class: `inbox-item card${row.unanswered ? " unanswered" : ""}`, href: `#/site/${row.site.id}/items`,
        "data-item": row.key },
      h("strong", {}, name(row.site)), h("small", {}, " ", loop.shown(row.at)), h("br"),
      row.unanswered ? h("span", { class: "badge badge-returned" }, t("loop_new_message")) : null, " ",
      h("span", {}, row.text))))) : h("p", { class: "empty" }, t("loop_nothing")));
}
