// Equipment left at the site: type, model, serial (scanned from the label or typed), MAC where
// it has one, and always a photo of the label (a photo of shot `equipment_label` that the
// record names). Serial and MAC are checked here as the server checks them (serials.js).
import * as barcode from "./barcode.js";
import * as outbox from "./outbox.js";
import * as serials from "./serials.js";
import * as sitedata from "./sitedata.js";
import * as store from "./store.js";
import { addPhoto, NotAnImage } from "./photos.js";
import { h, mount, field, oneAtATime, setError } from "./dom.js";
import { leave, name, notFound } from "./screens.js";
import { t } from "./i18n.js";

const TYPES = ["ont", "router", "media_converter"];
const FORMATS = ["qr_code", "code_128", "data_matrix"];

function device(e, correct, returned) {
  // A device on the server can be corrected (a serial the review found wrong): a new record
  // that `replaces` it, its values and label photo to start from.
  const back = returned.find((item) => item.item_ref === e.id);
  return h("li", { class: `device card${back ? " returned" : ""}` }, h("strong", {}, t(`device_${e.device_type}`), " ", e.model),
    back ? h("p", { class: "fail" }, back.reason) : null,
    h("div", { class: "serial" }, e.serial, e.mac ? ` · ${e.mac}` : ""),
    e.state === "rejected" ? h("p", { class: "fail" }, e.message || e.code)
      : h("small", {}, e.waiting ? t("waiting") : t("on_server")),
    e.waiting ? null : h("div", { class: "actions" },
      h("button", { type: "button", name: "correct_device", onclick: () => correct(e) }, t("fix"))));
}

function form(site, done, base = {}) {
  // `base`: a refused record put right ({data, replaces, drop}) or a stored device corrected
  // ({data, replaces}); its values come back, its label photo is kept unless retaken.
  const was = base.data || {};
  const type = h("select", { name: "device_type" }, TYPES.map((v) => h("option", { value: v, selected: v === was.device_type }, t(`device_${v}`))));
  const model = h("input", { name: "model", autocomplete: "off", value: was.model || "" });
  const serial = h("input", { name: "serial", autocomplete: "off", autocapitalize: "characters", spellcheck: false,
    value: was.serial || "" });
  const mac = h("input", { name: "mac", autocomplete: "off", autocapitalize: "characters", spellcheck: false,
    value: was.mac || "" });
  const label = h("input", { type: "file", accept: "image/*", capture: "environment", name: "label_photo",
    id: "equipment-label", "aria-describedby": "equipment-label-error", class: "visually-hidden", onchange: () => { labelName.textContent = label.files[0] ? t("equipment_label_taken") : ""; setError(label, ""); } });
  const labelName = h("small", { class: "label-taken" }, was.label_photo_id ? t("equipment_label_taken") : "");
  const photoOf = async () => (label.files[0]
    ? addPhoto(site, label.files[0], { shot: "equipment_label", caption: serial.value }) : was.label_photo_id);
  const video = h("video", { class: "scan-video", muted: true, playsinline: true, autoplay: true, hidden: true });
  const hint = h("p", { class: "help", role: "status", hidden: true }, t("equipment_scan_looking"));
  const entered = { how: "typed" };
  let stop = () => {};
  const scan = () => {
    stop();
    hint.hidden = false;
    hint.textContent = t("equipment_scan_looking");
    stop = barcode.watch(video, FORMATS, (code) => {
      hint.hidden = true;
      serial.value = serials.fromScan(type.value, code);
      const scannedMac = serials.macFromScan(code);
      if (scannedMac && !mac.value.trim()) mac.value = scannedMac;
      entered.how = "scanned";
      check(serial, serials.serial(type.value, serial.value));
    }, () => { hint.textContent = t("equipment_scan_no_camera"); serial.focus(); });
  };
  serial.addEventListener("input", () => { entered.how = "typed"; setError(serial, ""); });
  model.addEventListener("input", () => setError(model, ""));
  serial.addEventListener("change", () => check(serial, serials.serial(type.value, serial.value)));
  mac.addEventListener("change", () => check(mac, mac.value.trim() ? serials.mac(mac.value) : { value: "" }));
  const error = h("p", { class: "error", role: "alert" });
  const node = h("form", { class: "card equipment-form", novalidate: true, onsubmit: oneAtATime(async () => {
    const s = check(serial, serials.serial(type.value, serial.value));
    const m = mac.value.trim() ? check(mac, serials.mac(mac.value)) : "";
    if (!model.value.trim()) setError(model, t("err_required"));
    else setError(model, "");
    const hasLabel = Boolean(label.files[0] || was.label_photo_id);
    if (!hasLabel) setError(label, t("equipment_label_required"));
    if (s === null || m === null || !model.value.trim() || !hasLabel) return;
    error.textContent = t("photo_processing");
    try {
      await outbox.saveRecord("equipment", site.id, { device_type: type.value, model: model.value.trim(),
        serial: s, mac: m || null, label_photo_id: await photoOf(), entered: entered.how },
      base.replaces || null);
      if (base.drop) await store.del("outbox", base.drop);
    } catch (e) {
      error.textContent = e instanceof NotAnImage ? t("not_an_image") : String(e.message || e);
      return;
    }
    stop();
    done();
  }) },
  field(t("equipment_type"), type), field(t("equipment_model"), model),
  field(t("equipment_serial"), serial),
  h("div", { class: "actions" }, h("button", { type: "button", name: "scan_serial", onclick: scan }, t("equipment_scan"))),
  video, hint,
  field(t("equipment_mac"), mac),
  h("div", { class: "field" }, h("label", { class: "button" }, label, t("equipment_label_photo")), labelName,
    h("span", { class: "error", id: "equipment-label-error", role: "alert" })),
  h("button", { class: "primary block", name: "save_equipment" }, t("equipment_save")), error);
  return { node, release: () => stop() };
}

function check(input, result) {
  // The problem's sentence next to the field (the server's own wording); the value normalised.
  setError(input, result.problem ? t(result.problem) : "");
  if (result.problem) return null;
  if (result.value) input.value = result.value;
  return result.value;
}

export async function render(container, id) {
  leave();
  const site = await sitedata.load(id);
  if (!site) return notFound(container);
  const queued = await store.all("outbox");
  const view = sitedata.localView(site, queued, await store.all("photos"));
  const refused = queued.find((r) => r.id === outbox.state.correct && r.type === "equipment");
  const returned = (site.returned_items || []).filter((i) => !i.resolved_at && i.item_kind === "equipment");
  outbox.state.correct = null;
  const done = () => { location.hash = `#/site/${site.id}`; };
  const slot = h("div", { class: "equipment-slot" });
  const heading = h("h2", {}, t("equipment_add"));
  let current = form(site, done, refused ? { data: refused.data, replaces: refused.replaces, drop: refused.id } : {});
  const correct = (e) => {
    current.release();
    current = form(site, done, { data: e, replaces: e.id });
    heading.textContent = t("equipment_correct");
    mount(slot, current.node);
    slot.scrollIntoView();
  };
  mount(slot, current.node);
  mount(container, h("a", { class: "back", href: `#/site/${site.id}` }, "← ", name(site)),
    h("h1", {}, t("equipment")),
    h("ul", { class: "devices" }, view.equipment.map((e) => device(e, correct, returned))),
    heading, slot);
  return () => current.release();
}
