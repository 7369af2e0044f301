// What a site still lacks, judged as the server judges it: the same rules as
// fieldapp/checklist.py (tests/test_checklist_parity_browser.py keeps the two equal), here
// over the pulled records plus what still waits on the phone, so it is right offline.
// A returned photo or shot is not counted as had until it is redone.
import * as splices from "./splicerules.js";
import { evaluate } from "./speed/verdict.js";

// In the order the submit screen lists them; the server knows the same codes.
export const WARNINGS = ["missing_shots", "failing_splices", "speed_not_passed", "tag_not_scanned", "no_ont",
  "no_handover"];

/** The checklist of one site; `view` is sitedata.localView(), `profiles` the pulled ones. */
export function checklist(site, view, profiles = {}) {
  const profile = profiles[site.profile_id] || profiles[String(site.profile_id)] || null;
  const required = site.required_shots || [];
  const returns = site.returned_items || [];
  const have = shotsHad(view.photos, returns);
  const failing = profile ? view.splices.filter((s) => spliceFails(profile.rules.splice, s)) : [];
  const found = {
    photos_have: required.filter((s) => have.has(s)).length,
    photos_need: required.length,
    missing_shots: required.filter((s) => !have.has(s)),
    splices: view.splices.length,
    failing_splices: failing.map((s) => s.id),
    speed: speedState(profile, site.required_mbps, view.speedTests),
    // A scan the server refused (a mistyped check) is no scan, whatever the phone matched.
    scanned: view.scans.some((s) => s.matched !== 0 && s.matched !== false && s.state !== "rejected"),
    onts: view.equipment.filter((d) => d.device_type === "ont").length,
    // The handover recorded last (signed, absent, refused), or null.
    handover: view.handovers.length ? view.handovers[view.handovers.length - 1].outcome : null,
    returned: returns.length,
  };
  found.warnings = warnings(found);
  return found;
}

function shotsHad(photos, returns) {
  // A returned photo no longer counts; a returned shot counts again once a new photo waits.
  const photoRefs = new Set(returns.filter((r) => r.item_kind === "photo").map((r) => r.item_ref));
  const shotRefs = new Set(returns.filter((r) => r.item_kind === "shot").map((r) => r.item_ref));
  return new Set(photos.filter((p) => !photoRefs.has(p.id) && (!shotRefs.has(p.shot) || p.waiting))
    .map((p) => p.shot));
}

/** Over target before enough attempts, or past the out-of-spec or hard limit: a re-splice. */
export function spliceFails(limits, row) {
  const verdict = splices.evaluate(row, limits).verdict;
  return verdict === "retry" || verdict === "fail";
}

function speedState(profile, required, tests) {
  // What the speed test still needs, named for what the technician does next: nothing, a
  // test, a cable instead of Wi-Fi, more runs, or a look at a line below the contract.
  if (!tests.length) return "missing";
  if (!profile || !required) return "done";
  const result = evaluate(profile.rules.speed, required, tests);
  if (result.passed) return "done";
  const codes = result.reasons.map((reason) => reason.code);
  if (codes.some((code) => code.endsWith("_too_slow"))) return "slow";
  return result.runs === 0 && codes.includes("wifi_not_counted") ? "needs_cable" : "more_runs";
}

function warnings(found) {
  const present = {
    missing_shots: found.missing_shots.length > 0,
    failing_splices: found.failing_splices.length > 0,
    speed_not_passed: found.speed !== "done",
    tag_not_scanned: !found.scanned,
    no_ont: !found.onts,
    no_handover: found.handover === null,
  };
  return WARNINGS.filter((code) => present[code]);
}

/** The warnings the site's profile does not let a technician submit past (default: none). */
export function blocking(site, profiles = {}) {
  const profile = profiles[site.profile_id] || profiles[String(site.profile_id)];
  const codes = (profile && profile.rules.submit && profile.rules.submit.blocking) || [];
  return codes.filter((code) => WARNINGS.includes(code));
}
