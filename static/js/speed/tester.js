// Entering a dedicated tester's result: refused without a photo of the tester's screen.
import { h } from "../dom.js";
import { parseDecimal } from "../numbers.js";

const METHODS = ["tester", "iperf3", "y1564", "manual"];
const NUMBERS = [
  ["down_mbps", "speed_down_mbps", true],
  ["up_mbps", "speed_up_mbps", true],
  ["latency_ms", "speed_latency_ms", false],
  ["jitter_ms", "speed_jitter_ms", false],
  ["loss_pct", "speed_loss_pct", false],
];

function field(t, name, labelKey, input) {
  input.name = name;
  input.id = `speed-tester-${name}`;
  return h("div", { class: "field" },
    h("label", { for: input.id }, t(labelKey)), input,
    h("small", { class: "error", hidden: true, "data-error-for": name, role: "alert" }));
}

function numberInput() {
  // Text, not type=number: a Russian-language Chromium dropped the comma of "48,5" (numbers.js).
  return h("input", { type: "text", inputMode: "decimal", autocomplete: "off" });
}

function select(t, name, values) {
  return h("select", {}, ...values.map((v) => h("option", { value: v }, t(`speed_${name}_${v}`))));
}

/** Problems in the form's data, keyed by field; the server checks the same (speed.py). */
export function problems(data, file) {
  const found = {};
  if (!file) found.photo = "speed_photo_required";
  if (!data.device_model) found.device_model = "speed_model_required";
  // How many runs the tester's result summarises (its own median of 3, say); 1 if left alone.
  if (!Number.isInteger(data.runs) || data.runs < 1 || data.runs > 100) found.runs = "speed_runs_range";
  for (const [name, , required] of NUMBERS) {
    const value = data[name];
    if (value === null ? required : !(value >= 0) || (name === "loss_pct" && value > 100)) {
      found[name] = "speed_number_required";
    }
  }
  return found;
}

function read(form) {
  const value = (name) => form.elements[name].value.trim();
  const data = {
    method: value("method"), connection: value("connection"),
    device_model: value("device_model"), device_serial: value("device_serial") || null,
  };
  for (const [name] of NUMBERS) data[name] = parseDecimal(value(name));
  data.runs = value("runs") === "" ? 1 : Number(value("runs"));
  return data;
}

/** The form; onSave(data, file) stores it and resolves to null, or to an error text. */
export function testerForm(t, onSave) {
  const photo = h("input", { type: "file", accept: "image/*", capture: "environment" });
  const form = h("form", { class: "speed-tester-form", noValidate: true },
    field(t, "method", "speed_method", select(t, "method", METHODS)),
    field(t, "connection", "speed_connection", select(t, "connection", ["wired", "wifi"])),
    field(t, "device_model", "speed_device_model", h("input", { type: "text", maxLength: 120 })),
    field(t, "device_serial", "speed_device_serial", h("input", { type: "text", maxLength: 120 })),
    ...NUMBERS.map(([name, key]) => field(t, name, key, numberInput())),
    field(t, "runs", "speed_runs_summarised", h("input", { type: "text", inputMode: "numeric", value: "1",
      autocomplete: "off" })),
    field(t, "photo", "speed_screen_photo", photo),
    h("button", { type: "submit", class: "primary block" }, t("speed_save_tester")),
    h("p", { class: "speed-tester-status", role: "status" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = read(form);
    const file = photo.files[0] || null;
    const found = problems(data, file);
    form.querySelectorAll("[data-error-for]").forEach((node) => {
      const key = found[node.dataset.errorFor];
      node.hidden = !key;
      node.textContent = key ? t(key) : "";
    });
    const status = form.querySelector(".speed-tester-status");
    status.textContent = "";
    if (Object.keys(found).length) return;
    const error = await onSave(data, file);
    status.textContent = error ? t("speed_save_failed", { error }) : t("speed_saved");
    if (!error) form.reset(); // "runs" goes back to 1
  });
  return h("details", { class: "speed-tester" },
    h("summary", {}, t("speed_tester_title")), h("p", { class: "help" }, t("speed_tester_help")),
    form);
}
