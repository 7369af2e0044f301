// Speed-test arithmetic; the same as fieldapp/speed.py (tests/test_speed_js.py compares them).

/** Megabits per second: bytes x 8 / seconds / 1e6, no hidden overhead factor. */
export function mbps(bytes, seconds) {
  return seconds > 0 ? (bytes * 8) / seconds / 1e6 : 0;
}

/** Rate from [seconds since start, cumulative bytes] samples, ignoring the first graceS. */
export function throughput(samples, graceS) {
  const after = samples.filter((s) => s[0] >= graceS);
  if (after.length < 2 || after[after.length - 1][0] <= after[0][0]) {
    return { bytes: 0, seconds: 0, mbps: 0 };
  }
  const [t0, b0] = after[0];
  const [t1, b1] = after[after.length - 1];
  return { bytes: b1 - b0, seconds: t1 - t0, mbps: mbps(b1 - b0, t1 - t0) };
}

/** Median (mean of the middle two for an even count), or null for no values. */
export function median(values) {
  const ordered = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (!ordered.length) return null;
  const mid = Math.floor(ordered.length / 2);
  return ordered.length % 2 ? ordered[mid] : (ordered[mid - 1] + ordered[mid]) / 2;
}

/** Min, median and jitter (mean absolute difference of consecutive pings) in ms. */
export function latency(samplesMs) {
  if (!samplesMs.length) return { min_ms: null, median_ms: null, jitter_ms: null };
  const steps = samplesMs.slice(1).map((v, i) => Math.abs(v - samplesMs[i]));
  return {
    min_ms: Math.min(...samplesMs),
    median_ms: median(samplesMs),
    jitter_ms: steps.length ? steps.reduce((a, b) => a + b, 0) / steps.length : null,
  };
}

/** The result of several runs: the median of each figure. */
export function combineRuns(runs) {
  const pick = (key) => median(runs.map((r) => r[key]));
  return {
    down_mbps: pick("down_mbps"),
    up_mbps: pick("up_mbps"),
    latency_ms: pick("latency_ms"),
    jitter_ms: pick("jitter_ms"),
  };
}
