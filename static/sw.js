/* fieldapp service worker. The server prepends VERSION and ASSETS (see technician.py).
   Shell: precached per version, cache-first. API: network only (user data lives in
   IndexedDB, never in caches). Messages: network-first. No Background Sync: the page
   flushes its own outbox. */
/* global VERSION, ASSETS */
const CACHE = `fieldapp-shell-${VERSION}`;
const SHELL = "/tech/app";
const NETWORK_FIRST = new Set(["/tech/messages.json"]);

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

async function precache() {
  const cache = await caches.open(CACHE);
  // Optional files (another area's modules) must not block the install.
  await Promise.all(ASSETS.map(async (url) => {
    // "no-cache" revalidates what the browser already holds (the page's own CSS and modules,
    // vendor files): a 304 instead of the same bytes again, and never a stale copy. A bundle
    // (/dist/, named by its content, immutable) cannot be stale: the copy My sites loaded
    // is taken as it is, with no request at all.
    const mode = url.startsWith("/dist/") ? "default" : "no-cache";
    const response = await fetch(url, { cache: mode, credentials: "same-origin" });
    if (response.ok && !response.redirected) await cache.put(url, response);
    else if (url === SHELL) throw new Error(`shell not cacheable: ${response.status}`);
  }));
}

self.addEventListener("activate", (event) => {
  // Only old shell caches go; queued work is in IndexedDB and is never touched here.
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("fieldapp-shell-") && n !== CACHE)
      .map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

// The shell asks when it loaded during the activation and so was left uncontrolled (app.js).
self.addEventListener("message", (event) => {
  if (event.data === "claim") event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) return; // straight to the network, never cached
  if (request.mode === "navigate") {
    event.respondWith(navigate(request, url));
  } else if (NETWORK_FIRST.has(url.pathname)) {
    event.respondWith(networkFirst(request));
  } else if (/^\/(static|dist|vendor)\//.test(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});

function isShellPath(path) {
  return path === SHELL || /^\/t\/[^/]+$/i.test(path);
}

async function navigate(request, url) {
  // The shell and tag URLs come from the cache (the shell holds no user data or token).
  if (isShellPath(url.pathname)) {
    const cached = await caches.match(SHELL, { cacheName: CACHE });
    if (cached) return cached;
  }
  try {
    return await fetch(request);
  } catch (error) {
    // Offline on a technician page: the shell shows the same sites from IndexedDB.
    if (url.pathname.startsWith("/tech/")) {
      const cached = await caches.match(SHELL, { cacheName: CACHE });
      if (cached) return cached;
    }
    throw error;
  }
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}
