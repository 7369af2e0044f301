// Scanning the site's QR tag: live camera (native BarcodeDetector, else the qr-scanner
// module loaded only now: barcode.js), a photo of the tag, or the printed ID typed in. The phone
// matches the tag ID against its sites; the HMAC check stays on the server, so a match
// here only says the site was recognised: a typo in the check characters is found at sync.
import * as barcode from "./barcode.js";
import * as outbox from "./outbox.js";
import * as sitedata from "./sitedata.js";
import * as store from "./store.js";
import { h, mount, field } from "./dom.js";
import { name } from "./screens.js";
import { t } from "./i18n.js";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LOOKALIKES = { O: "0", I: "1", L: "1", U: "V" };
const CODE_LEN = 15;
const decoder = () => barcode.decoder(["qr_code"]);

export function normalize(text) {
  // Same as fieldapp/tags.py: a scanned URL or a typed ID, dashes and look-alikes fixed.
  const last = text.trim().toUpperCase().replace(/\/+$/, "").split("/").pop();
  return last.replace(/[\s-]/g, "").replace(/[OILU]/g, (c) => LOOKALIKES[c]);
}

export function tagId(text) {
  const code = normalize(text);
  if (code.length !== CODE_LEN || [...code].some((c) => !ALPHABET.includes(c))) return null;
  return { code, id: code.slice(0, 8) };
}

async function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    const timer = setTimeout(() => resolve(null), 3000);
    navigator.geolocation.getCurrentPosition((p) => { clearTimeout(timer); resolve(p.coords); },
      () => { clearTimeout(timer); resolve(null); }, { timeout: 3000, maximumAge: 300000 });
  });
}

async function record(site, code) {
  const coords = await position();
  return outbox.saveRecord("scan", site.id, { code, lat: coords ? coords.latitude : null,
    lon: coords ? coords.longitude : null, accuracy_m: coords ? Math.round(coords.accuracy) : null });
}

function refusedNote(refused) {
  // The phone matched the ID, so a tag_invalid refusal means the check characters were wrong.
  const text = refused.code === "tag_invalid" ? t("scan_refused") : refused.message || refused.code;
  return h("p", { class: "fail scan-refused" }, text);
}

function awaitVerdict(recordId, note) {
  // After each sync: a stored scan was verified; a refused one says why, where "recognised" was.
  const check = async () => {
    if (!note.isConnected) return window.removeEventListener("fieldapp:outbox", check);
    const waiting = await store.get("outbox", recordId);
    if (waiting && waiting.state === "pending") return;
    window.removeEventListener("fieldapp:outbox", check);
    if (waiting) return note.replaceWith(refusedNote(waiting));
    note.className = "pass scan-ok scan-verified";
    note.textContent = t("scan_verified");
  };
  window.addEventListener("fieldapp:outbox", check);
}

async function refusedHere(siteId) {
  // A scan of this site the server refused (the outbox keeps it until a new scan replaces it).
  const refused = (await store.all("outbox")).find((r) => r.type === "scan" && r.state === "rejected"
    && r.installation_id === Number(siteId));
  return refused ? refusedNote(refused) : null;
}

export async function handleCode(text, siteId, container, result = null) {
  // Match a scanned or typed code; warn about another site's tag or an unknown one.
  const out = result || h("div", { class: "scan-result", role: "alert" });
  if (!result) mount(container, h("a", { class: "back", href: "#/" }, "← ", t("my_sites")), out);
  const tag = tagId(text);
  if (!tag) return mount(out, h("p", { class: "fail" }, t("scan_invalid")));
  const sites = await store.all("sites");
  const owner = sites.find((s) => (s.tag_ids || []).includes(tag.id));
  if (!owner) return mount(out, h("p", { class: "fail scan-unknown" }, t("scan_unknown")));
  const here = siteId ? sites.find((s) => s.id === Number(siteId)) : null;
  if (here && here.id !== owner.id) {
    return mount(out, h("div", { class: "wrong-site" },
      h("p", { class: "fail" }, t("scan_wrong_site", { other: name(owner), here: name(here) })),
      h("button", { type: "button", onclick: async () => {
        await record(owner, tag.code);
        location.hash = `#/site/${owner.id}`;
      } }, t("scan_open_other", { other: name(owner) }))));
  }
  const recordId = await record(owner, tag.code);
  const note = h("p", { class: "scan-ok scan-pending" }, t("scan_ok"));
  mount(out, note, h("a", { class: "button primary", href: `#/site/${owner.id}` }, name(owner)));
  awaitVerdict(recordId, note);
  if (!here) location.hash = `#/site/${owner.id}`;
}

export async function render(container, siteId) {
  const site = siteId ? await sitedata.load(siteId) : null;
  const video = h("video", { class: "scan-video", muted: true, playsinline: true, autoplay: true });
  const message = h("p", { class: "help scan-message", role: "status" }, t("scan_looking"));
  const result = h("div", { class: "scan-result", role: "alert" });
  const typed = h("input", { name: "tag_code", autocomplete: "off", autocapitalize: "characters",
    placeholder: "XXXX-XXXX-XXXXXXX" });
  const photo = h("input", { type: "file", accept: "image/*", capture: "environment", name: "tag_photo",
    class: "visually-hidden", onchange: () => scanPhoto(photo, message, (code) => handleCode(code, siteId, container, result)) });
  const camera = { stream: null, stopped: false };
  // Read: the camera's box and "point the camera" go away, so the result is what is on show.
  const found = (code) => { stop(camera, video); message.hidden = true; handleCode(code, siteId, container, result); };
  mount(container,
    h("a", { class: "back", href: site ? `#/site/${site.id}` : "#/" }, "← ", site ? name(site) : t("my_sites")),
    h("h1", {}, t("scan")), video, message, result,
    h("div", { class: "actions" },
      h("button", { type: "button", name: "start_camera", onclick: () => startCamera(camera, video, message, typed, found) }, t("scan_start")),
      h("label", { class: "button" }, photo, t("scan_photo"))),
    h("form", { class: "card", onsubmit: (e) => { e.preventDefault(); stop(camera, video); handleCode(typed.value, siteId, container, result); } },
      field(t("scan_type"), typed), h("button", { class: "primary", name: "check_code" }, t("scan_type_button"))));
  if (site) refusedHere(site.id).then((note) => { if (note && !result.firstChild) mount(result, note); });
  startCamera(camera, video, message, typed, found);
  return () => stop(camera, video);
}

async function startCamera(camera, video, message, typed, found) {
  if (camera.stream) return;
  camera.stopped = false;
  try {
    camera.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (error) {
    video.hidden = true;
    message.textContent = error.name === "NotAllowedError" ? t("scan_denied") : t("scan_no_camera");
    message.className = "warn scan-message";
    typed.focus();
    return;
  }
  if (camera.stopped) return stop(camera, video);
  video.hidden = false;
  message.hidden = false;
  video.srcObject = camera.stream;
  await video.play().catch(() => {});
  message.textContent = t("scan_looking");
  const decode = await decoder();
  while (!camera.stopped) {
    if (video.videoWidth) {
      const code = await decode(video, video.videoWidth, video.videoHeight);
      if (code && !camera.stopped) return found(code);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function stop(camera, video) {
  camera.stopped = true;
  if (camera.stream) camera.stream.getTracks().forEach((track) => track.stop());
  camera.stream = null;
  video.srcObject = null;
  video.hidden = true;
}

async function scanPhoto(input, message, onCode) {
  const file = input.files[0];
  input.value = "";
  if (!file) return;
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const code = await (await decoder())(bitmap, bitmap.width, bitmap.height);
    bitmap.close();
    if (code) return onCode(code);
  } catch { /* not an image: same advice as no code found */ }
  message.textContent = t("scan_not_found");
}
