// Photos: the required shot list with what each must show, capture through the camera,
// resize and encode on the phone (encode.js: <= 1600 px, WebP where the browser's canvas
// encodes it, else JPEG, never a canvas over 16 Mpx),
// EXIF time/GPS read from the original first, sha256 of the exact bytes that will be uploaded; preview, retake, remove; a
// warning at once when the photo is too dark or blurred for the supervisor's checks (measured on those bytes).
import * as encode from "./encode.js";
import * as exif from "./exif.js";
import * as quality from "./quality.js";
import * as outbox from "./outbox.js";
import * as sitedata from "./sitedata.js";
import * as store from "./store.js";
import { naForm, naState, returnedLine, withClaims } from "./review_loop.js";
import { checklist } from "./checklist.js";
import { h, mount, secondTapDeletes } from "./dom.js";
import { name, notFound, summary } from "./screens.js";
import { sha256Hex } from "./api.js";
import { t } from "./i18n.js";

const urls = [];

export class NotAnImage extends Error {}

export async function prepare(file) {
  const buffer = await file.arrayBuffer();
  let meta = {};
  try { meta = exif.read(buffer); } catch { meta = {}; }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    throw new NotAnImage(file.name);
  }
  const canvas = encode.resize(bitmap);
  bitmap.close();
  const blob = await encode.toBlob(canvas);
  canvas.width = 0; // free the pixels at once (iOS keeps canvases alive)
  // Measured on the bytes sent, decoded, as the server measures them: WebP smooths a dim photo
  // more than JPEG did (its sharpness 10-20 % lower at brightness 30-45), and the warning must
  // say what the supervisor's blur check will.
  const sent = await createImageBitmap(blob);
  const measured = quality.measure(sent);
  sent.close();
  return { blob, meta, quality: measured, sha256: await sha256Hex(await blob.arrayBuffer()) };
}

function position(timeout = 4000) {
  // GPS from the browser when the photo has none; never blocks a capture for long.
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    const timer = setTimeout(() => resolve(null), timeout);
    navigator.geolocation.getCurrentPosition((pos) => { clearTimeout(timer); resolve(pos.coords); },
      () => { clearTimeout(timer); resolve(null); }, { timeout, maximumAge: 300000 });
  });
}

export async function addPhoto(site, file, { shot = "extra", caption = "", replaces = null } = {}) {
  const { blob, meta, sha256, quality: measured } = await prepare(file);
  const coords = meta.lat != null ? null : await position();
  const photo = {
    id: crypto.randomUUID(), installation_id: site.id, shot, caption, blob, size: blob.size, sha256,
    device_time: new Date().toISOString(),
    taken_at: meta.takenAt || new Date(file.lastModified || Date.now()).toISOString(),
    lat: meta.lat ?? coords?.latitude ?? null, lon: meta.lon ?? coords?.longitude ?? null,
    accuracy_m: coords ? Math.round(coords.accuracy) : null, replaces,
    original_size: file.size, quality: measured,
  };
  return outbox.queueFile(photo);
}

async function capture(site, shot, file, previous, errorSlot, returnedRef) {
  errorSlot.textContent = t("photo_processing");
  try {
    // Retaking a photo still on the phone just swaps it; one already on the server is replaced.
    const replaces = previous && !previous.waiting ? previous.id : returnedRef;
    await addPhoto(site, file, { shot, caption: "", replaces: replaces || null });
    if (previous && previous.waiting) await store.del("photos", previous.id);
    errorSlot.textContent = "";
  } catch (error) {
    errorSlot.textContent = error instanceof NotAnImage ? t("not_an_image") : String(error.message || error);
  }
}

function preview(photo, label) {
  // `label` names the shot in the user's language; an extra photo is named by its caption.
  const alt = photo.caption || label || t("photos");
  if (photo.blob) {
    const url = URL.createObjectURL(photo.blob);
    urls.push(url);
    return h("img", { class: "thumb", src: url, alt });
  }
  // A photo the server has (pulled: it has received_at) shows the server's thumbnail when online.
  return photo.received_at && navigator.onLine
    ? h("img", { class: "thumb", src: `/photos/${photo.id}/thumb`, alt }) : null;
}

function picker(inputName, label, onFile) {
  const fileInput = h("input", { type: "file", accept: "image/*", capture: "environment", name: inputName,
    class: "visually-hidden", onchange: async () => {
      const file = fileInput.files[0];
      if (file) await onFile(file);
      fileInput.value = "";
    } });
  return h("label", { class: "button" }, fileInput, label);
}

export async function render(container, id) {
  let site = await sitedata.load(id);
  if (!site) return notFound(container);
  const draw = async () => {
    site = (await sitedata.load(id)) || site; // sent photos move into the site's records
    while (urls.length) URL.revokeObjectURL(urls.pop());
    const view = sitedata.localView(site, await store.all("outbox"), await store.all("photos"));
    const allLabels = (await store.get("meta", "labels")) || {};
    const labels = { ...(allLabels.shots || {}), ...(site.added_shots || {}) };
    const profiles = (await store.get("meta", "profiles")) || {};
    const returned = (site.returned_items || []).filter((i) => !i.resolved_at && ["photo", "shot"].includes(i.item_kind));
    mount(container,
      h("a", { class: "back", href: `#/site/${site.id}` }, "← ", name(site)),
      h("h1", {}, t("photos")),
      h("p", { class: "checklist" }, summary(checklist(site, view, profiles))),
      h("ul", { class: "shots" }, (site.required_shots || []).map((shot) =>
        shotCard(withClaims(site, view), shot, labels[shot] || shot, view.photos, returned, photoRules(site, profiles),
          allLabels, draw))),
      h("h2", {}, t("extra_photos")), extras(site, view.photos, draw));
  };
  const redraw = () => draw();
  window.addEventListener("fieldapp:change", redraw);
  await draw();
  return () => window.removeEventListener("fieldapp:change", redraw);
}

function photoRules(site, profiles) {
  const profile = profiles[site.profile_id] || profiles[String(site.profile_id)];
  return profile ? profile.rules.photos : null;
}

function qualityWarnings(photo, rules) {
  // Measured on the phone at capture; for a photo already sent, the server's own figures.
  const measured = photo.quality || (photo.brightness != null
    ? { brightness: photo.brightness, sharpness: photo.sharpness } : null);
  return quality.problems(measured, rules).map((problem) =>
    h("p", { class: `${problem === "dark" ? "fail" : "warn"} photo-${problem}`, role: "alert" }, t(`photo_${problem}`)));
}

function shotCard(site, shot, label, photos, returned, rules, allLabels, redraw) {
  const photo = photos.filter((p) => p.shot === shot).pop();
  const back = returned.find((i) => i.item_ref === shot || (photo && i.item_ref === photo.id));
  const error = h("p", { class: "error", role: "alert" });
  const warnings = photo ? qualityWarnings(photo, rules) : [];
  return h("li", { class: `shot card${photo ? " has-photo" : ""}${warnings.length ? " has-problem" : ""}`, "data-shot": shot },
    h("strong", {}, label),
    back ? h("p", { class: "fail" }, returnedLine(site, back, allLabels, true)) : null,
    naState(site, shot),
    photo ? h("div", { class: "shot-photo" }, preview(photo, label),
      h("small", {}, photo.waiting ? t("waiting") : t("on_server"))) : null,
    warnings,
    h("div", { class: "actions" },
      picker(`shot-${shot}`, photo ? t("retake") : t("take_photo"),
        (file) => capture(site, shot, file, photo, error, back && back.item_kind === "photo" ? back.item_ref : null)),
      photo && photo.waiting
        ? secondTapDeletes(t("remove"), t("remove_confirm"), () => store.del("photos", photo.id)) : null),
    error,
    // Below the camera button, quieter: a photo is the rule, "not applicable" the exception.
    photo || back || (site.not_applicable || {})[shot] ? null : naForm(site, shot, redraw));
}

function extras(site, photos, redraw) {
  const caption = h("input", { name: "caption", placeholder: t("caption") });
  const error = h("p", { class: "error", role: "alert" });
  const onFile = async (file) => {
    error.textContent = t("photo_processing");
    try {
      await addPhoto(site, file, { shot: "extra", caption: caption.value.trim() });
      error.textContent = "";
      await redraw();
    } catch (e) {
      error.textContent = e instanceof NotAnImage ? t("not_an_image") : String(e.message || e);
    }
  };
  return h("div", { class: "extras" },
    h("ul", { class: "shots" }, photos.filter((p) => p.shot === "extra").map((p) => h("li", { class: "shot card" },
      preview(p), h("span", {}, p.caption), " ", h("small", {}, p.waiting ? t("waiting") : t("on_server")),
      p.waiting ? secondTapDeletes(t("remove"), t("remove_confirm"), () => store.del("photos", p.id)) : null))),
    h("div", { class: "field" }, h("label", {}, t("caption"), caption)),
    picker("extra", t("add_extra"), onFile), error);
}
