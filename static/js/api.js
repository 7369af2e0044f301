// The sync API (docs/api.md) as seen from the phone. A fresh CSRF token is fetched before
// each sync, never taken from a cached page.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.error) || "http_error";
    this.body = body || {};
  }
}

let token = null;

async function call(method, url, { json, body, headers = {} } = {}) {
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
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export async function refreshToken() {
  token = (await call("GET", "/api/v1/csrf")).csrf_token;
}

export const pull = (cursor) => call("GET", cursor ? `/api/v1/pull?cursor=${cursor}` : "/api/v1/pull");
export const postBatch = (batch) => call("POST", "/api/v1/batches", { json: batch });
export const announcePhoto = (id, meta) => call("PUT", `/api/v1/photos/${id}`, { json: meta });
export const photoOffset = (id) => call("GET", `/api/v1/photos/${id}/upload`);
export const completePhoto = (id) => call("POST", `/api/v1/photos/${id}/complete`, { json: {} });

export async function sendChunk(id, offset, chunk) {
  const digest = await sha256Hex(await chunk.arrayBuffer());
  return call("PATCH", `/api/v1/photos/${id}/upload`, {
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
