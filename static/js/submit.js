// Submit a site for review: the checklist as it stands, a comment, queued offline like the rest.
// What is wrong (a failing splice, too few speed runs...) is said before submitting, by name;
// the technician may submit past a warning by ticking that they saw it, never past one the
// profile makes a blocker. The acknowledged warnings travel with the submission.
import * as outbox from "./outbox.js";
import * as sitedata from "./sitedata.js";
import { blocking, checklist } from "./checklist.js";
import { h, mount, field, oneAtATime } from "./dom.js";
import { everything, leave, name, notFound, summary } from "./screens.js";
import { t } from "./i18n.js";

export async function render(container, id) {
  leave();
  const s = await sitedata.load(id);
  if (!s) return notFound(container);
  const data = await everything();
  const view = sitedata.localView(s, data.outbox, data.photos);
  const c = checklist(s, view, data.profiles);
  const blockers = blocking(s, data.profiles).filter((code) => c.warnings.includes(code));
  const comment = h("textarea", { name: "comment" });
  // A submission goes after its site's files; a trace held for its splice mark holds it too.
  const held = data.photos.filter((p) => p.installation_id === s.id && p.held && p.state === "pending").length;
  const seen = h("input", { type: "checkbox", name: "acknowledge" });
  const button = h("button", { class: "primary block", name: "submit" }, t("submit"));
  const done = h("p", { class: "flash flash-success", role: "status", hidden: true }, t("submitted_queued"));
  const ready = () => { button.disabled = blockers.length > 0 || (c.warnings.length > 0 && !seen.checked); };
  seen.addEventListener("change", ready);
  ready();
  const form = h("form", { class: "card", onsubmit: oneAtATime(async () => {
    if (button.disabled) return;
    await outbox.saveRecord("submission", s.id, { comment: comment.value.trim(), warnings: c.warnings });
    form.hidden = true;
    done.hidden = false;
  }) }, h("p", { class: "checklist" }, summary(c)),
  held ? h("p", { class: "warn submit-held" }, t("submit_held_traces", { n: held }), " ",
    h("a", { class: "tap", href: `#/site/${s.id}/splices` }, t("splices"))) : null,
  warningList(c, view, data, blockers, seen),
  h("p", { class: "help" }, t("submit_help")), field(t("comment"), comment), button);
  mount(container, h("a", { class: "back", href: `#/site/${s.id}` }, "← ", name(s)), h("h1", {}, t("submit")), form, done);
}

function warningList(c, view, data, blockers, seen) {
  if (!c.warnings.length) return null;
  const shots = data.labels.shots || {};
  const failing = view.splices.filter((sp) => c.failing_splices.includes(sp.id));
  const detail = {
    // An empty site lacks every shot: three names and how many more, not a page of them.
    missing_shots: c.missing_shots.slice(0, 3).map((shot) => shots[shot] || shot).join(", ")
      + (c.missing_shots.length > 3 ? ` +${c.missing_shots.length - 3}` : ""),
    failing_splices: failing.map((sp) => `${sp.closure_label} · ${t("tray")} ${sp.tray} · ${t("slot")} ${sp.slot}`).join("; "),
    speed_not_passed: t(`speed_${c.speed}`),
    tag_not_scanned: "",
  };
  return h("section", { class: `submit-warnings ${blockers.length ? "blocked" : ""}`, role: "alert" },
    h("h2", {}, t(blockers.length ? "submit_blocked" : "submit_warnings")),
    h("ul", {}, c.warnings.map((code) => h("li", { "data-warning": code },
      h("strong", {}, t(`warning_${code}`)), detail[code] ? `: ${detail[code]}` : "",
      blockers.includes(code) ? h("span", { class: "badge badge-blocker" }, t("blocker")) : null))),
    blockers.length ? null : h("label", { class: "check" }, seen, t("submit_anyway")));
}
