// The acceptance rules for one splice, from the profile the server sent (never literals):
// bidirectional average per wavelength, verdict, bend flag, one-direction warning.
import { parseDecimal } from "./numbers.js";

const WAVES = ["1310", "1550"];

export function average(ab, ba) {
  return ab == null || ba == null ? null : (ab + ba) / 2;
}

export function evaluate(row, rules) {
  // row: {loss_1310_ab, loss_1310_ba, loss_1550_ab, loss_1550_ba, attempt}
  const averages = {};
  let oneDirection = false;
  for (const wave of WAVES) {
    const ab = row[`loss_${wave}_ab`];
    const ba = row[`loss_${wave}_ba`];
    averages[wave] = average(ab, ba);
    if ((ab == null) !== (ba == null)) oneDirection = true;
  }
  const known = WAVES.map((w) => averages[w]).filter((v) => v != null);
  const worst = known.length ? Math.max(...known) : null;
  const bend = averages["1310"] != null && averages["1550"] != null
    && averages["1550"] - averages["1310"] > rules.bend_delta_db;
  return { averages, worst, oneDirection, bend, verdict: verdict(worst, row.attempt || 1, rules) };
}

function verdict(worst, attempt, rules) {
  // A single direction never decides: no average, no verdict.
  if (worst == null) return "pending";
  if (worst <= rules.target_db) return "pass";
  if (worst > rules.max_db || worst > rules.out_of_spec_db) return "fail";
  return attempt >= rules.out_of_spec_min_attempts ? "out_of_spec" : "retry";
}

export function lossError(value, rules, t) {
  // Refuse impossible values at entry: empty is allowed, text or absurd numbers are not.
  const number = parseDecimal(value);
  if (number === null) return null;
  if (!Number.isFinite(number)) return t("err_number");
  if (number < rules.entry_min_db || number > rules.entry_max_db) {
    return t("err_loss_range", { min: rules.entry_min_db, max: rules.entry_max_db });
  }
  return null;
}

export function rangeError(value, max, key, t) {
  const number = Number(value);
  if (value === "" || !Number.isInteger(number)) return t("err_required");
  return number < 1 || number > max ? t(key, { max }) : null;
}
