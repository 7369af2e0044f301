// The sync API (docs/api.md) as seen from the phone. A fresh CSRF token is fetched before
// each sync, never taken from a cached page, and again before a write once it is older than
// 30 min (the server's expire after an hour; a photo on 2G can take longer than that).
// A 401 (not_signed_in) means the session ended on the server: the outbox keeps every queued
// item, tied to its user, and sends it once that user signs in again (/login?next=/tech/app).

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.error) || "http_error";
    this.body = body || {};
  }
}

const TOKEN_MAX_AGE_MS = 30 * 60 * 1000;
let token = null;
let tokenAt = 0;

async function call(method, url, options = {}, retried = false) {
  if (method !== "GET" && (!token || Date.now() - tokenAt > TOKEN_MAX_AGE_MS)) await refreshToken();
  const { json, body, headers = {} } = options;
  const init = { method, credentials: "same-origin", cache: "no-store", headers: { ...headers } };
  if (method !== "GET") init.headers["X-CSRFToken"] = token;
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  const response = await fetch(url, init); // a TypeError here means: no network
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    // Signed out on the server (signed out elsewhere, a new password, idle too long): the token
    // belonged to that session. The caller keeps its queue and shows "sign in again".
    if (response.status === 401) token = null;
    // An expired or refused token is not the request's fault: a new token, then once more.
    if (!retried && response.status === 400 && data && data.error === "csrf_failed") {
      await refreshToken();
      return call(method, url, options, true);
    }
    throw new ApiError(response.status, data);
  }
  return data;
}

export async function refreshToken() {
  token = (await call("GET", "/api/v1/csrf")).csrf_token;
  tokenAt = Date.now();
}

// `labels`: the language of the labels this phone holds, so the server need not send them again.
// Lean records: without the server's own hashes and derived fields, which this phone never reads.
export const pull = (cursor, labels) => {
  const query = new URLSearchParams({ ...(cursor ? { cursor } : {}), ...(labels ? { labels } : {}),
    records: "lean" });
  return call("GET", `/api/v1/pull?${query}`);
};
export const postBatch = (batch) => call("POST", "/api/v1/batches", { json: batch });
// A resumable file upload at `path` (a photo: /api/v1/photos/<id>): announce, offset, chunks,
// complete. The file's kind says which path (static/js/kinds.js).
export const announceFile = (path, meta) => call("PUT", path, { json: meta });
export const fileOffset = (path) => call("GET", `${path}/upload`);
export const completeFile = (path) => call("POST", `${path}/complete`, { json: {} });

export async function sendChunk(path, offset, chunk) {
  const digest = await sha256Hex(await chunk.arrayBuffer());
  return call("PATCH", `${path}/upload`, {
    body: chunk,
    headers: {
      "Upload-Offset": String(offset),
      "Chunk-Sha256": digest,
      "Content-Type": "application/offset+octet-stream",
    },
  });
}

export async function sha256Hex(buffer) {
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
