// The handover: the representative reads what they sign (institution, services, measured
// speed, equipment, date in UTC+5) in Kazakh or Russian, switched here whatever the app's
// language, and signs with a finger; or the technician records why nobody signed. Signed, it
// is a file (the PNG of the strokes, through the resumable upload); unsigned, a record.
import * as outbox from "./outbox.js";
import * as sitedata from "./sitedata.js";
import * as store from "./store.js";
import { all, t } from "./i18n.js";
import { evaluate } from "./speed/verdict.js";
import { h, mount, field, oneAtATime, setError } from "./dom.js";
import { leave, notFound } from "./screens.js";
import { sha256Hex } from "./api.js";

const KZ_OFFSET_MS = 5 * 3600 * 1000;
const LANGUAGES = { kk: "Қазақша", ru: "Русский" };
const OUTCOMES = ["signed", "absent", "refused"];
const INK = "#0b1a4a";

/** A time as the act shows it: "2026-12-01 14:05 UTC+5" (as fieldapp/clock.py shows times). */
export function kzTime(date) {
  return `${new Date(date.getTime() + KZ_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ")} UTC+5`;
}

function actText(language) {
  const strings = all();
  return (key, params = {}) => (strings[`${key}@${language}`] ?? key)
    .replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

function measured(site, view, profile) {
  if (!profile || !view.speedTests.length) return null;
  const result = evaluate(profile.rules.speed, site.required_mbps, view.speedTests);
  if (result.down.median_mbps === null) return null;
  return { down: Math.round(result.down.median_mbps), up: Math.round(result.up.median_mbps) };
}

function act(site, view, profile, language, now) {
  // What the representative reads, large: every line in the chosen language.
  const say = actText(language);
  const inst = site.institution || {};
  const speed = measured(site, view, profile);
  const required = site.required_mbps || {};
  const devices = view.equipment.map((e) => `${e.model} · ${e.serial}`);
  const line = (label, value) => h("div", { class: "act-line" }, h("dt", {}, say(label)), h("dd", {}, value));
  return h("section", { class: "act", lang: language, "data-language": language },
    h("h2", {}, say("act_title")),
    h("dl", {},
      line("act_institution", [(language === "kk" ? inst.name_kk || inst.name_ru : inst.name_ru || inst.name_kk) || "",
        inst.address ? h("small", {}, inst.address) : null]),
      line("act_services", say("act_service_line", { down: required.down ?? "—", up: required.up ?? "—" })),
      line("act_measured", speed ? say("act_measured_line", speed) : say("act_not_measured")),
      devices.length ? line("act_equipment", devices.join("; ")) : null,
      line("act_date", kzTime(now))),
    h("p", { class: "act-statement" }, say("act_statement")));
}

function signaturePad() {
  // Pointer events (finger, stylus, mouse) on a canvas at the screen's pixel density, so the
  // strokes stay sharp when the PNG is printed in the packet.
  const canvas = h("canvas", { class: "signature-pad", "aria-label": t("handover_sign_here") });
  const pad = { canvas, strokes: 0 };
  let drawing = false;
  const ctx = () => canvas.getContext("2d");
  const size = () => {
    const ratio = Math.max(2, window.devicePixelRatio || 1);
    canvas.width = Math.round(canvas.clientWidth * ratio);
    canvas.height = Math.round(canvas.clientHeight * ratio);
    const c = ctx();
    c.fillStyle = "#fff";
    c.fillRect(0, 0, canvas.width, canvas.height);
    c.scale(ratio, ratio);
    c.lineWidth = 3;
    c.lineCap = "round";
    c.lineJoin = "round";
    c.strokeStyle = INK;
    pad.strokes = 0;
  };
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  };
  canvas.addEventListener("pointerdown", (event) => {
    if (!canvas.width) size();
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    const c = ctx();
    c.beginPath();
    c.moveTo(...at(event));
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const c = ctx();
    c.lineTo(...at(event));
    c.stroke();
    pad.strokes += 1;
  });
  const end = () => { drawing = false; pad.changed?.(); };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  pad.clear = size;
  pad.png = () => new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  return pad;
}

function existing(view) {
  const done = view.handovers.find((x) => x.outcome === "signed") || view.handovers.at(-1);
  if (!done) return null;
  const state = { signed: "handover_state_signed", absent: "handover_state_absent", refused: "handover_state_refused" };
  return h("p", { class: `${done.outcome === "signed" ? "pass" : "warn"} handover-done` },
    t(state[done.outcome]), done.representative ? ` · ${done.representative}` : "",
    done.signed_at ? ` · ${kzTime(new Date(done.signed_at))}` : "",
    done.state === "failed" || done.state === "rejected" ? h("span", { class: "fail" }, ` ${done.message || done.code}`)
      : h("small", {}, ` (${done.waiting ? t("waiting") : t("on_server")})`));
}

async function save(site, values, pad) {
  const data = { representative: values.representative, position: values.position, phone: values.phone || null,
    language: values.language, signed_at: values.now.toISOString() };
  if (values.outcome !== "signed") {
    return outbox.saveRecord("handover", site.id, { ...data, outcome: values.outcome, reason_note: values.reason });
  }
  const blob = await pad.png();
  return outbox.queueFile({ id: crypto.randomUUID(), kind: "handover", installation_id: site.id, ...data,
    outcome: "signed", blob, size: blob.size, sha256: await sha256Hex(await blob.arrayBuffer()),
    device_time: new Date().toISOString(), replaces: null });
}

export async function render(container, id) {
  leave();
  const site = await sitedata.load(id);
  if (!site) return notFound(container);
  const view = sitedata.localView(site, await store.all("outbox"), await store.all("photos"));
  const profile = await sitedata.profileFor(site);
  const now = new Date();
  let language = document.documentElement.lang === "kk" ? "kk" : "ru";
  const actSlot = h("div", { class: "act-slot" });
  const switcher = h("div", { class: "act-languages", role: "group", "aria-label": t("handover_language") });
  const drawAct = () => {
    mount(actSlot, act(site, view, profile, language, now));
    mount(switcher, Object.entries(LANGUAGES).map(([code, label]) => h("button", { type: "button",
      name: `act_${code}`, class: code === language ? "current" : "", "aria-pressed": String(code === language),
      onclick: () => { language = code; drawAct(); } }, label)));
  };
  drawAct();
  const pad = signaturePad();
  const representative = h("input", { name: "representative", autocomplete: "off" });
  const position = h("input", { name: "position", autocomplete: "off" });
  const phone = h("input", { name: "phone", type: "tel", autocomplete: "off" });
  const reason = h("textarea", { name: "reason_note" });
  const padError = h("span", { class: "error", id: "signature-error", role: "alert" });
  const signing = h("div", { class: "signing" }, h("p", { class: "sign-label" }, t("handover_sign_here")), pad.canvas,
    padError, h("button", { type: "button", name: "clear_signature", onclick: () => pad.clear() }, t("handover_clear")));
  const reasonField = field(t("handover_reason"), reason);
  const outcome = { value: "signed" };
  const choose = (value) => {
    outcome.value = value;
    signing.hidden = value !== "signed";
    reasonField.hidden = value === "signed";
    for (const input of choices.querySelectorAll("input")) input.checked = input.value === value;
  };
  const choices = h("fieldset", { class: "choices" }, h("legend", {}, t("handover_outcome")),
    OUTCOMES.map((value) => h("label", { class: "check" },
      h("input", { type: "radio", name: "outcome", value, onchange: () => choose(value) }), t(`outcome_${value}`))));
  pad.changed = () => { padError.textContent = ""; };
  for (const input of [representative, position, reason]) input.addEventListener("input", () => setError(input, ""));
  const form = h("form", { class: "card handover-form", novalidate: true, onsubmit: oneAtATime(async () => {
    const values = { outcome: outcome.value, representative: representative.value.trim(), position: position.value.trim(),
      phone: phone.value.trim(), reason: reason.value.trim(), language, now };
    const named = values.outcome !== "absent";
    setError(representative, named && !values.representative ? t("err_required") : "");
    setError(position, named && !values.position ? t("err_required") : "");
    setError(reason, values.outcome !== "signed" && !values.reason ? t("err_required") : "");
    padError.textContent = values.outcome === "signed" && !pad.strokes ? t("handover_sign_required") : "";
    if (form.querySelector("[aria-invalid=true]") || padError.textContent) return;
    await save(site, values, pad);
    location.hash = `#/site/${site.id}`;
  }) }, choices, field(t("handover_name"), representative), field(t("handover_position"), position),
  field(t("handover_phone"), phone), signing, reasonField,
  h("button", { class: "primary block", name: "save_handover" }, t("handover_save")));
  const returned = (site.returned_items || []).filter((i) => !i.resolved_at && i.item_kind === "handover");
  mount(container, h("a", { class: "back", href: `#/site/${site.id}` }, "← ", t("back")),
    h("h1", {}, t("handover")), returned.map((i) => h("p", { class: "fail handover-returned" }, i.reason)),
    existing(view), switcher, actSlot, form);
  choose("signed");
  pad.clear();
}
