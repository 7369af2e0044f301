// The outbox, visible on every screen: what waits, what is being sent (a bar per photo and
// overall), what the server refused and why, what is parked after repeated server errors,
// and "Sync now". It shows the signed-in user's items; another user's only as a count.
import * as batches from "./batches.js";
import * as outbox from "./outbox.js";
import * as store from "./store.js";
import { byType, fileType, href, label } from "./kinds.js";
import { h, mount } from "./dom.js";
import { parked as isParked } from "./retry.js";
import { t } from "./i18n.js";

let container = null;
let open = false;

export function start(element) {
  container = element;
  container.setAttribute("aria-label", t("outbox")); // the cached shell holds no text of its own
  for (const event of ["fieldapp:outbox", "fieldapp:change", "online", "offline"]) {
    window.addEventListener(event, () => render());
  }
  render();
}

export function notice(text, action, onAction) {
  const box = document.getElementById("notice");
  mount(box, h("span", {}, text), action && h("button", { class: "link", onclick: onAction }, action));
  box.hidden = false;
}

async function render() {
  if (!container) return;
  const user = ((await store.get("meta", "user")) || {}).id ?? null;
  const allRecords = await store.all("outbox");
  const allPhotos = await store.all("photos");
  const records = allRecords.filter((r) => batches.mine(r, user));
  const photos = allPhotos.filter((p) => batches.mine(p, user));
  const others = allRecords.length - records.length + allPhotos.length - photos.length;
  const parkedBatches = (await batches.list()).filter((b) => batches.mine(b, user) && isParked(b));
  const parkedPhotos = photos.filter((p) => p.state === "pending" && isParked(p));
  const failedRecords = records.filter((r) => r.state !== "pending");
  const failedPhotos = photos.filter((p) => p.state === "failed");
  const waitingRecords = records.length - failedRecords.length;
  const waitingPhotos = photos.length - failedPhotos.length;
  const state = outbox.state;
  const empty = !records.length && !photos.length;
  const refused = failedRecords.length + failedPhotos.length;
  // What waits is said only when something waits; what was refused is always said, first.
  const headline = empty ? t("outbox_empty") : [
    refused ? t("outbox_refused", { n: refused }) : null,
    waitingRecords || waitingPhotos || !refused
      ? t("outbox_waiting", { records: waitingRecords, photos: waitingPhotos }) : null,
  ].filter(Boolean).join(" · ");
  container.dataset.records = waitingRecords;
  container.dataset.photos = waitingPhotos;
  container.dataset.failed = failedRecords.length + failedPhotos.length;
  container.dataset.parked = parkedBatches.length + parkedPhotos.length;
  container.dataset.others = others;
  const trouble = failedRecords.length + failedPhotos.length + parkedBatches.length + parkedPhotos.length;
  container.classList.toggle("has-failures", Boolean(trouble));
  mount(container,
    h("div", { class: "outbox-bar" },
      h("button", { class: "link outbox-toggle", "aria-expanded": String(open),
        onclick: () => { open = !open; render(); } }, headline),
      h("button", { class: "sync-now", disabled: state.running, onclick: () => outbox.sync() },
        state.running ? t("syncing") : t("sync_now"))),
    overall(photos),
    state.offline && !empty ? h("p", { class: "help no-network" }, t("no_network_kept")) : null,
    state.signedOut ? h("p", { class: "error" }, t("signed_out"), " ",
      h("a", { href: document.body.dataset.loginUrl }, t("sign_in"))) : null,
    others ? h("p", { class: "others" }, t("other_user_items", { n: others })) : null,
    parked(parkedBatches, parkedPhotos),
    failures(failedRecords, failedPhotos),
    open ? details(records, photos) : null);
}

function parked(parkedBatches, parkedPhotos) {
  // The server failed on these again and again: they wait aside, the rest is still sent.
  if (!parkedBatches.length && !parkedPhotos.length) return null;
  const item = (what, entry) => h("li", { class: "failure parked" },
    h("strong", {}, t("server_error"), ": ", what), " ",
    h("span", { class: "reason" }, entry.message || entry.code), " ",
    h("small", {}, t("next_try", { time: new Date(entry.retryAt).toLocaleTimeString() })),
    h("div", { class: "actions" }, h("button", { class: "retry", disabled: outbox.state.running,
      onclick: () => outbox.retryParked() }, t("retry"))));
  return h("ul", { class: "failures" },
    parkedBatches.map((b) => item(t("records_n", { n: b.records.length }), b)),
    parkedPhotos.map((p) => item(`${t(label(fileType(p)))} ${p.caption || p.shot || p.filename || ""}`, p)));
}

function overall(photos) {
  const sending = Object.values(outbox.state.progress);
  if (!sending.length) return null;
  const total = photos.reduce((sum, p) => sum + p.size, 0) || 1;
  const sent = sending.reduce((sum, p) => sum + p.sent, 0);
  return h("progress", { class: "overall", max: total, value: Math.min(sent, total) });
}

function failures(records, photos) {
  if (!records.length && !photos.length) return null;
  return h("ul", { class: "failures" },
    records.map((r) => h("li", { class: "failure" },
      h("strong", {}, t("failed"), ": ", t(label(r.type))), " ", h("span", { class: "reason" }, r.message || r.code),
      h("div", { class: "actions" },
        // Put right on the screen that makes a record of its kind.
        h("a", { class: "button", href: href(byType(r.type), r.installation_id),
          onclick: () => { outbox.state.correct = r.id; } }, t("fix")),
        h("button", { class: "danger", onclick: () => discard("outbox", r.id) }, t("discard"))))),
    photos.map((p) => h("li", { class: "failure" },
      h("strong", {}, t("failed"), ": ", t(label(fileType(p)))), " ", h("span", { class: "reason" }, p.message || p.code),
      h("div", { class: "actions" },
        h("button", { onclick: () => retryPhoto(p) }, t("sync_now")),
        h("button", { class: "danger", onclick: () => discard("photos", p.id) }, t("discard"))))));
}

function details(records, photos) {
  return h("div", { class: "outbox-details" },
    outbox.state.lastSync ? h("p", {}, t("last_sync", { time: new Date(outbox.state.lastSync).toLocaleTimeString() })) : null,
    h("ul", {}, Object.entries(countBy(records.filter((r) => r.state === "pending"), (r) => r.type))
      .map(([type, n]) => h("li", {}, `${t(label(type))}: ${n}`)),
      photos.filter((p) => p.state !== "failed").map((p) => {
        const progress = outbox.state.progress[p.id];
        // A held file waits for the technician, not for the network: say what it waits for.
        return h("li", {}, t(label(fileType(p))), " ", p.caption || p.shot || p.filename || "", " ",
          p.held ? h("small", { class: "held" }, t("trace_held"))
            : h("progress", { max: p.size, value: progress ? progress.sent : 0 }));
      })));
}

function countBy(items, key) {
  const counts = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] || 0) + 1;
  return counts;
}

async function discard(storeName, id) {
  // Never silently: the technician confirms that this item goes for good.
  if (!window.confirm(t("discard_confirm"))) return;
  await store.del(storeName, id);
}

async function retryPhoto(photo) {
  await store.put("photos", { ...photo, state: "pending", message: null, retryAt: 0 });
  outbox.sync();
}
