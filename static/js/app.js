// The technician app's entry: service worker, strings, outbox, and hash routing between
// screens rendered from IndexedDB (so every screen works offline).
import * as i18n from "./i18n.js";
import * as inbox from "./inbox.js";
import * as outbox from "./outbox.js";
import * as panel from "./panel.js";
import * as scan from "./scan.js";
import * as screens from "./screens.js";
import { KINDS } from "./kinds.js";
import { t } from "./i18n.js";
// Screens that load with the app, as they always have (so they open offline even before the
// service worker holds them); the other kinds' screens load on first use.
import "./notes.js";
import "./speed.js";
import "./submit.js";

// Each kind's screen (static/js/kinds.js) at #/site/<id>/<screen>, loaded when first opened.
const ROUTES = [
  ...KINDS.map((kind) => [new RegExp(`^#/site/(\\d+)/${kind.screen}$`),
    (id, c) => kind.load().then((m) => m.render(c, id))]),
  [/^#\/site\/(\d+)$/, (id, c) => screens.site(c, id)],
  [/^#\/scan$/, (id, c) => scan.render(c, null)],
  [/^#\/inbox$/, (id, c) => inbox.render(c)],
];
let cleanup = null;
let visits = 0;

function freshSlot() {
  // Each screen draws into its own element. A slower render of a screen already left (an
  // IndexedDB read still pending, a list refresh) then lands in a detached element instead
  // of replacing the screen the technician has moved on to.
  const slot = document.createElement("div");
  document.getElementById("screen").replaceChildren(slot);
  return slot;
}

async function route() {
  const visit = (visits += 1);
  const container = freshSlot();
  if (cleanup) cleanup();
  cleanup = null;
  screens.leave();
  window.scrollTo(0, 0);
  for (const [pattern, render] of ROUTES) {
    const match = location.hash.match(pattern);
    if (match) {
      const release = (await render(match[1], container)) || null;
      // A screen left before it finished drawing releases what it took (a camera, a timer)
      // at once, and never takes the place of the current screen's release.
      if (visit === visits) cleanup = release;
      else if (release) release();
      return;
    }
  }
  await screens.list(container);
}

async function openTagPath() {
  // Opened through a tag URL (/T/<code>): match it on the phone, then show the site.
  const match = location.pathname.match(/^\/t\/([^/]+)$/i);
  if (!match) return;
  history.replaceState(null, "", "/tech/app#/scan");
  await scan.handleCode(decodeURIComponent(match[1]), null, freshSlot());
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  const hadController = Boolean(navigator.serviceWorker.controller);
  if (hadController) document.body.dataset.controlled = "1";
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    document.body.dataset.controlled = "1";
    if (hadController) panel.notice(t("updated"), t("reload"), () => location.reload());
  });
  await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  // A page whose navigation began while the worker was activating is not among the clients
  // its claim() took (the install is quick now that it fetches a handful of files): ask the
  // active worker to take this page too, so it is controlled without a reload.
  const ready = await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) ready.active.postMessage("claim");
}

function showNetwork() {
  const net = document.getElementById("net");
  // What the app is doing, not just what the phone believes: sending, no network, or online.
  const online = navigator.onLine && !outbox.state.offline;
  net.textContent = !online ? t("offline") : outbox.state.running ? t("net_sending") : t("online");
  net.className = `net ${online ? "net-on" : "net-off"}`;
}

function newStrings() {
  // Strings that differ from those the shell started on: the list or a site screen is drawn
  // again in them at once; a form keeps what is typed and the next screen has them.
  document.title = t("app_title");
  showNetwork();
  if (screens.showsData()) route();
}

async function boot() {
  await i18n.load(document.body.dataset.messagesUrl);
  document.title = t("app_title");
  registerWorker().catch((error) => console.warn("service worker", error));
  panel.start(document.getElementById("outbox"));
  for (const event of ["online", "offline", "fieldapp:outbox"]) window.addEventListener(event, showNetwork);
  showNetwork();
  window.addEventListener("hashchange", route);
  window.addEventListener("fieldapp:change", (event) => {
    if (event.detail === "sites" || event.detail === "outbox" || event.detail === "photos") screens.refresh();
    if (event.detail === "messages") newStrings();
  });
  if (/^\/t\//i.test(location.pathname)) await openTagPath();
  else await route();
  outbox.start();
  document.body.dataset.ready = "1";
}

boot();
