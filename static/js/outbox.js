// The outbox: records and photos wait in IndexedDB until the server confirms it stored
// them. Sending starts on load, on `online`, on becoming visible, after each save and on
// a timer with backoff; it never depends on Background Sync (absent on iOS).
import * as api from "./api.js";
import * as sites from "./sitedata.js";
import * as store from "./store.js";

const CHUNK = 256 * 1024;
const MAX_BATCH = 500;
const IDLE_MS = 60_000;
const BACKOFF_MS = [5_000, 10_000, 30_000, 60_000, 120_000, 300_000];
const PLURAL = { splice: "splices", scan: "scans", note: "notes", speed_test: "speed_tests" };

// A new scan, submission or speed test is the correction of a refused one of the same site.
const SUPERSEDING = new Set(["scan", "submission", "speed_test"]);

export const state = { running: false, failures: 0, nextAt: null, lastSync: null, signedOut: false,
  offline: false, progress: {} };
let timer = null;
let again = false;

export async function saveRecord(type, installationId, data, replaces = null) {
  const record = { id: crypto.randomUUID(), type, installation_id: installationId,
    device_time: new Date().toISOString(), replaces, data, state: "pending" };
  await store.put("outbox", record);
  if (SUPERSEDING.has(type)) await dropRefused(type, installationId);
  soon();
  return record.id;
}

async function dropRefused(type, installationId) {
  for (const r of await store.all("outbox")) {
    if (r.type === type && r.installation_id === installationId && r.state !== "pending") await store.del("outbox", r.id);
  }
}

export async function queuePhoto(photo) {
  await store.put("photos", { ...photo, state: "pending", offset: 0 });
  soon();
  return photo.id;
}

export function soon() {
  // After a save: send shortly, letting several quick saves share one batch.
  schedule(300);
}

function schedule(ms) {
  clearTimeout(timer);
  state.nextAt = Date.now() + ms;
  timer = setTimeout(() => sync(), ms);
}

export async function sync() {
  if (state.running) {
    again = true;
    return;
  }
  state.running = true;
  changed();
  try {
    await api.refreshToken();
    state.signedOut = false;
    await sendRecords(false);
    await sendPhotos();
    await sendRecords(true);
    await sites.pull();
    state.failures = 0;
    state.offline = false;
    state.lastSync = new Date().toISOString();
    schedule(IDLE_MS);
  } catch (error) {
    handleFailure(error);
  } finally {
    state.running = false;
    changed();
  }
  if (again) {
    again = false;
    schedule(0);
  }
}

function handleFailure(error) {
  if (error instanceof api.ApiError && error.status === 401) {
    state.signedOut = true;
  } else if (!(error instanceof api.ApiError)) {
    state.offline = true; // fetch threw: no network or the server is down
  } else {
    console.warn("sync", error);
  }
  state.failures += 1;
  schedule(BACKOFF_MS[Math.min(state.failures - 1, BACKOFF_MS.length - 1)]);
}

function refusal(error) {
  // A definite "no" about this item (4xx); network errors, 5xx, 401, 429 are retried later.
  return error instanceof api.ApiError && error.status >= 400 && error.status < 500
    && ![401, 408, 429].includes(error.status);
}

async function sendRecords(withSubmissions) {
  // A batch interrupted earlier is resent first, with its key and its exact body.
  let batch = await store.get("meta", "batch");
  for (let round = 0; round < 50 && (batch || (batch = await nextBatch(withSubmissions))); round += 1) {
    await store.put("meta", batch, "batch");
    let answer;
    try {
      answer = await api.postBatch(batch);
    } catch (error) {
      if (!refusal(error)) throw error;
      // The whole batch was refused (too large, malformed): keep every record, with the reason.
      answer = { results: batch.records.map((r) => ({ id: r.id, status: "rejected", code: error.code,
        message: error.message })) };
    }
    for (const result of answer.results) await applyResult(result);
    await store.del("meta", "batch");
    batch = null;
  }
}

async function nextBatch(withSubmissions) {
  const photos = await store.all("photos");
  const photoSites = new Set(photos.filter((p) => p.state === "pending").map((p) => p.installation_id));
  // A submission waits until its site's photos are on the server, so review sees them all.
  const ready = (await store.all("outbox"))
    .filter((r) => r.state === "pending")
    .filter((r) => r.type !== "submission" || (withSubmissions && !photoSites.has(r.installation_id)))
    .sort((a, b) => a.device_time.localeCompare(b.device_time))
    .slice(0, MAX_BATCH);
  if (!ready.length) return null;
  const records = ready.map(({ id, type, installation_id, device_time, replaces, data }) =>
    ({ id, type, installation_id, device_time, replaces, data }));
  return { key: crypto.randomUUID(), records };
}

async function applyResult(result) {
  const record = await store.get("outbox", result.id);
  if (!record) return;
  if (result.status === "stored" || result.status === "duplicate") {
    await sites.addConfirmed(record.installation_id, PLURAL[record.type], record);
    await store.del("outbox", record.id);
  } else {
    // Rejected or conflicting: the phone keeps it, with the server's reason, to correct.
    await store.put("outbox", { ...record, state: result.status, code: result.code,
      message: result.message || (result.differences || []).join(", ") });
  }
}

async function sendPhotos() {
  for (const photo of await store.all("photos")) {
    if (photo.state !== "pending") continue;
    try {
      await uploadPhoto(photo);
    } catch (error) {
      if (!refusal(error)) throw error;
      await store.put("photos", { ...photo, state: "failed", code: error.code, message: error.message });
    } finally {
      delete state.progress[photo.id];
      changed();
    }
  }
}

async function uploadPhoto(photo) {
  const meta = { installation_id: photo.installation_id, shot: photo.shot, caption: photo.caption,
    size: photo.size, sha256: photo.sha256, device_time: photo.device_time, taken_at: photo.taken_at,
    lat: photo.lat, lon: photo.lon, accuracy_m: photo.accuracy_m, replaces: photo.replaces };
  const answer = await api.announcePhoto(photo.id, meta);
  let offset = answer.offset || 0;
  let done = answer.status === "complete" || answer.status === "stored";
  for (let attempt = 0; !done; attempt += 1) {
    offset = await sendFrom(photo, offset);
    try {
      await api.completePhoto(photo.id);
      done = true;
    } catch (error) {
      // Incomplete (409): resume from the server's offset. A damaged whole (422 sha256_mismatch):
      // the server dropped the parts, so send it once more from 0 before giving up.
      const again = error instanceof api.ApiError && attempt < 2
        && (error.status === 409 || error.code === "sha256_mismatch");
      if (!again) throw error;
      offset = (await api.photoOffset(photo.id)).offset || 0;
    }
  }
  progress(photo, photo.size);
  const { blob, ...kept } = photo;
  await sites.addConfirmed(photo.installation_id, "photos", { ...kept, size: blob.size });
  await store.del("photos", photo.id);
}

async function sendFrom(photo, offset) {
  while (offset < photo.size) {
    progress(photo, offset);
    try {
      offset = (await api.sendChunk(photo.id, offset, photo.blob.slice(offset, offset + CHUNK))).offset;
    } catch (error) {
      if (!(error instanceof api.ApiError) || error.status !== 409) throw error;
      offset = (await api.photoOffset(photo.id)).offset; // resume where the server is
    }
  }
  return offset;
}

function progress(photo, sent) {
  state.progress[photo.id] = { sent, size: photo.size };
  changed();
}

function changed() {
  window.dispatchEvent(new CustomEvent("fieldapp:outbox"));
}

export function start() {
  // Every trigger the issue lists; none of them is Background Sync.
  window.addEventListener("online", () => schedule(0));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") schedule(0);
  });
  schedule(0);
}
