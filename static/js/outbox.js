// The outbox: records and files (photos) wait in IndexedDB until the server confirms it
// stored them. Sending starts on load, on `online`, on becoming visible, after each save and
// on a timer with backoff (retry.js); it never depends on Background Sync (absent on iOS).
// Files of every kind wait in the `photos` store (a file without `kind` is a photo) and go
// through the same resumable upload; the kind says where it is announced and with what. A file
// `held` waits for the technician (a trace until its splice event is marked: its announce says so).
import * as api from "./api.js";
import * as batches from "./batches.js";
import { Throughput } from "./eta.js";
import * as retry from "./retry.js";
import * as returnedPhotos from "./returned_photos.js";
import * as sites from "./sitedata.js";
import * as store from "./store.js";
import { byType, ofFile } from "./kinds.js";

const CHUNK = 256 * 1024;
const IDLE_MS = 60_000;

export const state = { running: false, failures: 0, nextAt: null, lastSync: null, signedOut: false,
  offline: false, progress: {}, user: null };
const link = new Throughput(); // what the server confirms per second, for the time left
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
  // A new scan, submission or speed test is the correction of a refused one of the same site.
  if (byType(type)?.supersedes) await dropRefused(record);
  soon();
  return record.id;
}

async function dropRefused(record) {
  for (const r of await store.all("outbox")) {
    if (r.type === record.type && r.installation_id === record.installation_id && r.state !== "pending"
        && r.user_id === record.user_id) await store.del("outbox", r.id);
  }
}

export async function queueFile(item) {
  // A photo, or a file of another kind (item.kind names it).
  await store.put("photos", { ...item, state: "pending", offset: 0, user_id: await userId() });
  soon();
  return item.id;
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
    state.offline = false; // the server answered: on a slow link the rest may take minutes
    changed();
    await adopt();
    // Pull first: it says who is signed in now, and only their items are sent.
    await sites.pull();
    state.user = await userId();
    const first = await batches.send(state.user, false);
    const photos = await sendFiles(state.user);
    const last = await batches.send(state.user, true);
    if (first.answered || photos.sent || last.answered) await sites.pull();
    // Returned photos are kept for offline viewing by the app, after its pulls: not by My
    // sites, whose page the technician leaves for the app at once (a fetch cut off there is
    // bytes lost on 2G), and never before the site list is shown.
    returnedPhotos.keepSoon();
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
  schedule(retry.syncDelay(state.failures));
}

export async function retryParked() {
  // "Retry" in the outbox: parked batches and photos are due now.
  await batches.retryNow();
  for (const p of await store.all("photos")) if (p.retryAt) await store.put("photos", { ...p, retryAt: 0 });
  await sync();
}

async function sendFiles(user) {
  // One file failing never holds back the others; a 5xx is retried, and parked after
  // retry.PARK_AFTER alike; any other refusal of this file is shown with its reason.
  const outcome = { sent: 0, blocked: false };
  const now = Date.now();
  for (const item of await store.all("photos")) {
    if (item.state !== "pending" || item.held || !batches.mine(item, user) || item.retryAt > now) continue;
    if (!ofFile(item)?.file) continue; // a kind this version cannot upload waits for one that can
    try {
      await uploadFile(item);
      outcome.sent += 1;
    } catch (error) {
      if (retry.stopsSync(error)) throw error;
      const current = await store.get("photos", item.id);
      if (!current) continue; // removed on the phone meanwhile
      if (error.status >= 500) {
        const held = retry.hold(current, error);
        await store.put("photos", { ...current, ...held });
        if (!retry.parked(held)) outcome.blocked = true;
      } else {
        await store.put("photos", { ...current, state: "failed", code: error.code, message: error.message });
      }
    } finally {
      delete state.progress[item.id];
      changed();
    }
  }
  return outcome;
}

function announcement(item, kind) {
  // The kind's own fields, in its order (a retry sends the same announce).
  return Object.fromEntries(kind.file.fields.map((name) => [name, item[name]]));
}

export async function uploadFile(queued) {
  // Announce (the server says how much it has), send the rest in chunks, complete; then the
  // file is the site's (until the next pull brings it) and leaves the phone's queue.
  const item = await announcing(queued);
  if (!item) return;
  const kind = ofFile(item);
  const path = `${kind.file.path}/${item.id}`;
  const answer = await api.announceFile(path, announcement(item, kind));
  let offset = answer.offset || 0;
  let done = answer.status === "complete" || answer.status === "stored";
  for (let attempt = 0; !done; attempt += 1) {
    offset = await sendFrom(path, item, offset);
    try {
      await api.completeFile(path);
      done = true;
    } catch (error) {
      // Incomplete (409): resume from the server's offset. A damaged whole (422 sha256_mismatch):
      // the server dropped the parts, so send it once more from 0 before giving up.
      const again = error instanceof api.ApiError && attempt < 2
        && (error.status === 409 || error.code === "sha256_mismatch");
      if (!again) throw error;
      offset = (await api.fileOffset(path)).offset || 0;
    }
  }
  progress(item, item.size);
  const { blob, ...kept } = item;
  await sites.addConfirmed(item.installation_id, kind.table, { ...kept, size: blob.size });
  await store.del("photos", item.id);
}

async function announcing(item) {
  // Once announced, a file's fields are fixed on the server: mark it so first, from its latest
  // copy (a trace's card may have changed its mark meanwhile), and stop taking changes.
  if (item.announced) return item;
  const latest = await store.get("photos", item.id);
  if (!latest || latest.held) return null;
  const marked = { ...latest, announced: true };
  await store.put("photos", marked);
  return marked;
}

async function sendFrom(path, item, offset) {
  while (offset < item.size) {
    progress(item, offset);
    try {
      const sentAt = performance.now();
      const confirmed = (await api.sendChunk(path, offset, item.blob.slice(offset, offset + CHUNK))).offset;
      link.note(confirmed - offset, performance.now() - sentAt);
      offset = confirmed;
    } catch (error) {
      if (!(error instanceof api.ApiError) || error.status !== 409) throw error;
      offset = (await api.fileOffset(path)).offset; // resume where the server is
    }
  }
  return offset;
}

function progress(item, sent) {
  state.progress[item.id] = { sent, size: item.size };
  changed();
}

/** Seconds this link takes for `bytes`, from what the server confirmed so far; or null. */
export function secondsFor(bytes) {
  return link.secondsFor(bytes);
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
