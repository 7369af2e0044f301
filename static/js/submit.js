// Submit a site for review: the checklist as it stands, a comment, queued offline like the rest.
import * as outbox from "./outbox.js";
import * as sitedata from "./sitedata.js";
import { h, mount, field, oneAtATime } from "./dom.js";
import { everything, leave, name, notFound, summary } from "./screens.js";
import { t } from "./i18n.js";

export async function render(container, id) {
  leave();
  const s = await sitedata.load(id);
  if (!s) return notFound(container);
  const data = await everything();
  const c = sitedata.checklist(s, sitedata.localView(s, data.outbox, data.photos), data.profiles);
  const comment = h("textarea", { name: "comment" });
  // A submission goes after its site's files; a trace held for its splice mark holds it too.
  const held = data.photos.filter((p) => p.installation_id === s.id && p.held && p.state === "pending").length;
  const done = h("p", { class: "flash flash-success", role: "status", hidden: true }, t("submitted_queued"));
  const form = h("form", { class: "card", onsubmit: oneAtATime(async () => {
    await outbox.saveRecord("submission", s.id, { comment: comment.value.trim() });
    form.hidden = true;
    done.hidden = false;
  }) }, h("p", { class: "checklist" }, summary(c)),
  held ? h("p", { class: "warn submit-held" }, t("submit_held_traces", { n: held }), " ",
    h("a", { class: "tap", href: `#/site/${s.id}/splices` }, t("splices"))) : null,
  h("p", { class: "help" }, t("submit_help")),
  field(t("comment"), comment), h("button", { class: "primary block", name: "submit" }, t("submit")));
  mount(container, h("a", { class: "back", href: `#/site/${s.id}` }, "← ", name(s)), h("h1", {}, t("submit")), form, done);
}
