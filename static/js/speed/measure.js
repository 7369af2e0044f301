// The three measurements against the app's own server: pings, parallel downloads of random
// bytes (fetch + reader), parallel uploads of random blobs (XHR, for upload progress).
import { latency, throughput } from "./stats.js";

const DOWN_BYTES = 100 * 1024 * 1024;
const BLOB_BYTES = 4 * 1024 * 1024;
const PIECE = 65536; // crypto.getRandomValues fills at most 64 KiB per call
let blob = null;

/** A network failure (offline, server unreachable) rather than a refusal. */
export class NetworkError extends Error {}

/** The server answered with an error status. */
export class HttpError extends Error {
  constructor(status) {
    super(`HTTP ${status}`);
    this.status = status;
  }
}

const seconds = () => performance.now() / 1000;

/** Counts bytes from all streams; keeps only what throughput() needs (cheap per chunk). */
class Counter {
  constructor(graceS, onRate) {
    this.start = seconds();
    this.graceS = graceS;
    this.total = 0;
    this.first = null;
    this.last = [0, 0];
    this.onRate = onRate;
    this.tick = [0, 0];
  }

  add(bytes) {
    this.total += bytes;
    const t = seconds() - this.start;
    this.last = [t, this.total];
    if (this.first === null && t >= this.graceS) this.first = this.last;
    if (t - this.tick[0] >= 0.25) {
      this.onRate((this.total - this.tick[1]) * 8 / (t - this.tick[0]) / 1e6, t);
      this.tick = [t, this.total];
    }
  }

  result() {
    if (!this.total) throw new HttpError(503); // nothing got through: every slot was busy
    const samples = this.first ? [this.first, this.last] : [this.last];
    return { ...throughput(samples, this.graceS), total_bytes: this.total };
  }
}

function randomBlob() {
  if (!blob) {
    const bytes = new Uint8Array(BLOB_BYTES);
    for (let at = 0; at < BLOB_BYTES; at += PIECE) {
      crypto.getRandomValues(bytes.subarray(at, at + PIECE));
    }
    blob = new Blob([bytes], { type: "application/octet-stream" });
  }
  return blob;
}

async function get(url, signal) {
  let response;
  try {
    response = await fetch(url, { cache: "no-store", credentials: "same-origin", signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new NetworkError(error.message);
  }
  if (!response.ok) throw new HttpError(response.status);
  return response;
}

/** Round trips in ms of `count` small GETs on a kept-alive connection (the first is dropped). */
export async function measureLatency(base, count, cancel) {
  const times = [];
  for (let i = 0; i <= count; i += 1) {
    const start = performance.now();
    await get(`${base}/ping?n=${i}-${Math.random()}`, cancel);
    if (i > 0) times.push(performance.now() - start);
  }
  return { ...latency(times), samples: times };
}

const pause = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
});

/** Run `streams` workers until the phase time is up; errors after the deadline are not errors.
 *  A busy server (503: its transfer slots are taken) means wait a second and try again. */
async function parallel(streams, phaseS, work, cancel) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), phaseS * 1000);
  cancel?.addEventListener("abort", () => controller.abort(), { once: true });
  const worker = async () => {
    while (!controller.signal.aborted) {
      try {
        await work(controller.signal);
      } catch (error) {
        if (!(error instanceof HttpError && error.status === 503)) throw error;
        await pause(1000, controller.signal);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: streams }, () => worker().catch((error) => {
      if (!controller.signal.aborted) {
        controller.abort();
        throw error;
      }
    })));
  } finally {
    clearTimeout(timer);
  }
  if (cancel?.aborted) throw new DOMException("cancelled", "AbortError");
}

/** Download from `streams` parallel requests for phaseS seconds; rate after graceS. */
export async function measureDownload(base, { streams, phaseS, graceS, onRate, cancel }) {
  const counter = new Counter(graceS, onRate);
  await parallel(streams, phaseS, async (signal) => {
    try {
      const response = await get(`${base}/down?bytes=${DOWN_BYTES}&r=${Math.random()}`, signal);
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        counter.add(value.byteLength);
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }, cancel);
  return counter.result();
}

function post(url, body, token, signal, onBytes) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let sent = 0;
    const account = (loaded) => {
      onBytes(loaded - sent);
      sent = loaded;
    };
    xhr.upload.onprogress = (event) => account(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 400) return reject(new HttpError(xhr.status));
      account(body.size);
      return resolve();
    };
    xhr.onerror = () => reject(new NetworkError("upload failed"));
    xhr.onabort = () => resolve();
    signal.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.open("POST", url);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("X-CSRFToken", token);
    xhr.send(body);
  });
}

/** Upload random 4 MiB blobs from `streams` parallel POSTs for phaseS seconds. */
export async function measureUpload(base, { streams, phaseS, graceS, onRate, token, cancel }) {
  const counter = new Counter(graceS, onRate);
  const body = randomBlob();
  await parallel(streams, phaseS, (signal) => post(`${base}/up`, body, token, signal,
    (bytes) => counter.add(bytes)), cancel);
  return counter.result();
}
