// When the phone tries again: the one schedule for batches (batches.js) and files (outbox.js).
// - offline, signed out, busy or a stale token: the whole sync waits (stopsSync);
// - anything else the server fails on is held and sent again at the next sync, soon after
//   (SYNC_RETRY_MS, growing), and nothing new is sent past it;
// - after PARK_AFTER identical failures it is parked: retried after 5 min, 15 min, 1 h, 3 h,
//   while the rest goes on without it.
import { ApiError } from "./api.js";

export const PARK_AFTER = 3;
const SYNC_RETRY_MS = [5_000, 10_000, 30_000, 60_000, 120_000, 300_000];
const PARKED_RETRY_MS = [5 * 60_000, 15 * 60_000, 60 * 60_000, 3 * 60 * 60_000];

/** Has this batch or file failed alike often enough to wait aside? */
export const parked = (item) => (item.failures || 0) >= PARK_AFTER;

/** Errors no single item is to blame for: the sync stops and is tried again as a whole. */
export function stopsSync(error) {
  return !(error instanceof ApiError) || [401, 408, 429].includes(error.status) || error.code === "csrf_failed";
}

/** The fields that hold `item` after the server failed on it with `error`. */
export function hold(item, error, now = Date.now()) {
  const same = item.code === error.code && item.status === error.status;
  const failures = same ? (item.failures || 0) + 1 : 1;
  return { failures, code: error.code, status: error.status, message: error.message,
    retryAt: failures >= PARK_AFTER ? now + parkedDelay(failures) : 0 };
}

function parkedDelay(failures) {
  return PARKED_RETRY_MS[Math.min(Math.max(failures - PARK_AFTER, 0), PARKED_RETRY_MS.length - 1)];
}

/** How long the next sync waits after `failures` failed syncs in a row (1, 2, ...). */
export function syncDelay(failures) {
  return SYNC_RETRY_MS[Math.min(failures - 1, SYNC_RETRY_MS.length - 1)];
}
