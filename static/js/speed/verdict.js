// The acceptance verdict; the same logic as evaluate() in fieldapp/speed.py, so the
// technician sees offline what the supervisor will see at review.
import { current } from "../current.js";
import { median } from "./stats.js";

/** [down, up] runs in one record: a browser test's raw.runs, else the record itself, as many
 *  times as a tester's result says it summarises when the profile counts those. */
export function runsOf(test, speed = {}) {
  let raw = test.raw;
  if (typeof raw === "string") raw = JSON.parse(raw || "null");
  const runs = raw && typeof raw === "object" ? raw.runs : null;
  if (runs && runs.length) return runs.map((r) => [r.down_mbps, r.up_mbps]);
  const counted = speed.count_tester_runs ? test.runs : null;
  return Array.from({ length: counted || 1 }, () => [test.down_mbps, test.up_mbps]);
}

/** Pass when the median of >= min_runs counted runs reaches fraction x required, both ways. */
export function evaluate(speed, required, tests) {
  const needWired = speed.required_connection === "wired";
  const all = current(tests);
  const counted = all.filter((t) => !needWired || t.connection === "wired");
  const runs = counted.flatMap((test) => runsOf(test, speed));
  const result = {
    passed: false,
    runs: runs.length,
    min_runs: speed.min_runs,
    fraction: speed.fraction_of_contract,
    connection: speed.required_connection ?? null,
    ignored_records: all.length - counted.length,
    reasons: [],
  };
  ["down", "up"].forEach((direction, index) => {
    const value = median(runs.map((run) => run[index]));
    const threshold = required[direction] * speed.fraction_of_contract;
    const passed = value !== null && value >= threshold;
    result[direction] = {
      median_mbps: value, required_mbps: required[direction], threshold_mbps: threshold, passed,
    };
    if (value !== null && !passed) {
      result.reasons.push({ code: `${direction}_too_slow`, value, threshold });
    }
  });
  if (result.ignored_records) {
    result.reasons.push({ code: "wifi_not_counted", count: result.ignored_records });
  }
  if (runs.length < speed.min_runs) {
    result.reasons.push({ code: "too_few_runs", count: runs.length, need: speed.min_runs });
  }
  result.passed = runs.length >= speed.min_runs && result.down.passed && result.up.passed;
  return result;
}
