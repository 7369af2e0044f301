// The speed-test screen: connection choice, run with a live gauge, result, verdict, tester entry.
// Mounted by the technician app at #/site/<id>/speed and by the /speedtest/ page.
import { h } from "../dom.js";
import { HttpError, NetworkError } from "./measure.js";
import { runSpeedTest } from "./runner.js";
import { testerForm } from "./tester.js";
import { evaluate } from "./verdict.js";
import { translator } from "../i18n.js";

/** A number for people: one decimal, or a dash when there is none. */
function fmt(value, places = 1) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(places);
}

/** Ask for the position without holding anything up; null when refused or slow. */
function position(timeoutMs = 8000) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (pos) => resolve({ lat: pos.coords.latitude, lon: pos.coords.longitude }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 600000 },
    );
    return undefined;
  });
}

async function csrfToken(ctx) {
  try {
    const response = await fetch("/api/v1/csrf", { credentials: "same-origin", cache: "no-store" });
    if (response.ok) return (await response.json()).csrf_token;
  } catch {
    // Offline or no such endpoint: the page's own token still works within the hour.
  }
  return ctx.csrfToken || document.body.dataset.csrf || "";
}

function verdictView(t, ctx, records) {
  const inst = ctx.installation;
  if (!inst || !ctx.profile) return h("div");
  const v = evaluate(ctx.profile.speed, inst.required_mbps, records);
  const pct = Math.round(v.fraction * 100);
  const line = (dir, label) => h("li", { class: v[dir].passed ? "pass" : "fail" },
    t("speed_verdict_line", { label, value: fmt(v[dir].median_mbps),
      threshold: fmt(v[dir].threshold_mbps) }));
  return h("div", { class: `speed-verdict ${v.passed ? "is-pass" : "is-fail"}`, "data-passed": String(v.passed) },
    h("p", { class: "speed-verdict-head" }, v.passed ? t("speed_pass") : t("speed_fail")),
    h("p", {}, t("speed_required", { down: inst.required_mbps.down, up: inst.required_mbps.up, pct,
      runs: v.min_runs })),
    h("ul", {}, line("down", t("speed_down")), line("up", t("speed_up"))),
    ...v.reasons.map((r) => h("p", { class: "warn" }, t(`speed_reason_${r.code}`, {
      ...r, value: fmt(r.value), threshold: fmt(r.threshold) }))));
}

function resultView(t, record) {
  const row = (label, value, unit) => h("tr", {}, h("th", {}, label), h("td", {}, `${value}\u00a0${unit}`));
  const runs = record.raw?.runs || [];
  return h("div", { class: "speed-result" },
    h("h3", {}, runs.length ? t("speed_result", { n: runs.length }) : t("speed_tester_result")),
    h("table", { class: "speed-figures" },
      row(t("speed_down"), fmt(record.down_mbps), t("unit_mbps")),
      row(t("speed_up"), fmt(record.up_mbps), t("unit_mbps")),
      row(t("speed_latency"), fmt(record.latency_ms), t("unit_ms")),
      row(t("speed_jitter"), fmt(record.jitter_ms), t("unit_ms"))),
    runs.length ? h("p", { class: "help" }, runs.map((r, i) => t("speed_run_line",
      { n: i + 1, down: fmt(r.down_mbps), up: fmt(r.up_mbps), ms: fmt(r.latency_ms) })).join(" · ")) : null);
}

function when(iso) {
  const date = iso ? new Date(iso) : null;
  return date && !Number.isNaN(date.getTime())
    ? date.toLocaleString(document.documentElement.lang || [], { dateStyle: "short", timeStyle: "short" }) : "";
}

function historyView(t, records) {
  return h("ul", { class: "speed-history" }, ...records.map((r) => h("li", {},
    `${when(r.started_at || r.device_time)} · ${t(`speed_method_${r.method}`)}`
    + ` · ${t(`speed_connection_${r.connection}`)} · ↓ ${fmt(r.down_mbps)} / ↑ ${fmt(r.up_mbps)}\u00a0${t("unit_mbps")}`)));
}

function ensureStyles() {
  // The screen brings its own stylesheet, whichever page mounts it (a linked file: CSP-safe).
  const href = "/static/css/speed.css";
  if (document.querySelector(`link[href="${href}"]`)) return;
  document.head.append(h("link", { rel: "stylesheet", href }));
}

const PHASE_START = { latency: 0, down: 0.1, up: 0.55 };

/** The screen's parts and what they do; mountSpeedScreen() below is its public face. */
class SpeedScreen {
  constructor(container, ctx) {
    this.container = container;
    this.ctx = ctx;
    this.t = translator(ctx.messages || {});
    this.records = [...(ctx.speedTests || ctx.installation?.records?.speed_tests || [])];
    this.cancel = new AbortController();
    this.lostNetwork = false;
    this.showNetwork = (event) => {
      if (event?.type === "online") { // back: the box and "needs the network" go until it fails again
        this.lostNetwork = false;
        if (this.message.textContent === this.t("speed_needs_network")) this.message.textContent = "";
      }
      this.offline.hidden = this.isOnline() && !this.lostNetwork;
    };
  }

  build() {
    const t = this.t;
    this.offline = h("p", { class: "speed-offline", role: "alert", hidden: true }, t("speed_needs_network"));
    this.choice = h("fieldset", { class: "speed-connection" }, h("legend", {}, t("speed_connection")),
      ...["wired", "wifi"].map((value) => h("label", { class: "speed-choice" },
        h("input", { type: "radio", name: "speed-connection", value }), t(`speed_connection_${value}`))));
    this.start = h("button", { type: "button", class: "primary block speed-start" }, t("speed_start"));
    this.message = h("p", { class: "speed-message", role: "status" });
    this.gauge = h("output", { class: "speed-gauge" }, "0.0");
    this.phase = h("p", { class: "speed-phase" });
    this.bar = h("progress", { max: 1, value: 0 });
    this.live = h("div", { class: "speed-live", hidden: true },
      h("p", {}, this.gauge, `\u00a0${t("unit_mbps")}`), this.phase, this.bar);
    [this.result, this.verdict, this.history] = [h("div"), h("div"), h("div")];
    this.start.addEventListener("click", () => this.begin());
    const tester = testerForm(t, (data, file) => this.saveTester(data, file));
    this.container.replaceChildren(h("section", { class: "speed" }, h("h2", {}, t("speed_title")),
      this.offline, this.verdict, this.choice, this.start, this.message, this.live, this.result,
      this.history, tester));
  }

  isOnline() {
    return navigator.onLine && this.ctx.online !== false;
  }

  refresh() {
    this.verdict.replaceChildren(verdictView(this.t, this.ctx, this.records));
    this.history.replaceChildren(this.records.length ? h("h3", {}, this.t("speed_history")) : "",
      historyView(this.t, this.records));
  }

  async save(data) {
    const saved = await this.ctx.saveRecord("speed_test", data); // the record's id, or an object
    const id = typeof saved === "string" ? saved : saved?.id;
    this.records.push({ ...data, ...(id ? { id } : {}) });
    this.result.replaceChildren(resultView(this.t, data));
    this.message.textContent = this.t("speed_saved");
    this.refresh();
  }

  async begin() {
    const connection = this.choice.querySelector("input:checked")?.value;
    this.message.textContent = "";
    this.lostNetwork = false;
    this.showNetwork();
    if (!connection) this.message.textContent = this.t("speed_choose_connection");
    else if (!this.isOnline()) this.message.textContent = this.t("speed_needs_network");
    else await this.run(connection);
  }

  progress(run, name, fraction, rate) {
    const runs = this.ctx.options?.runs ?? 3;
    if (rate !== null) this.gauge.textContent = fmt(rate);
    this.phase.textContent = `${this.t("speed_run_of", { n: run + 1, total: runs })} · `
      + this.t(`speed_phase_${name}`);
    this.bar.value = name === "done" ? (run + 1) / runs : (run + PHASE_START[name] + fraction * 0.45) / runs;
  }

  async run(connection) {
    this.start.disabled = true;
    this.live.hidden = false;
    // At 360 x 800 the gauge sits under the verdict and the connection choice: bring it to the
    // middle of the screen, clear of the outbox bar at the bottom, for the whole run.
    this.live.scrollIntoView({ block: "center" });
    this.container.dataset.speedState = "running";
    const where = position();
    try {
      const options = { ...this.ctx.options, token: await csrfToken(this.ctx), cancel: this.cancel.signal };
      const data = await runSpeedTest(this.ctx.base || "/speedtest", options, (...a) => this.progress(...a));
      const pos = await Promise.race([where, new Promise((r) => { setTimeout(() => r(null), 1000); })]);
      await this.save({ ...data, connection, lat: pos?.lat ?? null, lon: pos?.lon ?? null });
      this.container.dataset.speedState = "done";
    } catch (error) {
      this.container.dataset.speedState = "failed";
      this.fail(error);
    } finally {
      this.start.disabled = false;
      this.live.hidden = true;
    }
  }

  fail(error) {
    if (error.name === "AbortError") return; // the screen was closed: nothing to say
    if (error instanceof NetworkError) {
      this.lostNetwork = true;
      this.showNetwork();
      this.message.textContent = this.t("speed_needs_network");
      return;
    }
    const known = { 401: "speed_sign_in", 503: "speed_busy" }[error.status];
    this.message.textContent = this.t("speed_failed", { error: known ? this.t(known) : error.message });
  }

  async saveTester(data, file) {
    try {
      const photoId = await this.ctx.addPhoto(file, { shot: "speed_test_screen", caption: data.device_model });
      await this.save({ ...data, latency_kind: data.latency_ms === null ? null : "median",
        screen_photo_id: photoId, started_at: new Date().toISOString(), streams: null, raw: null });
      return null;
    } catch (error) {
      this.message.textContent = this.t("speed_save_failed", { error: error.message });
      return error.message;
    }
  }
}

/** Mount the screen. ctx.speedTests (optional) lists the site's current speed tests including
 *  those still in the outbox; otherwise installation.records.speed_tests from the last pull.
 *  Returns a function that unmounts it. */
export function mountSpeedScreen(container, ctx) {
  ensureStyles();
  const screen = new SpeedScreen(container, ctx);
  screen.build();
  container.dataset.speedState = "ready";
  screen.showNetwork();
  screen.refresh();
  window.addEventListener("online", screen.showNetwork);
  window.addEventListener("offline", screen.showNetwork);
  return () => {
    screen.cancel.abort(); // leaving the screen stops a running test (mobile data costs money)
    window.removeEventListener("online", screen.showNetwork);
    window.removeEventListener("offline", screen.showNetwork);
  };
}
