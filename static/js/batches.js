// Records travel in batches (POST /api/v1/batches). Each batch, its key and exact body are
// stored in `meta.batches` before it is sent, so a retry resends the same key and body.
// A batch belongs to the user who queued its records and is only sent in their session.
// A batch the server keeps failing on (5xx, or an error about the whole batch) waits in
// front of the rest until it failed retry.PARK_AFTER times alike; then it is parked ("server
// error", shown in the outbox), retried later with backoff, and the rest goes on without it.
// A whole-batch error never becomes a refusal of each record in it.
// When to try again is retry.js's; this module decides what a failure does to a batch.
import * as api from "./api.js";
import * as retry from "./retry.js";
import * as sites from "./sitedata.js";
import * as store from "./store.js";
import { byType } from "./kinds.js";

const MAX_BATCH = 500;
let limit = MAX_BATCH;

export function mine(item, userId) {
  // Items queued before anyone pulled carry no user: whoever signs in first sends them.
  return item.user_id == null || userId == null || item.user_id === userId;
}

export const list = async () => (await store.get("meta", "batches")) || [];

async function change(edit) {
  await store.put("meta", edit(await list()), "batches");
}

export async function adopt(userId) {
  // The single in-flight batch of the app's earlier version becomes a listed one.
  const legacy = await store.get("meta", "batch");
  if (!legacy) return;
  await change((batches) => [...batches, { ...legacy, user_id: legacy.user_id ?? userId }]);
  await store.del("meta", "batch");
}

export async function send(userId, withSubmissions) {
  // Listed batches that are due go first (same key, same body), then new ones.
  // Returns how many batches the server answered and whether one waits in front of the rest.
  const now = Date.now();
  const queue = (await list()).filter((b) => mine(b, userId) && !(b.retryAt > now)).map((b) => b.key);
  const outcome = { answered: 0, blocked: false };
  for (let round = 0; round < 100; round += 1) {
    let batch;
    if (queue.length) {
      const key = queue.shift();
      batch = (await list()).find((b) => b.key === key);
      if (!batch) continue;
    } else {
      batch = await next(userId, withSubmissions);
      if (!batch) break;
      await change((batches) => [...batches, batch]);
    }
    const result = await attempt(batch);
    if (result.split) queue.unshift(...result.split);
    if (result.answered) outcome.answered += 1;
    if (result.blocked) {
      outcome.blocked = true;
      break; // not parked yet: nothing new is sent past it this time
    }
  }
  return outcome;
}

async function next(userId, withSubmissions) {
  const listed = new Set((await list()).flatMap((b) => b.records.map((r) => r.id)));
  const photos = await store.all("photos");
  const photoSites = new Set(photos.filter((p) => p.state === "pending" && mine(p, userId))
    .map((p) => p.installation_id));
  // A submission waits until its site's photos are on the server, so review sees them all.
  // A correction of a record still in a batch the server has not answered (a parked one)
  // waits for it: sent first, it would name a record the server does not have yet.
  const ready = (await store.all("outbox"))
    .filter((r) => r.state === "pending" && mine(r, userId) && !listed.has(r.id) && !listed.has(r.replaces))
    .filter((r) => r.type !== "submission" || (withSubmissions && !photoSites.has(r.installation_id)))
    .sort((a, b) => a.device_time.localeCompare(b.device_time))
    .slice(0, limit);
  if (!ready.length) return null;
  const records = ready.map(({ id, type, installation_id, device_time, replaces, data }) =>
    ({ id, type, installation_id, device_time, replaces, data }));
  return { key: crypto.randomUUID(), user_id: userId, records };
}

async function attempt(batch) {
  let answer;
  try {
    // Only key and records go out: the body must be byte-identical on every retry.
    answer = await api.postBatch({ key: batch.key, records: batch.records });
  } catch (error) {
    if (retry.stopsSync(error)) throw error; // offline, signed out, busy: the whole sync waits
    return failed(batch, error);
  }
  for (const result of answer.results) await applyResult(result);
  await change((batches) => batches.filter((b) => b.key !== batch.key));
  return { answered: true };
}

async function failed(batch, error) {
  // The server stored nothing under a refused key, and records are idempotent by id, so
  // sending them again under new keys can never store one twice.
  if (error.code === "batch_too_large" && batch.records.length > 1) {
    limit = Math.max(1, Math.min(Number(error.body.max) || MAX_BATCH, Math.ceil(batch.records.length / 2)));
    return { split: await split(batch, { failures: 0, code: null, message: null, status: null, retryAt: 0 }) };
  }
  if (error.code === "idempotency_key_reused" && !batch.rekeyed) {
    // The key is someone else's (another user on this phone): the same records, a new key.
    const key = crypto.randomUUID();
    await replace(batch, [{ ...batch, key, rekeyed: true }]);
    return { split: [key] };
  }
  const held = retry.hold(batch, error);
  if (retry.parked(batch) && batch.records.length > 1) {
    // Failing again after being parked: halve it, so one bad record cannot hold back many.
    await split(batch, held);
  } else {
    await replace(batch, [{ ...batch, ...held }]);
  }
  return { blocked: !retry.parked(held) };
}

async function split(batch, fields) {
  const half = Math.ceil(batch.records.length / 2);
  const parts = [batch.records.slice(0, half), batch.records.slice(half)]
    .map((records) => ({ ...batch, ...fields, key: crypto.randomUUID(), records }));
  await replace(batch, parts);
  return parts.map((p) => p.key);
}

async function replace(batch, parts) {
  await change((batches) => {
    const at = batches.findIndex((b) => b.key === batch.key);
    const rest = batches.filter((b) => b.key !== batch.key);
    rest.splice(at < 0 ? rest.length : at, 0, ...parts);
    return rest;
  });
}

export async function retryNow() {
  // "Retry" in the outbox: parked batches are due at once.
  await change((batches) => batches.map((b) => ({ ...b, retryAt: 0 })));
}

async function applyResult(result) {
  const record = await store.get("outbox", result.id);
  if (!record) return;
  if (result.status === "stored" || result.status === "duplicate") {
    await sites.addConfirmed(record.installation_id, byType(record.type)?.table, record);
    await store.del("outbox", record.id);
  } else {
    // Rejected or conflicting: the phone keeps it, with the server's reason, to correct.
    await store.put("outbox", { ...record, state: result.status, code: result.code,
      message: result.message || (result.differences || []).join(", ") });
  }
}
