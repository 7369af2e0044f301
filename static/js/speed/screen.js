// The speed-test screen: connection choice, run with a live gauge, result, verdict, tester entry.
// Mounted by the technician app at #/site/<id>/speed and by the /speedtest/ page.
import { el, fmt, position, translator } from "./dom.js";
import { HttpError, NetworkError } from "./measure.js";
import { runSpeedTest } from "./runner.js";
import { testerForm } from "./tester.js";
import { evaluate } from "./verdict.js";

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
  if (!inst || !ctx.profile) return el("div");
  const v = evaluate(ctx.profile.speed, inst.required_mbps, records);
  const pct = Math.round(v.fraction * 100);
  const line = (dir, label) => el("li", { className: v[dir].passed ? "pass" : "fail" },
    t("speed_verdict_line", { label, value: fmt(v[dir].median_mbps),
      threshold: fmt(v[dir].threshold_mbps) }));
  return el("div", { className: `speed-verdict ${v.passed ? "is-pass" : "is-fail"}`, "data-passed": v.passed },
    el("p", { className: "speed-verdict-head" }, v.passed ? t("speed_pass") : t("speed_fail")),
    el("p", {}, t("speed_required", { down: inst.required_mbps.down, up: inst.required_mbps.up, pct,
      runs: v.min_runs })),
    el("ul", {}, line("down", t("speed_down")), line("up", t("speed_up"))),
    ...v.reasons.map((r) => el("p", { className: "warn" }, t(`speed_reason_${r.code}`, {
      ...r, value: fmt(r.value), threshold: fmt(r.threshold) }))));
}

function resultView(t, record) {
  const row = (label, value, unit) => el("tr", {}, el("th", {}, label), el("td", {}, `${value} ${unit}`));
  const runs = record.raw?.runs || [];
  return el("div", { className: "speed-result" },
    el("h3", {}, runs.length ? t("speed_result", { n: runs.length }) : t("speed_tester_result")),
    el("table", { className: "speed-figures" },
      row(t("speed_down"), fmt(record.down_mbps), "Mbps"),
      row(t("speed_up"), fmt(record.up_mbps), "Mbps"),
      row(t("speed_latency"), fmt(record.latency_ms), "ms"),
      row(t("speed_jitter"), fmt(record.jitter_ms), "ms")),
    runs.length ? el("p", { className: "help" }, runs.map((r, i) => t("speed_run_line",
      { n: i + 1, down: fmt(r.down_mbps), up: fmt(r.up_mbps), ms: fmt(r.latency_ms) })).join(" · ")) : null);
}

function when(iso) {
  const date = iso ? new Date(iso) : null;
  return date && !Number.isNaN(date.getTime())
    ? date.toLocaleString([], { dateStyle: "short", timeStyle: "short" }) : "";
}

function historyView(t, records) {
  return el("ul", { className: "speed-history" }, ...records.map((r) => el("li", {},
    `${when(r.started_at || r.device_time)} · ${t(`speed_method_${r.method}`)}`
    + ` · ${t(`speed_connection_${r.connection}`)} · ↓ ${fmt(r.down_mbps)} / ↑ ${fmt(r.up_mbps)} Mbps`)));
}

/** Mount the screen; returns {destroy} to drop its window listeners. */
export function mountSpeedScreen(container, ctx) {
  const t = translator(ctx.messages || {});
  const records = [...(ctx.installation?.records?.speed_tests || [])];
  const offline = el("p", { className: "speed-offline", role: "alert", hidden: true }, t("speed_needs_network"));
  const choice = el("fieldset", { className: "speed-connection" }, el("legend", {}, t("speed_connection")),
    ...["wired", "wifi"].map((value) => el("label", { className: "speed-choice" },
      el("input", { type: "radio", name: "speed-connection", value }), t(`speed_connection_${value}`))));
  const start = el("button", { type: "button", className: "primary block speed-start" }, t("speed_start"));
  const message = el("p", { className: "speed-message", role: "status" });
  const gauge = el("output", { className: "speed-gauge" }, "0.0");
  const phase = el("p", { className: "speed-phase" });
  const bar = el("progress", { max: 1, value: 0 });
  const live = el("div", { className: "speed-live", hidden: true }, el("p", {}, gauge, " Mbps"), phase, bar);
  const result = el("div", { className: "speed-result-slot" });
  const verdict = el("div", { className: "speed-verdict-slot" });
  const history = el("div", { className: "speed-history-slot" });
  const state = { running: false };

  const isOnline = () => navigator.onLine && ctx.online !== false;
  const showNetwork = () => { offline.hidden = isOnline() && !state.lostNetwork; };
  const refresh = () => {
    verdict.replaceChildren(verdictView(t, ctx, records));
    history.replaceChildren(records.length ? el("h3", {}, t("speed_history")) : "", historyView(t, records));
  };
  const save = async (data) => {
    const record = await ctx.saveRecord("speed_test", data);
    records.push({ ...data, ...(record && typeof record === "object" ? record : {}) });
    result.replaceChildren(resultView(t, data));
    message.textContent = t("speed_saved");
    refresh();
  };

  start.addEventListener("click", async () => {
    const connection = choice.querySelector("input:checked")?.value;
    message.textContent = "";
    state.lostNetwork = false;
    showNetwork();
    if (!connection) { message.textContent = t("speed_choose_connection"); return; }
    if (!isOnline()) { message.textContent = t("speed_needs_network"); return; }
    state.running = true;
    start.disabled = true;
    live.hidden = false;
    container.dataset.speedState = "running";
    const where = position();
    try {
      const token = await csrfToken(ctx);
      const runs = ctx.options?.runs ?? 3;
      const data = await runSpeedTest(ctx.base || "/speedtest", { ...ctx.options, token },
        (run, name, fraction, rate) => {
          if (rate !== null) gauge.textContent = fmt(rate);
          phase.textContent = `${t("speed_run_of", { n: run + 1, total: runs })} · ${t(`speed_phase_${name}`)}`;
          const step = { latency: 0, down: 0.1, up: 0.55, done: 1 }[name];
          bar.value = (run + step + (name === "done" ? 0 : fraction * 0.45)) / runs;
        });
      const pos = await Promise.race([where, new Promise((r) => { setTimeout(() => r(null), 1000); })]);
      await save({ ...data, connection, lat: pos?.lat ?? null, lon: pos?.lon ?? null });
      container.dataset.speedState = "done";
    } catch (error) {
      container.dataset.speedState = "failed";
      if (error instanceof NetworkError) {
        state.lostNetwork = true;
        showNetwork();
        message.textContent = t("speed_needs_network");
      } else {
        const known = { 401: "speed_sign_in", 503: "speed_busy" }[error.status];
        const text = known ? t(known) : error.message;
        message.textContent = t("speed_failed", { error: text });
      }
    } finally {
      state.running = false;
      start.disabled = false;
      live.hidden = true;
    }
  });

  const tester = testerForm(t, async (data, file) => {
    try {
      const photoId = await ctx.addPhoto(file, { shot: "tester_screen", caption: data.device_model });
      await save({ ...data, latency_kind: data.latency_ms === null ? null : "median",
        screen_photo_id: photoId, started_at: new Date().toISOString(), streams: null, raw: null });
    } catch (error) {
      message.textContent = t("speed_save_failed", { error: error.message });
    }
  });

  container.replaceChildren(el("section", { className: "speed" },
    el("h2", {}, t("speed_title")), offline, verdict, choice, start, message, live, result, history, tester));
  container.dataset.speedState = "ready";
  showNetwork();
  refresh();
  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);
  return {
    destroy() {
      window.removeEventListener("online", showNetwork);
      window.removeEventListener("offline", showNetwork);
    },
  };
}
