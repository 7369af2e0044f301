// The phone's own database: sites as pulled, the outbox of records and photos, and a
// little metadata. A tiny IndexedDB wrapper (no library): four stores, promise API, and a
// connection that is opened again whenever the browser closed it.
// User data lives only here, never in the service worker's caches or localStorage.

const NAME = "fieldapp";
const VERSION = 1;
let opening = null;

function connect(version) {
  // One open request; without a version it opens the database at whatever version it has.
  return new Promise((resolve, reject) => {
    const request = version === undefined ? indexedDB.open(NAME) : indexedDB.open(NAME, version);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("meta");
      db.createObjectStore("sites", { keyPath: "id" });
      db.createObjectStore("outbox", { keyPath: "id" });
      db.createObjectStore("photos", { keyPath: "id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function open() {
  if (opening) return opening;
  const pending = connect(VERSION).catch((error) => {
    // A newer app upgraded the database (in another tab) while this page still runs: stores
    // are only ever added, so this page goes on with the newer version.
    if (error.name === "VersionError") return connect();
    throw error;
  }).then((db) => {
    // The browser may close the connection by itself (Safari does; so does clearing the
    // site's data): forget it, so the next call opens anew (as idb-keyval does).
    db.onclose = () => forget(pending);
    // Another tab upgrades or deletes the database: let it go ahead instead of blocking it,
    // and open again on the next call.
    db.onversionchange = () => {
      db.close();
      forget(pending);
    };
    return db;
  });
  pending.catch(() => forget(pending)); // a failed open is tried again next time
  opening = pending;
  return pending;
}

function forget(pending) {
  if (opening === pending) opening = null;
}

async function run(storeName, mode, action, retried = false) {
  const pending = open();
  const db = await pending;
  let tx;
  try {
    tx = db.transaction(storeName, mode);
  } catch (error) {
    // Closed before its close event arrived: open anew, once.
    if (retried || error.name !== "InvalidStateError") throw error;
    forget(pending);
    return run(storeName, mode, action, true);
  }
  return new Promise((resolve, reject) => {
    const result = action(tx.objectStore(storeName));
    // Resolve only once the transaction committed: "saved" must mean saved.
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

function changed(storeName) {
  if (storeName !== "meta") window.dispatchEvent(new CustomEvent("fieldapp:change", { detail: storeName }));
}

export const get = (storeName, key) => run(storeName, "readonly", (s) => s.get(key));
export const all = (storeName) => run(storeName, "readonly", (s) => s.getAll());

export async function put(storeName, value, key) {
  await run(storeName, "readwrite", (s) => (key === undefined ? s.put(value) : s.put(value, key)));
  changed(storeName);
}

export async function del(storeName, key) {
  await run(storeName, "readwrite", (s) => s.delete(key));
  changed(storeName);
}

export async function replaceAll(storeName, values) {
  // Used by the pull: the server's list of sites replaces the phone's in one transaction.
  await run(storeName, "readwrite", (s) => {
    s.clear();
    for (const value of values) s.put(value);
  });
  changed(storeName);
}
