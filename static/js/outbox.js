// The outbox: records and photos wait in IndexedDB until the server confirms it stored
// them. Sending starts on load, on `online`, on becoming visible, after each save and on
// a timer with backoff; it never depends on Background Sync (absent on iOS).
import * as api from "./api.js";
import * as batches from "./batches.js";
import * as sites from "./sitedata.js";
import * as store from "./store.js";

const CHUNK = 256 * 1024;
const IDLE_MS = 60_000;
const BACKOFF_MS = [5_000, 10_000, 30_000, 60_000, 120_000, 300_000];
const PARKED_RETRY_MS = [5 * 60_000, 15 * 60_000, 60 * 60_000, 3 * 60 * 60_000];

// A new scan, submission or speed test is the correction of a refused one of the same site.
const SUPERSEDING = new Set(["scan", "submission", "speed_test"]);

export const state = { running: false, failures: 0, nextAt: null, lastSync: null, signedOut: false,
  offline: false, progress: {}, user: null };
let timer = null;
let again = false;
let adopted = false;

async function userId() {
  // Who queued an item: the user of the phone's last pull (the one whose sites are shown).
  const user = await store.get("meta", "user");
  return user ? user.id : null;
}

export async function saveRecord(type, installationId, data, replaces = null) {
  const record = { id: crypto.randomUUID(), type, installation_id: installationId,
    device_time: new Date().toISOString(), replaces, data, state: "pending", user_id: await userId() };
  await store.put("outbox", record);
  if (SUPERSEDING.has(type)) await dropRefused(record);
  soon();
  return record.id;
}

async function dropRefused(record) {
  for (const r of await store.all("outbox")) {
    if (r.type === record.type && r.installation_id === record.installation_id && r.state !== "pending"
        && r.user_id === record.user_id) await store.del("outbox", r.id);
  }
}

export async function queuePhoto(photo) {
  await store.put("photos", { ...photo, state: "pending", offset: 0, user_id: await userId() });
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
    await adopt();
    // Pull first: it says who is signed in now, and only their items are sent.
    await sites.pull();
    state.user = await userId();
    const first = await batches.send(state.user, false);
    const photos = await sendPhotos(state.user);
    const last = await batches.send(state.user, true);
    if (first.answered || photos.sent || last.answered) await sites.pull();
    state.offline = false;
    state.lastSync = new Date().toISOString();
    if (first.blocked || photos.blocked || last.blocked) {
      retryLater(); // the server failed on something not parked yet: try again soon
    } else {
      state.failures = 0;
      schedule(IDLE_MS);
    }
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

async function adopt() {
  // Items queued by the app's earlier version carry no user: they are the last pull's user's.
  if (adopted) return;
  const user = await userId();
  if (user !== null) {
    for (const r of await store.all("outbox")) if (!("user_id" in r)) await store.put("outbox", { ...r, user_id: user });
    for (const p of await store.all("photos")) if (!("user_id" in p)) await store.put("photos", { ...p, user_id: user });
  }
  await batches.adopt(user);
  adopted = true;
}

function handleFailure(error) {
  if (error instanceof api.ApiError && error.status === 401) {
    state.signedOut = true;
  } else if (!(error instanceof api.ApiError)) {
    state.offline = true; // fetch threw: no network or the server is down
  } else {
    console.warn("sync", error);
  }
  retryLater();
}

function retryLater() {
  state.failures += 1;
  schedule(BACKOFF_MS[Math.min(state.failures - 1, BACKOFF_MS.length - 1)]);
}

export async function retryParked() {
  // "Retry" in the outbox: parked batches and photos are due now.
  await batches.retryNow();
  for (const p of await store.all("photos")) if (p.retryAt) await store.put("photos", { ...p, retryAt: 0 });
  await sync();
}

async function sendPhotos(user) {
  // One photo failing never holds back the others; a 5xx is retried, and parked after
  // PARK_AFTER alike; any other refusal of this photo is shown with its reason.
  const outcome = { sent: 0, blocked: false };
  const now = Date.now();
  for (const photo of await store.all("photos")) {
    if (photo.state !== "pending" || !batches.mine(photo, user) || photo.retryAt > now) continue;
    try {
      await uploadPhoto(photo);
      outcome.sent += 1;
    } catch (error) {
      if (!(error instanceof api.ApiError) || [401, 408, 429].includes(error.status)
          || error.code === "csrf_failed") throw error;
      const current = await store.get("photos", photo.id);
      if (!current) continue; // removed on the phone meanwhile
      if (error.status >= 500) {
        const held = hold(current, error);
        await store.put("photos", { ...current, ...held });
        if (!batches.parked(held)) outcome.blocked = true;
      } else {
        await store.put("photos", { ...current, state: "failed", code: error.code, message: error.message });
      }
    } finally {
      delete state.progress[photo.id];
      changed();
    }
  }
  return outcome;
}

function hold(item, error) {
  const same = item.code === error.code && item.status === error.status;
  const failures = same ? (item.failures || 0) + 1 : 1;
  const wait = PARKED_RETRY_MS[Math.min(Math.max(failures - batches.PARK_AFTER, 0), PARKED_RETRY_MS.length - 1)];
  return { failures, code: error.code, status: error.status, message: error.message,
    retryAt: failures >= batches.PARK_AFTER ? Date.now() + wait : 0 };
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
