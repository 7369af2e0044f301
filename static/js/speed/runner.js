// One speed test: several runs of latency, download, upload; the median is the result.
import { measureDownload, measureLatency, measureUpload } from "./measure.js";
import { combineRuns } from "./stats.js";

export const DEFAULTS = { runs: 3, phaseSeconds: 8, streams: 4, pings: 10 };

const round = (value, places = 2) => (value === null ? null : Number(value.toFixed(places)));

/** The grace period discarded at the start of each phase: TCP slow start, set-up. */
export function graceFor(phaseSeconds) {
  return Math.min(1.5, phaseSeconds / 4);
}

async function oneRun(base, options, report) {
  const { phaseSeconds: phaseS, streams, token, cancel } = options;
  const graceS = graceFor(phaseS);
  report("latency", 0, null);
  const lat = await measureLatency(base, options.pings, cancel);
  const down = await measureDownload(base, {
    streams, phaseS, graceS, cancel, onRate: (rate, t) => report("down", t / phaseS, rate),
  });
  const up = await measureUpload(base, {
    streams, phaseS, graceS, token, cancel, onRate: (rate, t) => report("up", t / phaseS, rate),
  });
  return {
    down_mbps: round(down.mbps), up_mbps: round(up.mbps),
    latency_ms: round(lat.median_ms), latency_min_ms: round(lat.min_ms),
    jitter_ms: round(lat.jitter_ms), down_bytes: down.bytes, down_s: round(down.seconds, 3),
    up_bytes: up.bytes, up_s: round(up.seconds, 3),
  };
}

/** Run the whole test; onProgress(run, phase, fraction, mbps) feeds the gauge.
 *  options.cancel (an AbortSignal) stops it with an AbortError, e.g. when the screen closes. */
export async function runSpeedTest(base, options, onProgress) {
  const opts = { ...DEFAULTS, ...options };
  const startedAt = new Date();
  const runs = [];
  for (let i = 0; i < opts.runs; i += 1) {
    runs.push(await oneRun(base, opts, (phase, fraction, rate) =>
      onProgress(i, phase, Math.min(fraction, 1), rate)));
    onProgress(i, "done", 1, null, runs);
  }
  const summary = combineRuns(runs);
  return {
    method: "browser",
    server: new URL(base, location.href).href,
    down_mbps: summary.down_mbps,
    up_mbps: summary.up_mbps,
    latency_ms: summary.latency_ms,
    latency_kind: "median",
    jitter_ms: summary.jitter_ms,
    loss_pct: null,
    started_at: startedAt.toISOString(),
    duration_s: round((Date.now() - startedAt.getTime()) / 1000, 1),
    streams: opts.streams,
    device_model: null,
    device_serial: null,
    screen_photo_id: null,
    raw: {
      runs,
      phase_s: opts.phaseSeconds,
      grace_s: graceFor(opts.phaseSeconds),
      pings: opts.pings,
      user_agent: navigator.userAgent,
    },
  };
}
